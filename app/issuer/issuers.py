"""Issuers: creation, hierarchy, signing keys and rotation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from app.credentials.jwk import jwk_thumbprint, public_jwk
from app.credentials.multikey import public_key_to_multibase
from app.issuer.keystore import KeyStore
from app.problems import Conflict, InvalidRequest, NotFound, ProblemItem
from app.store.models import Issuer, IssuerKey
from app.store.repositories import IssuerRepository, KeyRepository

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")

BITSTRING_STATUS_LIST = "BitstringStatusList"
REVOCATION_LIST_1EDTECH = "1EdTechRevocationList"
STATUS_METHODS = (BITSTRING_STATUS_LIST, REVOCATION_LIST_1EDTECH)
"""How an issuer's credentials name their status. The OB 3.0 schema allows one
``credentialStatus`` object, so a credential carries one method; both lists are always served."""


EDITABLE = ("name", "url", "email", "description", "image_url")
"""The details of an issuer that can change after it is created (its slug, and so its DID,
cannot)."""


@dataclass(frozen=True)
class IssuerDraft:
    slug: str
    name: str
    url: str | None = None
    email: str | None = None
    description: str | None = None
    image_url: str | None = None
    parent_slug: str | None = None
    status_method: str = BITSTRING_STATUS_LIST


LIMITS = {"name": 300, "url": 2000, "email": 320, "description": 5000, "image_url": 2000}
"""The longest value each column holds."""


def _detail_problems(
    values: Mapping[str, str | None], where: Mapping[str, str]
) -> list[ProblemItem]:
    """Problems with the details a person can change, each located by ``where[field]``."""
    problems: list[ProblemItem] = []
    for field_name, value in values.items():
        location = where.get(field_name, field_name)
        if value is None:
            if field_name == "name":
                problems.append(ProblemItem(location, "an issuer needs a name"))
            continue
        if field_name == "name" and not value.strip():
            problems.append(ProblemItem(location, "must not be empty"))
        elif len(value) > LIMITS[field_name]:
            problems.append(
                ProblemItem(location, f"is longer than {LIMITS[field_name]} characters")
            )
        elif field_name in ("url", "image_url") and not re.match(r"^https?://[^\s/]+", value):
            problems.append(ProblemItem(location, "must be an absolute http(s) URL"))
        elif field_name == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            problems.append(ProblemItem(location, "is not an email address"))
    return problems


def _validate(draft: IssuerDraft) -> list[ProblemItem]:
    problems: list[ProblemItem] = []
    if not SLUG_PATTERN.fullmatch(draft.slug):
        problems.append(ProblemItem("slug", "use 1-64 lowercase letters, digits and inner hyphens"))
    problems += _detail_problems({name: getattr(draft, name) for name in EDITABLE}, {})
    if draft.status_method not in STATUS_METHODS:
        problems.append(ProblemItem("statusMethod", "must be one of " + ", ".join(STATUS_METHODS)))
    return problems


def get_issuer(session: Session, slug: str) -> Issuer:
    issuer = IssuerRepository(session).by_slug(slug)
    if issuer is None:
        raise NotFound(f"there is no issuer {slug!r}")
    return issuer


def create_issuer(session: Session, keystore: KeyStore, draft: IssuerDraft) -> Issuer:
    """Add an issuer with a fresh Ed25519 signing key; the caller commits."""
    problems = _validate(draft)
    if problems:
        raise InvalidRequest("the issuer is not valid", errors=problems)
    issuers = IssuerRepository(session)
    if issuers.by_slug(draft.slug) is not None:
        raise Conflict(f"an issuer {draft.slug!r} exists already")
    parent_id = None
    if draft.parent_slug is not None:
        parent = issuers.by_slug(draft.parent_slug)
        if parent is None:
            raise InvalidRequest(
                "the parent issuer is unknown",
                errors=[ProblemItem("parent", f"there is no issuer {draft.parent_slug!r}")],
            )
        parent_id = parent.id
    issuer = issuers.add(
        Issuer(
            slug=draft.slug,
            name=draft.name.strip(),
            url=draft.url,
            email=draft.email,
            description=draft.description,
            image_url=draft.image_url,
            parent_id=parent_id,
            status_method=draft.status_method,
        )
    )
    add_signing_keys(session, keystore, issuer)
    return issuer


def update_issuer(
    session: Session,
    issuer: Issuer,
    changes: Mapping[str, str | None],
    *,
    where: Mapping[str, str] | None = None,
) -> Issuer:
    """Apply ``changes`` (an ``EDITABLE`` field to its new value; None clears it) all or
    nothing; fields not named keep their value. ``where`` names each field's location in
    problems (a JSON path for the API). The caller commits.

    Nothing is copied from an issuer into stored data but signed credentials (which keep the
    profile they were signed with, as they must), so the served Profile, the OB 2.0 issuer and
    everything derived from them show the change on the next request."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValueError(f"not editable: {', '.join(unknown)}")
    problems = _detail_problems(changes, where or {})
    if problems:
        raise InvalidRequest("the issuer is not valid", errors=problems)
    for field_name, value in changes.items():
        if field_name == "name" and value is not None:
            value = value.strip()
        if field_name == "description" and value is not None and not value.strip():
            value = None
        setattr(issuer, field_name, value)
    session.flush()
    return issuer


def add_signing_keys(session: Session, keystore: KeyStore, issuer: Issuer) -> list[IssuerKey]:
    """An Ed25519 key (Data Integrity proofs, EdDSA JWTs) and an RSA key (RS256 JWTs)."""
    keys = KeyRepository(session)
    ed_file, ed_key = keystore.create_ed25519(issuer.slug)
    multibase = public_key_to_multibase(ed_key.public_key())
    rsa_file, rsa_key = keystore.create_rsa(issuer.slug)
    return [
        keys.add(
            IssuerKey(
                issuer_id=issuer.id,
                algorithm="Ed25519",
                fragment=multibase,
                public_key_multibase=multibase,
                private_key_file=ed_file,
            )
        ),
        keys.add(
            IssuerKey(
                issuer_id=issuer.id,
                algorithm="RSA",
                fragment=jwk_thumbprint(rsa_key.public_key()),
                public_jwk=public_jwk(rsa_key.public_key()),
                private_key_file=rsa_file,
            )
        ),
    ]


def rotate_keys(session: Session, keystore: KeyStore, issuer: Issuer) -> list[IssuerKey]:
    """Sign with new keys from now on; retired keys stay published so old credentials verify."""
    keys = KeyRepository(session)
    now = datetime.now(UTC)
    for key in keys.for_issuer(issuer.id):
        if key.retired_at is None:
            key.retired_at = now
    return add_signing_keys(session, keystore, issuer)


def active_key(session: Session, issuer: Issuer, algorithm: str = "Ed25519") -> IssuerKey:
    key = KeyRepository(session).active_for_issuer(issuer.id, algorithm)
    if key is None:
        raise Conflict(f"issuer {issuer.slug!r} has no active {algorithm} signing key")
    return key
