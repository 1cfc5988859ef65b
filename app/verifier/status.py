"""The status check: read the credential's bit in its issuer's signed Bitstring Status List,
or look for its id in the issuer's 1EdTech revocation list.

A Bitstring list is trusted only when its own proof verifies with a key of the credential's
issuer; a 1EdTech list carries no proof and is trusted for being the issuer's (its ``issuer``
and the place it was fetched from). A list that cannot be had, or fails a check, makes the
status ``unknown`` with the reason: never a guessed "valid" and never a forged "revoked".
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.credentials.eddsa_rdfc_2022 import verify as verify_data_integrity
from app.credentials.errors import CredentialError
from app.credentials.ob3 import issuer_id
from app.credentials.status_list import (
    ENTRY_TYPE,
    REVOCATION_LIST_TYPE,
    is_revoked_in,
    read_status,
)
from app.verifier.fetching import DocumentUnavailable
from app.verifier.limits import MAX_STATUS_ENTRIES, too_many_proofs
from app.verifier.report import Outcome, VerificationReport

StatusListSource = Callable[[str], Mapping[str, Any] | None]
"""A list's URL to its document: None, or :class:`DocumentUnavailable`, when it cannot be had."""
KeyLookup = Callable[[str], Ed25519PublicKey]
SameIssuer = Callable[[str | None, str | None], bool]
"""Whether two issuer ids name the same issuer: equal, or (for this service's own issuers on a
did:key instance) the did:keys of one issuer before and after a key rotation."""


def identical(first: str | None, second: str | None) -> bool:
    return first == second


_SET_MEANS = {"revocation": ("revoked", "revoked"), "suspension": ("suspended", "suspended")}


def check_status(
    report: VerificationReport,
    credential: Mapping[str, Any],
    *,
    lists: StatusListSource | None,
    list_key: KeyLookup,
    now: datetime,
    same_issuer: SameIssuer = identical,
) -> None:
    status = credential.get("credentialStatus")
    if not status:
        return
    entries = status if isinstance(status, list) else [status]
    if len(entries) > MAX_STATUS_ENTRIES:
        report.add(
            "status",
            Outcome.UNKNOWN,
            f"the credential names {len(entries)} status entries; at most "
            f"{MAX_STATUS_ENTRIES} are read, so none was",
            "too_many_status_entries",
        )
        return
    for entry in entries:
        _check_entry(report, credential, entry, lists, list_key, now, same_issuer)


def _check_entry(
    report: VerificationReport,
    credential: Mapping[str, Any],
    entry: Any,
    lists: StatusListSource | None,
    list_key: KeyLookup,
    now: datetime,
    same_issuer: SameIssuer,
) -> None:
    types = entry.get("type") if isinstance(entry, Mapping) else None
    if types == REVOCATION_LIST_TYPE and isinstance(entry, Mapping):
        _check_revocation_list(report, credential, entry, lists, same_issuer)
        return
    if types != ENTRY_TYPE and not (isinstance(types, list) and ENTRY_TYPE in types):
        report.add(
            "status",
            Outcome.WARNING,
            f"the status method {types!r} is not one this verifier reads",
            "status_method_unsupported",
        )
        return
    assert isinstance(entry, Mapping)
    document = _issuers_list(
        report, credential, entry.get("statusListCredential"), lists, "status list", same_issuer
    )
    if document is None:
        return
    failure = _list_proof_failure(document, credential, list_key, now)
    if failure is not None:
        report.add(
            "status",
            Outcome.UNKNOWN,
            f"the status list's proof failed: {failure}",
            "status_list_unverified",
        )
        return
    try:
        result = read_status(entry, document, now=now)
    except CredentialError as error:
        report.add("status", Outcome.UNKNOWN, error.message, error.code)
        return
    if result.set and result.purpose not in _SET_MEANS:
        report.add(
            "status",
            Outcome.WARNING,
            f"the issuer has set this credential's {result.purpose} status (for refresh: a "
            "newer version is available); it does not make the credential invalid",
            "status_set",
        )
    elif result.set:
        word, code = _SET_MEANS[result.purpose]
        report.add("status", Outcome.FAILED, f"the issuer has {word} this credential", code)
    else:
        report.add("status", Outcome.PASSED, f"not {_SET_MEANS.get(result.purpose, ('set',))[0]}")


class _VerifiedLists:
    """Digests of status list documents whose proof verified, with the issuer it verified for.

    A popular list is fetched for every credential that points into it; its signature only
    needs checking once per content. The digest covers the whole document, proof included,
    so any change to the list is verified afresh.
    """

    def __init__(self, max_entries: int = 1024) -> None:
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()

    def __contains__(self, key: tuple[str, str]) -> bool:
        with self._lock:
            return key in self._seen

    def add(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._seen[key] = None
            while len(self._seen) > self._max:
                self._seen.popitem(last=False)


_verified_lists = _VerifiedLists()


def _list_proof_failure(
    document: Mapping[str, Any],
    credential: Mapping[str, Any],
    list_key: KeyLookup,
    now: datetime,
) -> str | None:
    """Why the list's own proof fails, or None when it verifies (now or before)."""
    try:
        text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return "the status list is not plain JSON"
    key = (
        hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        str(issuer_id(credential)),
    )
    if key in _verified_lists:
        return None
    refusal = too_many_proofs(document)
    if refusal is not None:
        return refusal
    proof = verify_data_integrity(document, resolve_key=list_key, now=now)
    if not proof.verified:
        return proof.message
    _verified_lists.add(key)
    return None


def _issuers_list(
    report: VerificationReport,
    credential: Mapping[str, Any],
    url: object,
    lists: StatusListSource | None,
    kind: str,
    same_issuer: SameIssuer,
) -> Mapping[str, Any] | None:
    """The list at ``url`` if it can be had and is the credential issuer's; otherwise None,
    with the ``unknown`` status and its reason in the report."""
    try:
        document = lists(url) if lists is not None and isinstance(url, str) else None
    except DocumentUnavailable as error:
        report.add(
            "status",
            Outcome.UNKNOWN,
            f"the {kind} could not be fetched: {error.message}",
            "status_unavailable",
        )
        return None
    if document is None:
        report.add(
            "status",
            Outcome.UNKNOWN,
            f"the {kind} {url!r} could not be fetched",
            "status_unavailable",
        )
        return None
    if not same_issuer(issuer_id(document), issuer_id(credential)):
        report.add(
            "status",
            Outcome.UNKNOWN,
            f"the {kind} is not the credential issuer's",
            "status_list_foreign",
        )
        return None
    return document


def _check_revocation_list(
    report: VerificationReport,
    credential: Mapping[str, Any],
    entry: Mapping[str, Any],
    lists: StatusListSource | None,
    same_issuer: SameIssuer,
) -> None:
    url = entry.get("id")
    document = _issuers_list(report, credential, url, lists, "revocation list", same_issuer)
    if document is None:
        return
    credential_id = credential.get("id")
    if not isinstance(credential_id, str):
        report.add(
            "status",
            Outcome.UNKNOWN,
            "the credential has no id to look up in its revocation list",
            "status_entry_malformed",
        )
        return
    try:
        revoked = is_revoked_in(document, credential_id, list_url=str(url))
    except CredentialError as error:
        report.add("status", Outcome.UNKNOWN, error.message, error.code)
        return
    if revoked:
        report.add("status", Outcome.FAILED, "the issuer has revoked this credential", "revoked")
    else:
        report.add("status", Outcome.PASSED, "not revoked")
