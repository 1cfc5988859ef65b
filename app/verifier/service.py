"""Verification as the service offers it: where keys, status lists and credentials come from,
and what this service's own records add to the cryptographic checks.

Anything this service publishes (its issuers' did:web documents, its status lists, its hosted
credentials) is read from the database; anything else is fetched through the safe client.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.achievements.publishing import AchievementPublisher
from app.credentials.clr import is_clr
from app.credentials.data_integrity import unsecured
from app.credentials.endorsement import is_endorsement
from app.credentials.ob3 import issuer_id
from app.credentials.strict_json import StrictJsonViolation, loads_strict
from app.issuer.addresses import credential_url, endorsement_address
from app.issuer.identity import IssuerIdentity
from app.issuer.signing import CredentialSigner
from app.issuer.status_lists import StatusLists
from app.problems import NotFound, Problem, ProblemItem
from app.runtime import Runtime
from app.store.models import Achievement, Award, Issuer
from app.store.repositories import AwardRepository, EndorsementRepository
from app.verifier.fetching import CREDENTIAL_ACCEPT, DocumentUnavailable
from app.verifier.issuer_checks import IssuerChecks
from app.verifier.keys import KeyResolver
from app.verifier.report import Outcome, VerificationReport
from app.verifier.verify import verify_credential

_REFUSALS = frozenset({"invalid_url", "scheme_not_allowed", "address_not_allowed"})


class CredentialUnreadable(Problem):
    status, code, title = 422, "credential-unreadable", "No credential could be read"


class UrlRefused(Problem):
    status, code, title = 422, "url-refused", "The URL is not one the verifier fetches"


class UrlUnavailable(Problem):
    status, code, title = 502, "url-unavailable", "The credential could not be fetched"


def credential_from_text(text: str) -> dict[str, Any] | str:
    """A pasted credential: a JSON object, or a VC-JWT (compact JWS)."""
    text = text.strip()
    if text.startswith("{"):
        try:
            document = loads_strict(text)
        except StrictJsonViolation as violation:
            raise CredentialUnreadable(
                f"the text is JSON that a signed document cannot carry: {violation}",
                errors=[ProblemItem(path, message) for path, message in violation.problems],
            ) from violation
        except json.JSONDecodeError as error:
            raise CredentialUnreadable(
                f"the text is not valid JSON (line {error.lineno}, column {error.colno}: "
                f"{error.msg})"
            ) from error
        except RecursionError as error:
            raise CredentialUnreadable("the JSON is nested too deeply to read") from error
        if isinstance(document, dict):
            return document
    elif text.count(".") == 2 and " " not in text:
        return text
    raise CredentialUnreadable("paste a credential as a JSON object or as a VC-JWT")


class VerificationService:
    def __init__(self, session: Session, runtime: Runtime) -> None:
        self.session = session
        self.runtime = runtime
        self.settings = runtime.settings
        self.identity = IssuerIdentity(session, runtime.settings)
        self.awards = AwardRepository(session)
        self._status_lists = StatusLists(session, runtime.settings)
        self._signer = CredentialSigner(session, runtime.settings, runtime.private_keys)

    @property
    def credential_prefix(self) -> str:
        return credential_url(self.settings, "")

    def resolver(self) -> KeyResolver:
        return KeyResolver(
            local_documents=self.identity.did_document_for, remote=self.runtime.fetcher
        )

    def status_list(self, url: str) -> Mapping[str, Any] | None:
        """A status list: ours from the database, anyone else's through the safe client."""
        if url.startswith(self.settings.public_base_url + "/"):
            return self._status_lists.document_for_url(
                url, self._signer, self.runtime.status_list_cache
            )
        return self.runtime.fetcher.json_document(url)

    def verify(self, credential: Any, *, now: datetime | None = None) -> VerificationReport:
        return verify_credential(
            credential,
            self.resolver(),
            status_lists=self.status_list,
            now=now,
            records=self._check_issuer_and_records,
            same_issuer=self.same_issuer,
        )

    def same_issuer(self, first: str | None, second: str | None) -> bool:
        """Equal ids, or two DIDs of one of our issuers (its did:keys before and after a key
        rotation on an http instance)."""
        if first == second:
            return True
        if first is None or second is None:
            return False
        ours = self.identity.issuer_for_did(first)
        return ours is not None and ours == self.identity.issuer_for_did(second)

    # -- credentials by URL ---------------------------------------------------------------------

    def own_award(self, credential_id: object) -> Award | None:
        if not isinstance(credential_id, str) or not credential_id.startswith(
            self.credential_prefix
        ):
            return None
        return self.awards.by_token(credential_id.removeprefix(self.credential_prefix))

    def credential_at(self, url: str) -> dict[str, Any] | str:
        """The credential published at ``url``: one of ours from the database, any other
        fetched (JSON-LD, or a VC-JWT) within the fetch policy."""
        url = url.strip()
        if url.startswith(self.credential_prefix):
            award = self.own_award(url.split("#")[0].split("?")[0])
            if award is None:
                raise NotFound("this service has no credential at that address")
            return award.credential
        address = endorsement_address(self.settings, url.split("#")[0].split("?")[0])
        if address is not None:
            endorsement = EndorsementRepository(self.session).at(*address)
            if endorsement is None:
                raise NotFound("this service has no endorsement at that address")
            return endorsement.credential_jwt or endorsement.credential
        try:
            fetched = self.runtime.fetcher.get(url, CREDENTIAL_ACCEPT)
        except DocumentUnavailable as error:
            problem = UrlRefused if error.code in _REFUSALS else UrlUnavailable
            raise problem(error.message) from error
        try:
            text = fetched.content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise UrlUnavailable(f"{url} did not answer text") from error
        try:
            return credential_from_text(text)
        except CredentialUnreadable as error:
            raise UrlUnavailable(f"{url} did not answer a credential: {error.detail}") from error

    # -- what this service's records say --------------------------------------------------------

    def _check_issuer_and_records(self, report: VerificationReport) -> None:
        IssuerChecks(
            self.session, self.settings, self.identity, self.runtime.trust_registries
        ).check(report)
        self._check_records(report)

    def _check_records(self, report: VerificationReport) -> None:
        credential = report.credential
        assert credential is not None
        did = issuer_id(credential)
        issuer = None if did is None else self.identity.issuer_for_did(did)
        if issuer is None:
            report.add(
                "records",
                Outcome.SKIPPED,
                "issued by an issuer this service does not hold; its signature and status "
                "were checked with the issuer's own published keys and lists",
            )
            return
        if is_endorsement(credential):
            self._check_endorsement_records(report, credential, issuer)
            return
        if is_clr(credential):
            report.add(
                "records",
                Outcome.SKIPPED,
                "a CLR is assembled on request and not recorded; each credential in it was "
                "checked against the records",
            )
            return
        award = self.own_award(credential.get("id"))
        if award is None or award.issuer_id != issuer.id:
            report.add(
                "records",
                Outcome.WARNING,
                f"signed by {issuer.name}, but it is not among the awards this service recorded",
                "not_in_records",
            )
            return
        # Compared without the proof: the award's VC-JWT form carries the same claims unproofed.
        if unsecured(credential) != unsecured(award.credential):
            report.add(
                "records",
                Outcome.WARNING,
                f"signed by {issuer.name}, but it differs from the award this service recorded "
                "at that id",
                "not_in_records",
            )
            return
        badge = self._badge_note(award)
        if award.status == "superseded":
            replacement = (
                None
                if award.superseded_by_id is None
                else self.awards.by_id(award.superseded_by_id)
            )
            when = "" if replacement is None else f" on {replacement.awarded_at:%Y-%m-%d}"
            report.add(
                "records",
                Outcome.FAILED,
                f"{issuer.name} replaced this credential with a newer one{when}; {badge}",
                "superseded",
            )
        elif award.status == "revoked":
            report.add(
                "records",
                Outcome.FAILED,
                f"{issuer.name}'s records show this credential revoked; {badge}",
                "revoked",
            )
        else:
            report.add(
                "records",
                Outcome.PASSED,
                f"awarded by {issuer.name} on {award.awarded_at:%Y-%m-%d}; {badge}",
            )

    def _check_endorsement_records(
        self, report: VerificationReport, credential: Mapping[str, Any], issuer: Issuer
    ) -> None:
        credential_id = credential.get("id")
        endorsement = (
            EndorsementRepository(self.session).by_credential_id(credential_id)
            if isinstance(credential_id, str)
            else None
        )
        if endorsement is None or endorsement.endorser_issuer_id != issuer.id:
            report.add(
                "records",
                Outcome.WARNING,
                f"signed by {issuer.name}, but it is not among the endorsements this service "
                "recorded",
                "not_in_records",
            )
            return
        if unsecured(credential) != unsecured(endorsement.credential):
            report.add(
                "records",
                Outcome.WARNING,
                f"signed by {issuer.name}, but it differs from the endorsement this service "
                "recorded at that id",
                "not_in_records",
            )
            return
        achievement = self.session.get(Achievement, endorsement.achievement_id)
        assert achievement is not None
        if endorsement.status == "withdrawn" and endorsement.withdrawn_at is not None:
            report.add(
                "records",
                Outcome.FAILED,
                f"{issuer.name} withdrew this endorsement of badge {achievement.code} on "
                f"{endorsement.withdrawn_at:%Y-%m-%d}",
                "revoked",
            )
        else:
            report.add(
                "records",
                Outcome.PASSED,
                f"{issuer.name} endorsed badge {achievement.code} on "
                f"{endorsement.created_at:%Y-%m-%d}",
            )

    def _badge_note(self, award: Award) -> str:
        achievement = self.session.get(Achievement, award.achievement_id)
        assert achievement is not None
        version = award.achievement_version
        url = AchievementPublisher(self.session, self.settings).achievement_url(achievement)
        if version == achievement.current_version:
            return f"badge {achievement.code} as currently defined ({url})"
        return (
            f"badge {achievement.code} as defined in version {version}; it has since been "
            f"updated to version {achievement.current_version} ({url})"
        )
