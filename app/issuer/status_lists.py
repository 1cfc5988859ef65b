"""Status lists: Bitstring positions for new credentials, and the documents verifiers fetch.

Each issuer has revocation lists of ``MIN_BITSTRING_LENGTH`` positions (the specification's
minimum, which gives every credential a crowd to hide in). A new credential makes the next claim
on the newest list with one atomic UPDATE of its counter; a full list is followed by a new one.
Claim ``n`` is placed at a position the list's secret key picks (a keyed permutation), so
positions do not reveal the order of issuance nor link awards made together. Positions are never
handed out twice, even when the claiming transaction rolls back (the position is then simply
never used).

Every issuer also has a 1EdTech revocation list (the status method OB 3.0 first named): the ids
of its revoked and superseded credentials, without reasons, which may be private. Which of the
two a credential names is the issuer's ``status_method``: the OB 3.0 schema allows one entry.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.credentials.index_shuffle import IndexShuffle
from app.credentials.status_list import (
    MIN_BITSTRING_LENGTH,
    Bitstring,
    bitstring_status_entry,
    bitstring_status_list_credential,
    revocation_list_document,
    revocation_list_entry,
)
from app.issuer.identity import IssuerIdentity
from app.issuer.issuers import REVOCATION_LIST_1EDTECH
from app.issuer.signing import CredentialSigner
from app.problems import NotFound
from app.settings import Settings
from app.store.models import Issuer, StatusList
from app.store.repositories import (
    AwardRepository,
    EndorsementRepository,
    IssuerRepository,
    StatusListRepository,
)

REVOCATION = "revocation"


@dataclass(frozen=True)
class StatusPosition:
    status_list: StatusList
    index: int


@dataclass(frozen=True)
class SignedStatusList:
    body: bytes
    etag: str
    last_modified: datetime


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class StatusLists:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.repo = StatusListRepository(session)

    def list_url(self, status_list: StatusList) -> str:
        return f"{self.settings.public_base_url}/status-lists/{status_list.uid}"

    def claim(self, issuer: Issuer, purpose: str = REVOCATION) -> StatusPosition:
        """The next free position of the issuer's newest list; see :meth:`claim_many`."""
        return self.claim_many(issuer, 1, purpose)[0]

    def claim_many(
        self, issuer: Issuer, count: int, purpose: str = REVOCATION
    ) -> list[StatusPosition]:
        """``count`` free positions of the issuer's newest lists, opening new lists as needed.

        Each claim commits at once, so concurrent awards do not queue behind one another's
        signing on the list's row. Call it before the award's transaction writes anything (it
        commits the session). A position whose award then fails stays unused, which the
        specification allows: positions are never handed out twice. A block that would run
        past the end of a list is claimed one position at a time, so lists fill completely.
        """
        positions: list[StatusPosition] = []
        while len(positions) < count:
            newest = self.repo.newest(issuer.id, purpose)
            if newest is not None:
                wanted = count - len(positions)
                block = self.repo.take_indexes(newest.id, wanted)
                if block is None and wanted > 1:
                    block = self.repo.take_indexes(newest.id, 1)
                if block is not None:
                    self.session.commit()
                    place = self.placement(newest)
                    positions.extend(StatusPosition(newest, place(claim)) for claim in block)
                    continue
            self._open_list(issuer, purpose, 0 if newest is None else newest.sequence + 1)
        return positions

    @staticmethod
    def placement(status_list: StatusList) -> Callable[[int], int]:
        """Where the list puts claim ``n``: shuffled by its key, or at ``n`` on an older list."""
        if status_list.shuffle_key is None:
            return int
        return IndexShuffle(bytes.fromhex(status_list.shuffle_key), status_list.size)

    def _open_list(self, issuer: Issuer, purpose: str, sequence: int) -> None:
        """Create list number ``sequence``; if a concurrent request created it first, fine."""
        try:
            self.repo.add(
                StatusList(
                    uid=secrets.token_hex(12),
                    issuer_id=issuer.id,
                    purpose=purpose,
                    sequence=sequence,
                    size=MIN_BITSTRING_LENGTH,
                    next_index=0,
                    shuffle_key=secrets.token_hex(32),
                )
            )
            self.session.commit()
        except IntegrityError:
            self.session.rollback()

    def revocation_list_url(self, issuer: Issuer) -> str:
        return f"{self.settings.public_base_url}/issuers/{issuer.slug}/revocations"

    def entry(self, issuer: Issuer, position: StatusPosition) -> dict[str, Any]:
        """The ``credentialStatus`` of a new credential of ``issuer``, by its status method."""
        if issuer.status_method == REVOCATION_LIST_1EDTECH:
            return revocation_list_entry(self.revocation_list_url(issuer))
        return bitstring_status_entry(
            self.list_url(position.status_list), position.index, position.status_list.purpose
        )

    def revocation_list(self, issuer: Issuer) -> dict[str, Any]:
        """The issuer's 1EdTech revocation list as it is served: its revoked and superseded
        credentials, and the endorsements it signed here and withdrew."""
        base = f"{self.settings.public_base_url}/credentials/"
        awards = [base + token for token in AwardRepository(self.session).revoked_tokens(issuer.id)]
        endorsements = EndorsementRepository(self.session).withdrawn_issued_ids(issuer.id)
        return revocation_list_document(
            self.revocation_list_url(issuer),
            IssuerIdentity(self.session, self.settings).did(issuer),
            ((credential_id, None) for credential_id in [*awards, *endorsements]),
        )

    def mark_changed(self, list_id: int) -> None:
        self.repo.touch(list_id, datetime.now(UTC))

    def get(self, uid: str) -> StatusList:
        found = self.repo.by_uid(uid)
        if found is None:
            raise NotFound(f"there is no status list {uid!r}")
        return found

    def current(
        self, status_list: StatusList, signer: CredentialSigner, cache: dict[int, Any]
    ) -> SignedStatusList:
        """The signed list, re-signed only when it changed since ``cache`` last saw it."""
        signed: SignedStatusList | None = cache.get(status_list.id)
        if signed is None or signed.last_modified != status_list.changed_at:
            signed = self.signed(status_list, signer)
            cache[status_list.id] = signed
        return signed

    def document_for_url(
        self, url: str, signer: CredentialSigner, cache: dict[int, Any]
    ) -> dict[str, Any] | None:
        """The status document this service publishes at ``url``, if it is one of ours: a signed
        Bitstring list credential or an issuer's 1EdTech revocation list."""
        base = self.settings.public_base_url
        if url.startswith(f"{base}/issuers/") and url.endswith("/revocations"):
            slug = url.removeprefix(f"{base}/issuers/").removesuffix("/revocations")
            issuer = IssuerRepository(self.session).by_slug(slug)
            return None if issuer is None else self.revocation_list(issuer)
        prefix = f"{base}/status-lists/"
        if not url.startswith(prefix):
            return None
        found = self.repo.by_uid(url.removeprefix(prefix))
        if found is None:
            return None
        document: dict[str, Any] = json.loads(self.current(found, signer, cache).body)
        return document

    def signed(self, status_list: StatusList, signer: CredentialSigner) -> SignedStatusList:
        """The list as a BitstringStatusListCredential signed by its issuer, as served."""
        issuer = IssuerRepository(self.session).by_id(status_list.issuer_id)
        assert issuer is not None
        bits = Bitstring(status_list.size)
        for index in self.repo.set_positions(status_list.id):
            bits.set(index)
        credential = bitstring_status_list_credential(
            self.list_url(status_list),
            IssuerIdentity(self.session, self.settings).did(issuer),
            status_list.purpose,
            bits,
            valid_from=status_list.changed_at,
        )
        signed = signer.sign(issuer, credential, built_here=True)
        body = json.dumps(signed, separators=(",", ":")).encode()
        return SignedStatusList(
            body=body,
            etag=etag_of(body),
            last_modified=status_list.changed_at,
        )
