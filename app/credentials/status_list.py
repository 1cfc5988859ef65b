"""Credential status: W3C Bitstring Status List v1.0, and the older 1EdTech Revocation List.

Sources
-------
[BSL]
    W3C "Bitstring Status List v1.0" (Candidate Recommendation, 9 May 2024;
    w3c/vc-bitstring-status-list ``index.html``). What this module relies on:

    - ``encodedList`` "MUST be a Multibase-encoded base64url (with no padding) [RFC4648]
      representation of the GZIP-compressed [RFC1952] bitstring"; "The uncompressed bitstring
      MUST be at least 16KB in size"; "the first index, with a value of zero (0), is located at
      the left-most bit in the bitstring" (section "Bitstring Encoding": the left-most bit of
      the first byte, so index 0 is that byte's most significant bit).
    - "This specification uses a minimum list length of 131,072" (group privacy).
    - BitstringStatusListEntry: ``type`` "MUST be BitstringStatusListEntry"; ``statusPurpose``
      "MUST be a string" (``revocation``, ``suspension``, ``message``); ``statusListIndex``
      "MUST be an arbitrary size integer greater than or equal to 0, expressed as a string in
      base 10"; ``statusListCredential`` "MUST be a URL"; ``id``, if present, "MUST NOT be the
      URL for the status list"; ``statusSize`` "If not present ... MUST be processed as 1".
      "Conforming processors MAY choose to only support bitstring entry sizes of 1": so does
      this module.
    - BitstringStatusListCredential: ``type`` includes ``BitstringStatusListCredential``;
      ``credentialSubject.type`` "MUST be BitstringStatusList"; its ``statusPurpose`` "MUST be
      one or more strings"; ``validFrom`` and ``validUntil`` bound when the list is valid.
    - Validate algorithm: the entry's purpose must equal one of the list's
      (STATUS_VERIFICATION_ERROR); a list shorter than the minimum is a
      STATUS_LIST_LENGTH_ERROR; an index outside the bitstring is a RANGE_ERROR.
[VCRL]
    1EdTech Revocation List Status Method 1.0 (https://www.imsglobal.org/spec/vcrl/v1p0/), the
    ``credentialStatus`` type ``1EdTechRevocationList`` of Open Badges 3.0 before it moved to
    Bitstring Status List. The entry is ``{"id": <URL of the list>, "type":
    "1EdTechRevocationList"}``; dereferencing the URL gives a JSON object with ``id``,
    ``issuer`` and ``revokedCredentials``, whose items carry the revoked credential's ``id``,
    optionally ``revoked`` and ``revocationReason``. "If the credential's id is in the list of
    revokedCredentials and the value of revoked is true or omitted, the issuer has revoked the
    credential" (as quoted by 1EdTech's own validator). The list is not a credential and has no
    ``@context``.

Reading untrusted lists
-----------------------
An ``encodedList`` of a few hundred bytes can inflate to gigabytes, so it is inflated with a
bound on its output (``max_decompressed_bytes``), never with ``gzip.decompress``. Exactly one
gzip member is read; trailing bytes are refused. :func:`read_status` checks everything a verifier
must check about an entry and its list except the list credential's proof, which the caller
verifies before trusting the answer.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.credentials.base64url import decode_base64url, encode_base64url
from app.credentials.context_urls import VC2_CONTEXT
from app.credentials.data_integrity import parse_date_time_stamp
from app.credentials.errors import CredentialError, StatusListError
from app.credentials.ob3 import xsd_datetime

__all__ = [
    "DEFAULT_MAX_DECOMPRESSED_BYTES",
    "MIN_BITSTRING_LENGTH",
    "Bitstring",
    "StatusCode",
    "StatusPurpose",
    "StatusResult",
    "bitstring_status_entry",
    "bitstring_status_list_credential",
    "decode_encoded_list",
    "is_revoked_in",
    "read_status",
    "revocation_list_document",
    "revocation_list_entry",
]

MIN_BITSTRING_LENGTH = 131_072
"""[BSL] minimum list length, in bits (16 KiB uncompressed)."""
DEFAULT_MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024
"""Largest inflated list read (16 MiB, 134,217,728 entries); larger ones are refused."""

ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_SUBJECT_TYPE = "BitstringStatusList"
REVOCATION_LIST_TYPE = "1EdTechRevocationList"
MULTIBASE_BASE64URL_PREFIX = "u"

_MIN_BYTES = MIN_BITSTRING_LENGTH // 8
_DECIMAL = re.compile(r"[0-9]+")
_MAX_INDEX_DIGITS = 30
"""Longer indexes are past the end of any list we read, and cost quadratic time to convert."""


class StatusPurpose(StrEnum):
    """The [BSL] status purposes with a defined meaning; lists are read with any string."""

    REVOCATION = "revocation"
    SUSPENSION = "suspension"
    MESSAGE = "message"


class StatusCode(StrEnum):
    """Why a status entry or list was refused: the stable ``code`` of its StatusListError."""

    ENTRY_MALFORMED = "status_entry_malformed"
    SIZE_UNSUPPORTED = "status_size_unsupported"
    INDEX_INVALID = "status_index_invalid"
    INDEX_OUT_OF_RANGE = "status_index_out_of_range"
    LIST_MALFORMED = "status_list_malformed"
    LIST_MISMATCH = "status_list_mismatch"
    PURPOSE_MISMATCH = "status_purpose_mismatch"
    ENCODING_INVALID = "status_list_encoding_invalid"
    LIST_TOO_LARGE = "status_list_too_large"
    LIST_TOO_SHORT = "status_list_too_short"
    LIST_NOT_YET_VALID = "status_list_not_yet_valid"
    LIST_EXPIRED = "status_list_expired"
    REVOCATION_LIST_MALFORMED = "revocation_list_malformed"
    REVOCATION_LIST_MISMATCH = "revocation_list_mismatch"


def _refuse(code: StatusCode, message: str, path: str | None = None) -> StatusListError:
    return StatusListError(code.value, message, path)


class Bitstring:
    """A status list of single-bit entries; index 0 is the most significant bit of byte 0."""

    __slots__ = ("_bytes",)

    def __init__(self, length: int = MIN_BITSTRING_LENGTH) -> None:
        if isinstance(length, bool) or not isinstance(length, int):
            raise TypeError("a bitstring length is an int")
        if length < MIN_BITSTRING_LENGTH or length % 8:
            raise ValueError(
                f"a bitstring holds a whole number of bytes and at least {MIN_BITSTRING_LENGTH}"
                f" bits, not {length}"
            )
        self._bytes = bytearray(length // 8)

    @classmethod
    def from_bytes(cls, data: bytes) -> Bitstring:
        """The bitstring whose uncompressed bytes are ``data`` (at least 16 KiB)."""
        bitstring = cls(len(data) * 8)
        bitstring._bytes[:] = data
        return bitstring

    def __len__(self) -> int:
        return len(self._bytes) * 8

    def get(self, index: int) -> bool:
        byte, mask = self._locate(index)
        return bool(self._bytes[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        byte, mask = self._locate(index)
        if value:
            self._bytes[byte] |= mask
        else:
            self._bytes[byte] &= ~mask & 0xFF

    def clear(self, index: int) -> None:
        self.set(index, False)

    def to_bytes(self) -> bytes:
        """The uncompressed bitstring."""
        return bytes(self._bytes)

    def encode(self) -> str:
        """The ``encodedList``: multibase base64url (``u``, no padding) of the gzipped bytes.

        The gzip header carries no timestamp, so equal bitstrings encode to equal text.
        """
        compressed = gzip.compress(bytes(self._bytes), compresslevel=9, mtime=0)
        return MULTIBASE_BASE64URL_PREFIX + encode_base64url(compressed)

    def _locate(self, index: int) -> tuple[int, int]:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError("a status list index is an int")
        if not 0 <= index < len(self):
            raise IndexError(f"index {index} is outside a bitstring of {len(self)} bits")
        return index // 8, 0x80 >> (index % 8)


def decode_encoded_list(
    text: object, *, max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED_BYTES
) -> Bitstring:
    """The bitstring of an ``encodedList``, or a StatusListError.

    Refuses text that is not multibase base64url, data that is not one whole gzip member, a
    list that inflates past ``max_decompressed_bytes`` (without inflating the rest) and a list
    shorter than :data:`MIN_BITSTRING_LENGTH` bits.
    """
    return _decode(text, max_decompressed_bytes, None)


def _decode(text: object, max_bytes: int, path: str | None) -> Bitstring:
    if not isinstance(text, str) or not text.startswith(MULTIBASE_BASE64URL_PREFIX):
        raise _refuse(
            StatusCode.ENCODING_INVALID,
            "the encodedList must be multibase base64url text, which starts with 'u'",
            path,
        )
    try:
        compressed = decode_base64url(text[len(MULTIBASE_BASE64URL_PREFIX) :])
    except ValueError as invalid:
        raise _refuse(
            StatusCode.ENCODING_INVALID, f"the encodedList is not base64url: {invalid}", path
        ) from None
    data = _gunzip(compressed, max_bytes, path)
    if len(data) < _MIN_BYTES:
        raise _refuse(
            StatusCode.LIST_TOO_SHORT,
            f"the status list holds {len(data) * 8} bits; at least {MIN_BITSTRING_LENGTH}"
            " are needed for group privacy",
            path,
        )
    return Bitstring.from_bytes(data)


def _gunzip(compressed: bytes, max_bytes: int, path: str | None) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(compressed, max_bytes + 1)
    except zlib.error as invalid:
        raise _refuse(
            StatusCode.ENCODING_INVALID, f"the encodedList is not valid gzip: {invalid}", path
        ) from None
    if len(data) > max_bytes:
        raise _refuse(
            StatusCode.LIST_TOO_LARGE,
            f"the status list inflates to more than {max_bytes} bytes",
            path,
        )
    if not inflater.eof:
        raise _refuse(StatusCode.ENCODING_INVALID, "the encodedList gzip data is truncated", path)
    if inflater.unused_data:
        raise _refuse(
            StatusCode.ENCODING_INVALID,
            "the encodedList has bytes after its gzip member",
            path,
        )
    return data


def bitstring_status_list_credential(
    list_url: str,
    issuer: str | Mapping[str, Any],
    purpose: str,
    bits: Bitstring,
    *,
    valid_from: datetime,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """An unsigned BitstringStatusListCredential published at ``list_url``.

    ``purpose`` is ``revocation`` or ``suspension`` (a :class:`StatusPurpose` or its value).
    """
    _check_list_url(list_url)
    issued_purpose = _issued_purpose(purpose)
    if valid_until is not None and valid_until <= valid_from:
        raise ValueError("a status list's validUntil must be later than its validFrom")
    credential: dict[str, Any] = {
        "@context": [VC2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer if isinstance(issuer, str) else dict(issuer),
        "validFrom": xsd_datetime(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": LIST_SUBJECT_TYPE,
            "statusPurpose": issued_purpose.value,
            "encodedList": bits.encode(),
        },
    }
    if valid_until is not None:
        credential["validUntil"] = xsd_datetime(valid_until)
    return credential


def bitstring_status_entry(list_url: str, index: int, purpose: str) -> dict[str, Any]:
    """The ``credentialStatus`` entry pointing at bit ``index`` of the list at ``list_url``."""
    _check_list_url(list_url)
    issued_purpose = _issued_purpose(purpose)
    if isinstance(index, bool) or not isinstance(index, int):
        raise TypeError("a status list index is an int")
    if index < 0:
        raise ValueError(f"a status list index is not negative, not {index}")
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": issued_purpose.value,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def _check_list_url(list_url: str) -> None:
    if not isinstance(list_url, str) or not re.fullmatch(r"https?://[^\s#]+", list_url):
        raise ValueError(f"a status list URL is an http(s) URL without a fragment: {list_url!r}")


def _issued_purpose(purpose: str) -> StatusPurpose:
    if purpose not in (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION):
        raise ValueError(
            f"this module issues revocation and suspension lists, not {purpose!r}"
            " (message lists need statusSize and statusMessage)"
        )
    return StatusPurpose(purpose)


@dataclass(frozen=True, slots=True)
class StatusResult:
    """The status bit an entry names. What a set bit means depends on ``purpose``: for
    ``revocation`` the credential is revoked, for ``suspension`` it is suspended."""

    purpose: str
    index: int
    set: bool


def read_status(
    entry: Mapping[str, Any],
    list_credential: Mapping[str, Any],
    *,
    now: datetime,
    max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED_BYTES,
) -> StatusResult:
    """The bit a BitstringStatusListEntry names in its list credential, or a StatusListError.

    ``list_credential`` is the credential dereferenced from the entry's
    ``statusListCredential``, whose proof the caller has verified; ``now`` is checked against
    its ``validFrom`` and ``validUntil``.
    """
    purpose, index, list_url = _read_entry(entry)
    subject = _read_list_credential(list_credential, list_url, now)
    list_purposes = _purposes_of(subject)
    if purpose not in list_purposes:
        raise _refuse(
            StatusCode.PURPOSE_MISMATCH,
            f"the entry's statusPurpose {purpose!r} is not one of the list's {list_purposes}",
            "$.statusPurpose",
        )
    bits = _decode(
        subject.get("encodedList"), max_decompressed_bytes, "$.credentialSubject.encodedList"
    )
    if index >= len(bits):
        raise _refuse(
            StatusCode.INDEX_OUT_OF_RANGE,
            f"statusListIndex {index} is outside the list's {len(bits)} entries",
            "$.statusListIndex",
        )
    return StatusResult(purpose=purpose, index=index, set=bits.get(index))


def _read_entry(entry: Mapping[str, Any]) -> tuple[str, int, str]:
    if not isinstance(entry, Mapping):
        raise _refuse(StatusCode.ENTRY_MALFORMED, "a status entry is a JSON object")
    if ENTRY_TYPE not in _types(entry.get("type")):
        raise _refuse(
            StatusCode.ENTRY_MALFORMED, f"the status entry's type is not {ENTRY_TYPE}", "$.type"
        )
    purpose = entry.get("statusPurpose")
    if not isinstance(purpose, str) or not purpose:
        raise _refuse(
            StatusCode.ENTRY_MALFORMED,
            "the status entry's statusPurpose must be a string",
            "$.statusPurpose",
        )
    list_url = entry.get("statusListCredential")
    if not isinstance(list_url, str) or not list_url:
        raise _refuse(
            StatusCode.ENTRY_MALFORMED,
            "the status entry's statusListCredential must be a URL",
            "$.statusListCredential",
        )
    if entry.get("id") == list_url:
        raise _refuse(
            StatusCode.ENTRY_MALFORMED,
            "the status entry's id must not be the URL of the status list",
            "$.id",
        )
    if "statusSize" in entry:
        size = entry["statusSize"]
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise _refuse(
                StatusCode.ENTRY_MALFORMED,
                "statusSize must be an integer greater than zero",
                "$.statusSize",
            )
        if size != 1:
            raise _refuse(
                StatusCode.SIZE_UNSUPPORTED,
                f"only single-bit entries are supported, not statusSize {size}",
                "$.statusSize",
            )
    return purpose, _parse_index(entry.get("statusListIndex")), list_url


def _parse_index(value: object) -> int:
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
        raise _refuse(
            StatusCode.INDEX_INVALID,
            f"statusListIndex must be a base-10 integer written as a string, not {value!r}",
            "$.statusListIndex",
        )
    digits = value.lstrip("0") or "0"
    if len(digits) > _MAX_INDEX_DIGITS:
        raise _refuse(
            StatusCode.INDEX_OUT_OF_RANGE,
            "statusListIndex is past the end of any list read",
            "$.statusListIndex",
        )
    return int(digits)


def _read_list_credential(
    credential: Mapping[str, Any], list_url: str, now: datetime
) -> Mapping[str, Any]:
    if not isinstance(credential, Mapping):
        raise _refuse(StatusCode.LIST_MALFORMED, "a status list credential is a JSON object")
    types = _types(credential.get("type"))
    if not {"VerifiableCredential", LIST_CREDENTIAL_TYPE} <= types:
        raise _refuse(
            StatusCode.LIST_MALFORMED,
            f"the status list credential's type must include VerifiableCredential and"
            f" {LIST_CREDENTIAL_TYPE}",
            "$.type",
        )
    if credential.get("id") != list_url:
        raise _refuse(
            StatusCode.LIST_MISMATCH,
            f"the status list credential's id {credential.get('id')!r} is not the entry's"
            f" statusListCredential {list_url!r}",
            "$.id",
        )
    _check_validity_period(credential, now)
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        raise _refuse(
            StatusCode.LIST_MALFORMED,
            "the status list credential's credentialSubject must be one JSON object",
            "$.credentialSubject",
        )
    if LIST_SUBJECT_TYPE not in _types(subject.get("type")):
        raise _refuse(
            StatusCode.LIST_MALFORMED,
            f"the status list's type must be {LIST_SUBJECT_TYPE}",
            "$.credentialSubject.type",
        )
    return subject


def _check_validity_period(credential: Mapping[str, Any], now: datetime) -> None:
    for field in ("validFrom", "validUntil"):
        if field not in credential:
            continue
        try:
            moment = parse_date_time_stamp(credential[field], field)
        except CredentialError as invalid:
            raise _refuse(StatusCode.LIST_MALFORMED, invalid.message, f"$.{field}") from None
        if field == "validFrom" and now < moment:
            raise _refuse(
                StatusCode.LIST_NOT_YET_VALID,
                f"the status list is valid only from {credential[field]}",
                "$.validFrom",
            )
        if field == "validUntil" and now > moment:
            raise _refuse(
                StatusCode.LIST_EXPIRED,
                f"the status list expired at {credential[field]}",
                "$.validUntil",
            )


def _purposes_of(subject: Mapping[str, Any]) -> tuple[str, ...]:
    value = subject.get("statusPurpose")
    purposes = value if isinstance(value, list) else [value]
    if not purposes or not all(isinstance(item, str) and item for item in purposes):
        raise _refuse(
            StatusCode.LIST_MALFORMED,
            "the status list's statusPurpose must be one or more strings",
            "$.credentialSubject.statusPurpose",
        )
    return tuple(purposes)


def _types(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


def revocation_list_entry(list_url: str) -> dict[str, Any]:
    """The ``credentialStatus`` entry of the 1EdTech Revocation List Status Method [VCRL]."""
    _check_list_url(list_url)
    return {"id": list_url, "type": REVOCATION_LIST_TYPE}


def revocation_list_document(
    list_url: str, issuer_id: str, revoked: Iterable[tuple[str, str | None]]
) -> dict[str, Any]:
    """The [VCRL] list served at ``list_url``: ``revoked`` holds (credential id, reason or None).

    Every item says ``"revoked": true``: [VCRL] readers treat an omitted value as true too, but
    the explicit form leaves no reader to guess.
    """
    _check_list_url(list_url)
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for credential_id, reason in revoked:
        if not isinstance(credential_id, str) or not credential_id:
            raise ValueError("a revoked credential is named by its id, a non-empty string")
        if credential_id in seen:
            raise ValueError(f"credential {credential_id!r} is listed twice")
        seen.add(credential_id)
        item: dict[str, Any] = {"id": credential_id, "revoked": True}
        if reason is not None:
            item["revocationReason"] = reason
        items.append(item)
    return {"id": list_url, "issuer": issuer_id, "revokedCredentials": items}


def is_revoked_in(
    list_document: Mapping[str, Any], credential_id: str, *, list_url: str | None = None
) -> bool:
    """Whether a [VCRL] list revokes ``credential_id``; a malformed list is a StatusListError.

    With ``list_url`` (the entry's ``id``, where the list was fetched), the list's own ``id``
    must be that URL.
    """
    if not isinstance(list_document, Mapping):
        raise _refuse(StatusCode.REVOCATION_LIST_MALFORMED, "a revocation list is a JSON object")
    if list_url is not None and list_document.get("id") != list_url:
        raise _refuse(
            StatusCode.REVOCATION_LIST_MISMATCH,
            f"the revocation list's id {list_document.get('id')!r} is not {list_url!r}",
            "$.id",
        )
    items = list_document.get("revokedCredentials")
    if not isinstance(items, list):
        raise _refuse(
            StatusCode.REVOCATION_LIST_MALFORMED,
            "revokedCredentials must be an array",
            "$.revokedCredentials",
        )
    revoked = False
    for position, item in enumerate(items):
        path = f"$.revokedCredentials[{position}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            raise _refuse(
                StatusCode.REVOCATION_LIST_MALFORMED,
                "each revoked credential is an object with a string id",
                path,
            )
        flag = item.get("revoked", True)
        if not isinstance(flag, bool):
            raise _refuse(
                StatusCode.REVOCATION_LIST_MALFORMED,
                f"revoked must be true or false, not {flag!r}",
                f"{path}.revoked",
            )
        if item["id"] == credential_id and flag:
            revoked = True
    return revoked
