"""Who issued a credential: the ``achievement`` and ``issuer`` checks.

A valid signature proves which key signed, not who holds the key: anyone can make a did:key,
copy a genuine credential, call themselves "XQ Institute" and sign. So the verifier says apart

* the ``achievement`` check: a credential that claims a badge this service defines (its
  achievement id is one of our ``/achievements/...`` URLs) must be signed by that badge's
  issuer or an organisation below it (a district may award its own badges and those of the
  organisations above it, as awarding does). Otherwise it is not valid:
  ``achievement_not_issued_by_owner``, or ``achievement_unknown`` for an id we never issued.
* the ``issuer`` check: whether the signer is recognised. It is when it is one of this
  service's issuers (any of its DIDs, also from before a key rotation), is listed in a trust
  registry the operator configured, or is a did:web, whose DID is bound to a web domain. An
  unrecognised signer is a warning (``issuer_unrecognised``): the credential is genuinely
  signed and in force, but the name it gives its issuer is the signer's own claim.

Both run only once the signature verified; before that, nobody is known to have signed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from app.credentials.did import did_web_document_url
from app.credentials.errors import CredentialError
from app.credentials.ob3 import is_open_badge, issuer_id
from app.issuer.identity import IssuerIdentity
from app.settings import Settings
from app.store.models import Issuer
from app.store.repositories import AchievementRepository, IssuerRepository
from app.verifier.report import Basis, IssuerRecognition, Outcome, VerificationReport
from app.verifier.trust_registry import TrustRegistries


def _signature_verified(report: VerificationReport) -> bool:
    proofs = [check for check in report.checks if check.name == "proof"]
    return bool(proofs) and all(check.outcome is Outcome.PASSED for check in proofs)


def _stated_name(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    name = issuer.get("name") if isinstance(issuer, Mapping) else None
    return name if isinstance(name, str) and name.strip() else None


def did_web_domain(did: str) -> str | None:
    """The host (and port) a did:web is bound to."""
    if not did.startswith("did:web:"):
        return None
    try:
        return urlsplit(did_web_document_url(did)).netloc or None
    except CredentialError:
        return None


def _achievement_id(credential: Mapping[str, Any]) -> str | None:
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    found = achievement.get("id") if isinstance(achievement, Mapping) else None
    return found if isinstance(found, str) else None


class IssuerChecks:
    def __init__(
        self,
        session: Session,
        settings: Settings,
        identity: IssuerIdentity,
        registries: TrustRegistries,
    ) -> None:
        self.session = session
        self.settings = settings
        self.identity = identity
        self.registries = registries
        self.issuers = IssuerRepository(session)

    def check(self, report: VerificationReport) -> None:
        credential = report.credential
        assert credential is not None
        did = issuer_id(credential)
        recognition = IssuerRecognition(id=did, name=_stated_name(credential))
        report.issuer = recognition
        if did is None or not _signature_verified(report):
            report.add(
                "issuer",
                Outcome.SKIPPED,
                "the signature did not verify, so who signed is not established",
            )
            return
        ours = self.identity.issuer_for_did(did)
        if is_open_badge(credential):
            self._check_achievement(report, credential, ours, recognition)
        report.issuer = self._recognise(report, did, ours, recognition)

    def _check_achievement(
        self,
        report: VerificationReport,
        credential: Mapping[str, Any],
        ours: Issuer | None,
        recognition: IssuerRecognition,
    ) -> None:
        achievement_id = _achievement_id(credential)
        prefix = f"{self.settings.public_base_url}/achievements/"
        if achievement_id is None or not achievement_id.startswith(prefix):
            return
        uid = achievement_id.removeprefix(prefix).split("?")[0].split("#")[0]
        achievement = AchievementRepository(self.session).by_uid(uid)
        if achievement is None:
            report.add(
                "achievement",
                Outcome.FAILED,
                f"the credential claims a badge at {achievement_id}, which this service never "
                "defined",
                "achievement_unknown",
            )
            return
        owner = self.issuers.by_id(achievement.issuer_id)
        assert owner is not None
        lineage = [] if ours is None else [ours, *self.issuers.ancestors(ours)]
        if ours is not None and owner.id in {member.id for member in lineage}:
            whose = (
                f"{owner.name}'s own badge"
                if ours.id == owner.id
                else f"{owner.name}'s, which {ours.name}, an organisation below it, may award"
            )
            report.add("achievement", Outcome.PASSED, f"badge {achievement.code} is {whose}")
            return
        signer = ours.name if ours is not None else str(recognition.id)
        if ours is None and recognition.name:
            signer += f" (calling itself {recognition.name!r})"
        report.add(
            "achievement",
            Outcome.FAILED,
            f"badge {achievement.code} is defined by {owner.name}, but this credential was "
            f"signed by {signer}, which may not award it: the badge was not issued by "
            "its owner",
            "achievement_not_issued_by_owner",
        )

    def _recognise(
        self,
        report: VerificationReport,
        did: str,
        ours: Issuer | None,
        recognition: IssuerRecognition,
    ) -> IssuerRecognition:
        domain = did_web_domain(did)
        if ours is not None:
            report.add("issuer", Outcome.PASSED, f"{ours.name}, an issuer of this service")
            return _with(recognition, Basis.THIS_SERVICE, listed_name=ours.name, domain=domain)
        listing = self.registries.lookup(did)
        if listing is not None:
            report.add(
                "issuer",
                Outcome.PASSED,
                f"listed in the trust registry {listing.registry!r} as {listing.name!r}",
            )
            return _with(
                recognition,
                Basis.TRUST_REGISTRY,
                registry=listing.registry,
                listed_name=listing.name,
                domain=domain,
            )
        if domain is not None:
            report.add(
                "issuer",
                Outcome.PASSED,
                f"the issuer controls the web domain {domain} (its did:web is published there); "
                "the name it gives itself is its own claim",
            )
            return _with(recognition, Basis.DOMAIN, domain=domain)
        named = f" calls itself {recognition.name!r}, but it" if recognition.name else ""
        report.add(
            "issuer",
            Outcome.WARNING,
            f"the signer {did}{named} is not one of this service's issuers, not in a trust "
            "registry this verifier uses, and not bound to a web domain: who holds the key is "
            "not known",
            "issuer_unrecognised",
        )
        return recognition


def _with(
    recognition: IssuerRecognition,
    basis: Basis,
    *,
    registry: str | None = None,
    listed_name: str | None = None,
    domain: str | None = None,
) -> IssuerRecognition:
    return IssuerRecognition(
        id=recognition.id,
        name=recognition.name,
        recognised=True,
        basis=basis,
        registry=registry,
        listed_name=listed_name,
        domain=domain,
    )
