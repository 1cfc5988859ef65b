"""A learner's public badge page: their current badges grouped by pathway.

Off by default: a learner's badges are listed only after the learner, or the issuer on their
behalf, makes the profile public. Each badge links to its own credential page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import groupby

from sqlalchemy.orm import Session

from app.issuer.addresses import credential_url
from app.pages.render import render
from app.pages.view import CredentialView, credential_view
from app.settings import Settings
from app.store.repositories import AwardRepository, LearnerRepository

OTHER_PATHWAY = "Other badges"


def _pathway(view: CredentialView) -> str:
    return view.pathway or OTHER_PATHWAY


def learner_page(session: Session, settings: Settings, public_id: str) -> str | None:
    """The rendered page, or None when there is no such learner or the profile is private."""
    learner = LearnerRepository(session).by_public_id(public_id)
    if learner is None or not learner.profile_public:
        return None
    now = datetime.now(UTC)
    views = [
        credential_view(award.credential, credential_url(settings, award.credential_token))
        for award in AwardRepository(session).current_for_learners({learner.id}, now)
    ]
    views.sort(key=lambda view: (_pathway(view) == OTHER_PATHWAY, _pathway(view), view.title))
    groups = [(pathway, list(items)) for pathway, items in groupby(views, key=_pathway)]
    return render(
        "learner.html",
        name=learner.display_name,
        groups=groups,
        transcript_url=f"{settings.public_base_url}/learners/{public_id}/transcript",
    )
