"""A learner's printable transcript: current badges by pathway, with dates, CPE results and a
verification link for each. Public only when the learner's profile is (like the badge page),
and it shows nothing the credential pages do not: no email, no student id."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from sqlalchemy.orm import Session

from app.pages.render import render
from app.records.learner_records import LearnerRecords
from app.records.transcripts import TranscriptRow, transcript_rows
from app.settings import Settings
from app.store.repositories import IssuerRepository, LearnerRepository


def _by_pathway(rows: Sequence[TranscriptRow]) -> list[tuple[str, list[TranscriptRow]]]:
    return [
        (pathway, list(items))
        for pathway, items in groupby(rows, key=lambda row: row.entry.badge.pathway)
    ]


def transcript_page(session: Session, settings: Settings, public_id: str) -> str | None:
    """The rendered page, or None when there is no such learner or the profile is private."""
    learner = LearnerRepository(session).by_public_id(public_id)
    if learner is None or not learner.profile_public:
        return None
    issuer = IssuerRepository(session).by_id(learner.issuer_id)
    assert issuer is not None
    record = LearnerRecords(session, settings).record(learner, issuer, "issuer")
    rows = transcript_rows(record, settings)
    return render(
        "transcript.html",
        name=learner.display_name,
        issuer=issuer,
        as_of=record.as_of,
        count=len(rows),
        groups=_by_pathway(rows),
        profile_url=f"{settings.public_base_url}/learners/{learner.public_id}",
    )
