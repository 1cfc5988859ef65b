"""The public page of one of our credentials, and its downloadable forms.

The page shows a live verdict computed by the verifier. Verifying on every view would make
the page as slow as a verification, so the rendered page is kept until the award changes
(a revocation, a reissue, an expiry sweep all touch ``changed_at``), the badge gains or loses an
endorsement, its Open Badges 2.0 links come or go (the issuer's url or email was set or cleared),
its validity period ends, or a few minutes pass; whichever comes first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from app.catalog.badge_image import badge_svg
from app.catalog.badge_png import badge_png
from app.credentials.baking import bake_png, bake_svg
from app.credentials.data_integrity import unsecured
from app.endorsements.service import (
    EndorsementView,
    endorsements_fingerprint,
    endorsements_for,
)
from app.issuer.addresses import credential_url
from app.issuer.signing import CredentialSigner
from app.pages.render import render
from app.pages.view import (
    VERDICT_HEADLINES,
    CredentialView,
    RecognitionView,
    checks_view,
    credential_view,
    verdict_sentence,
)
from app.records.ob2_export import Ob2Export
from app.runtime import Runtime
from app.store.models import Achievement, Award, Issuer
from app.store.repositories import AwardRepository
from app.verifier.service import VerificationService

PAGE_TTL_SECONDS = 300.0


class CredentialPages:
    def __init__(self, session: Session, runtime: Runtime) -> None:
        self.session = session
        self.runtime = runtime
        self.awards = AwardRepository(session)

    def find(self, token: str) -> Award | None:
        return self.awards.by_token(token)

    def url(self, award: Award) -> str:
        return credential_url(self.runtime.settings, award.credential_token)

    def view(self, award: Award) -> CredentialView:
        return credential_view(award.credential, self.url(award))

    def html(self, award: Award) -> str:
        now = datetime.now(UTC)
        expired = award.valid_until is not None and award.valid_until <= now
        endorsed = endorsements_fingerprint(self.session, award.achievement_id)
        ob2_links = self._ob2_links(award)
        version = (award.status, award.changed_at, expired, endorsed, tuple(ob2_links.items()))
        cached = self.runtime.page_cache.get(award.credential_token, version)
        if cached is not None:
            return cached
        body = self._render(award, now, ob2_links)
        ttl = PAGE_TTL_SECONDS
        if award.valid_until is not None and not expired:
            ttl = min(ttl, (award.valid_until - now).total_seconds())
        self.runtime.page_cache.put(award.credential_token, version, body, ttl)
        return body

    def _render(self, award: Award, now: datetime, ob2_links: dict[str, str]) -> str:
        report = VerificationService(self.session, self.runtime).verify(award.credential, now=now)
        view = self.view(award)
        url = self.url(award)
        verdict = report.verdict
        summary = f"{view.title}, a badge issued by {view.issuer_name}"
        if view.awarded_on is not None:
            summary += f" on {view.awarded_on:%B %-d, %Y}"
        return render(
            "credential.html",
            view=view,
            verdict=verdict.value,
            headline=VERDICT_HEADLINES[verdict],
            sentence=verdict_sentence(report),
            recognition=RecognitionView.of(report.issuer),
            checks=checks_view(report),
            endorsements=self._endorsements(award),
            checked_at=f"{now:%Y-%m-%d %H:%M} UTC",
            summary=summary + ".",
            linkedin=view.linkedin_url(url),
            filename=f"{view.badge_code or 'badge'}-{award.credential_token[:8]}".lower(),
            links={
                "json": f"{url}/credential.json",
                "jwt": f"{url}/credential.jwt",
                "png": f"{url}/badge.png",
                "svg": f"{url}/badge.svg",
                "verify": "/verify?" + urlencode({"url": url}),
                **ob2_links,
            },
        )

    def _ob2_links(self, award: Award) -> dict[str, str]:
        """The Open Badges 2.0 forms, when the award has them (its recipient has an email)."""
        export = Ob2Export(self.session, self.runtime.settings)
        if export.unavailable_reason(award) is not None:
            return {}
        assertion = export.assertion_url(award.credential_token)
        return {"ob2": assertion, "ob2_png": f"{assertion}/badge.png"}

    def _endorsements(self, award: Award) -> list[EndorsementView]:
        achievement = self.session.get(Achievement, award.achievement_id)
        assert achievement is not None
        return endorsements_for(self.session, self.runtime.settings, achievement)

    def _issuer(self, award: Award) -> Issuer:
        issuer = self.session.get(Issuer, award.issuer_id)
        assert issuer is not None
        return issuer

    def jwt(self, award: Award) -> str:
        """The same credential as a VC-JWT, signed now by the issuer's current key."""
        signer = CredentialSigner(self.session, self.runtime.settings, self.runtime.private_keys)
        return signer.sign_jwt(self._issuer(award), unsecured(award.credential))

    def png(self, award: Award) -> bytes:
        view = self.view(award)
        return bake_png(badge_png(view.badge_code or "", view.badge_name), award.credential)

    def svg(self, award: Award) -> str:
        view = self.view(award)
        return bake_svg(badge_svg(view.badge_code or "", view.badge_name), award.credential)
