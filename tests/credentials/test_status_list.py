from __future__ import annotations

import base64
import copy
import gzip
import tracemalloc
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest

from app.credentials.base64url import encode_base64url
from app.credentials.document_loader import default_document_loader
from app.credentials.errors import CredentialError, StatusListError
from app.credentials.jsonld import expand_strict
from app.credentials.ob3 import LearnerIdentity, build_open_badge_credential
from app.credentials.status_list import (
    DEFAULT_MAX_DECOMPRESSED_BYTES,
    MIN_BITSTRING_LENGTH,
    Bitstring,
    StatusCode,
    StatusPurpose,
    StatusResult,
    bitstring_status_entry,
    bitstring_status_list_credential,
    decode_encoded_list,
    is_revoked_in,
    read_status,
    revocation_list_document,
    revocation_list_entry,
)

pytestmark = pytest.mark.usefixtures("no_network")

LIST_URL = "https://badges.example.org/status-lists/3"
ISSUER_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
VALID_FROM = datetime(2026, 5, 1, tzinfo=UTC)
NOW = datetime(2026, 6, 1, tzinfo=UTC)
STATUS = "https://www.w3.org/ns/credentials/status#"
MIN_BYTES = MIN_BITSTRING_LENGTH // 8

W3C_EXAMPLE_ENCODED_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
"""W3C Bitstring Status List v1.0 (CR 2024-05-09), "Example BitstringStatusListCredential"."""

ONEEDTECH_VALIDATOR_TEST_LIST: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "https://example.com/credentials/status/3",
    "type": ["VerifiableCredential", "BitstringStatusListCredential"],
    "issuer": "https://1edtech.edu/issuers/565049",
    "validFrom": "2021-04-05T14:27:40Z",
    "credentialSubject": {
        "id": "https://example.com/status/3#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": "uH4sIAAAAAAAA_-3BMQEAAAzDoMy_6cnoA9QFAAAAAAAAAAAAAAAAAAAAbD3uPa2cAEAAAA",
    },
}
"""1EdTech/digital-credentials-public-validator, inspector-vc/src/test/resources/ob30/
bit-string-list/testlist (proof left off). Its OB30Tests.testBitstringStatusListRevoked expects
the credential whose entry names index 23 of this list to be revoked."""


def gzip_text(data: bytes) -> str:
    return "u" + encode_base64url(gzip.compress(data, mtime=0))


def inflate(encoded_list: str) -> bytes:
    """The reference reading, by the standard library, for trusted test data only."""
    body = encoded_list[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def refusal(code: StatusCode, call: Any, *args: Any, **kwargs: Any) -> StatusListError:
    with pytest.raises(StatusListError) as refused:
        call(*args, **kwargs)
    assert refused.value.code == code.value
    return refused.value


def list_credential(
    set_indexes: tuple[int, ...] = (),
    purpose: str = "revocation",
    length: int = MIN_BITSTRING_LENGTH,
) -> dict[str, Any]:
    bits = Bitstring(length)
    for index in set_indexes:
        bits.set(index)
    return bitstring_status_list_credential(
        LIST_URL, ISSUER_DID, purpose, bits, valid_from=VALID_FROM
    )


def entry(index: int = 5, purpose: str = "revocation") -> dict[str, Any]:
    return bitstring_status_entry(LIST_URL, index, purpose)


# Bitstring


def test_default_length_is_the_minimum():
    assert len(Bitstring()) == MIN_BITSTRING_LENGTH == 131_072


@pytest.mark.parametrize("index", [0, 1, 7, 8, 94_567, MIN_BITSTRING_LENGTH - 1])
def test_set_bit_reads_back_set(index):
    bits = Bitstring()
    bits.set(index)
    assert bits.get(index)
    assert [i for i in (index - 1, index + 1) if 0 <= i < len(bits) and bits.get(i)] == []


def test_clear_unsets_a_bit():
    bits = Bitstring()
    bits.set(42)
    bits.clear(42)
    assert not bits.get(42)


def test_index_zero_is_the_most_significant_bit_of_the_first_byte():
    bits = Bitstring()
    bits.set(0)
    raw = inflate(bits.encode())
    assert raw[0] == 0b1000_0000
    assert raw[1:] == bytes(MIN_BYTES - 1)


def test_index_nine_is_the_second_bit_of_the_second_byte():
    bits = Bitstring()
    bits.set(9)
    assert inflate(bits.encode())[:2] == bytes([0, 0b0100_0000])


def test_last_index_is_the_least_significant_bit_of_the_last_byte():
    bits = Bitstring()
    bits.set(MIN_BITSTRING_LENGTH - 1)
    assert inflate(bits.encode())[-1] == 0b0000_0001


def test_encoded_list_is_multibase_base64url_without_padding():
    encoded = Bitstring().encode()
    assert encoded.startswith("u")
    assert not set(encoded[1:]) - set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )


def test_encoding_is_byte_stable():
    first, second = Bitstring(), Bitstring()
    for bits in (first, second):
        bits.set(3)
        bits.set(70_000)
    assert first.encode() == second.encode()


def test_gzip_header_carries_no_timestamp():
    body = Bitstring().encode()[1:]
    header = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))[:10]
    assert header[4:8] == bytes(4)


def test_fresh_minimum_list_decodes_to_all_zeros():
    assert decode_encoded_list(Bitstring().encode()).to_bytes() == bytes(MIN_BYTES)


def test_round_trips_through_the_encoded_list():
    bits = Bitstring(2 * MIN_BITSTRING_LENGTH)
    for index in (0, 5, 131_071, 131_072, 262_143):
        bits.set(index)
    assert decode_encoded_list(bits.encode()).to_bytes() == bits.to_bytes()


@pytest.mark.parametrize("length", [0, 8, MIN_BITSTRING_LENGTH - 8, MIN_BITSTRING_LENGTH + 1])
def test_refuses_a_length_below_the_minimum_or_not_whole_bytes(length):
    with pytest.raises(ValueError, match="bitstring"):
        Bitstring(length)


@pytest.mark.parametrize("index", [-1, MIN_BITSTRING_LENGTH, 10**12])
def test_refuses_an_index_outside_the_bitstring(index):
    bits = Bitstring()
    with pytest.raises(IndexError):
        bits.get(index)
    with pytest.raises(IndexError):
        bits.set(index)


@pytest.mark.parametrize("index", [True, 1.0, "1"])
def test_refuses_an_index_that_is_not_an_int(index):
    with pytest.raises(TypeError):
        Bitstring().get(index)


# decoding untrusted lists


def encoded(data: bytes) -> str:
    return "u" + encode_base64url(data)


MIN_LIST_GZIP = gzip.compress(bytes(MIN_BYTES), mtime=0)

MALFORMED_LISTS: dict[str, tuple[object, str]] = {
    "not text": (None, "starts with 'u'"),
    "no multibase prefix": (encode_base64url(MIN_LIST_GZIP), "starts with 'u'"),
    "base58btc prefix": ("z" + encode_base64url(MIN_LIST_GZIP), "starts with 'u'"),
    "standard base64 characters": (
        "u" + base64.b64encode(MIN_LIST_GZIP).decode(),
        "not base64url",
    ),
    "padding": (encoded(MIN_LIST_GZIP[:-1]) + "=", "not base64url"),
    "not base64": ("u!!!!", "not base64url"),
    "impossible length": ("uA", "not base64url"),
    "zlib, not gzip": (encoded(zlib.compress(bytes(MIN_BYTES))), "not valid gzip"),
    "raw bytes, not gzip": (encoded(bytes(64)), "not valid gzip"),
    "empty": ("u", "truncated"),
    "truncated gzip": (encoded(MIN_LIST_GZIP[:-4]), "truncated"),
    "bad checksum": (
        encoded(MIN_LIST_GZIP[:-8] + bytes([MIN_LIST_GZIP[-8] ^ 0xFF]) + MIN_LIST_GZIP[-7:]),
        "not valid gzip",
    ),
    "bytes after the gzip member": (encoded(MIN_LIST_GZIP + bytes(3)), "after its gzip member"),
    "two gzip members": (
        encoded(2 * gzip.compress(bytes(MIN_BYTES // 2), mtime=0)),
        "after its gzip member",
    ),
}


@pytest.mark.parametrize(("text", "reason"), MALFORMED_LISTS.values(), ids=MALFORMED_LISTS.keys())
def test_refuses_a_malformed_encoded_list(text, reason):
    error = refusal(StatusCode.ENCODING_INVALID, decode_encoded_list, text)
    assert reason in error.message


@pytest.mark.parametrize("size", [0, 1, MIN_BYTES - 1])
def test_refuses_a_list_shorter_than_the_minimum(size):
    refusal(StatusCode.LIST_TOO_SHORT, decode_encoded_list, gzip_text(bytes(size)))


def test_refuses_a_list_larger_than_the_bound_asked_for():
    text = gzip_text(bytes(2 * MIN_BYTES))
    refusal(
        StatusCode.LIST_TOO_LARGE,
        decode_encoded_list,
        text,
        max_decompressed_bytes=2 * MIN_BYTES - 1,
    )


def test_accepts_a_list_exactly_at_the_bound():
    text = gzip_text(bytes(2 * MIN_BYTES))
    assert len(decode_encoded_list(text, max_decompressed_bytes=2 * MIN_BYTES)) == 2 * 131_072


def gzip_bomb(total_bytes: int) -> str:
    """The gzip of ``total_bytes`` zeros, built a mebibyte at a time."""
    deflater = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1024 * 1024)
    parts = [deflater.compress(chunk) for _ in range(total_bytes // len(chunk))]
    parts.append(deflater.flush())
    return "u" + encode_base64url(b"".join(parts))


def test_refuses_a_decompression_bomb_without_inflating_it():
    bomb = gzip_bomb(100 * 1024 * 1024)
    assert len(bomb) < 1_000_000
    tracemalloc.start()
    try:
        refusal(StatusCode.LIST_TOO_LARGE, decode_encoded_list, bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * DEFAULT_MAX_DECOMPRESSED_BYTES < 100 * 1024 * 1024


def test_refusals_are_credential_errors():
    error = refusal(StatusCode.ENCODING_INVALID, decode_encoded_list, "x")
    assert isinstance(error, CredentialError)


# published lists


def test_w3c_example_list_is_a_minimum_size_list():
    bits = decode_encoded_list(W3C_EXAMPLE_ENCODED_LIST)
    assert len(bits) == MIN_BITSTRING_LENGTH
    assert bits.to_bytes() == inflate(W3C_EXAMPLE_ENCODED_LIST)


def test_w3c_example_entry_reads_from_the_w3c_example_list():
    """The spec's "Example BitstringStatusListCredential" and the entry its examples point at
    it (index 94567); the list has no bit set."""
    w3c_list = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "https://example.com/credentials/status/3",
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:example:12345",
        "validFrom": "2021-04-05T14:27:40Z",
        "credentialSubject": {
            "id": "https://example.com/status/3#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": W3C_EXAMPLE_ENCODED_LIST,
        },
    }
    w3c_entry = {
        "id": "https://example.com/credentials/status/3#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": "https://example.com/credentials/status/3",
    }
    assert inflate(W3C_EXAMPLE_ENCODED_LIST) == bytes(MIN_BYTES)
    assert read_status(w3c_entry, w3c_list, now=NOW) == StatusResult("revocation", 94_567, False)


def test_1edtech_validator_list_has_index_23_set():
    encoded = ONEEDTECH_VALIDATOR_TEST_LIST["credentialSubject"]["encodedList"]
    bits = decode_encoded_list(encoded)
    assert [index for index in range(len(bits)) if bits.get(index)] == [23]


def test_1edtech_validator_revoked_entry_reads_as_set():
    revoked_entry = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "23",
        "statusListCredential": "https://example.com/credentials/status/3",
    }
    result = read_status(revoked_entry, ONEEDTECH_VALIDATOR_TEST_LIST, now=NOW)
    assert result == StatusResult("revocation", 23, True)


# building


def test_status_list_credential_has_the_specified_shape():
    credential = list_credential((5,))
    encoded = credential["credentialSubject"].pop("encodedList")
    assert credential == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": ISSUER_DID,
        "validFrom": "2026-05-01T00:00:00Z",
        "credentialSubject": {
            "id": LIST_URL + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
        },
    }
    assert decode_encoded_list(encoded).get(5)


def test_status_list_credential_writes_valid_until():
    bits = Bitstring()
    credential = bitstring_status_list_credential(
        LIST_URL,
        {"id": ISSUER_DID, "type": ["Profile"]},
        StatusPurpose.SUSPENSION,
        bits,
        valid_from=VALID_FROM,
        valid_until=datetime(2026, 5, 2, tzinfo=UTC),
    )
    assert credential["validUntil"] == "2026-05-02T00:00:00Z"
    assert credential["issuer"] == {"id": ISSUER_DID, "type": ["Profile"]}
    assert credential["credentialSubject"]["statusPurpose"] == "suspension"


def test_status_list_credential_refuses_valid_until_before_valid_from():
    with pytest.raises(ValueError, match="validUntil"):
        bitstring_status_list_credential(
            LIST_URL,
            ISSUER_DID,
            "revocation",
            Bitstring(),
            valid_from=VALID_FROM,
            valid_until=VALID_FROM,
        )


@pytest.mark.parametrize("purpose", ["message", "refresh", "Revocation", ""])
def test_builders_refuse_purposes_they_cannot_issue(purpose):
    with pytest.raises(ValueError, match="revocation and suspension"):
        bitstring_status_entry(LIST_URL, 0, purpose)
    with pytest.raises(ValueError, match="revocation and suspension"):
        bitstring_status_list_credential(
            LIST_URL, ISSUER_DID, purpose, Bitstring(), valid_from=VALID_FROM
        )


@pytest.mark.parametrize(
    "url", ["/status-lists/3", "https://badges.example.org/lists/3#list", "ftp://x/3", ""]
)
def test_builders_refuse_a_list_url_that_is_not_a_plain_http_url(url):
    with pytest.raises(ValueError, match="URL"):
        bitstring_status_entry(url, 0, "revocation")
    with pytest.raises(ValueError, match="URL"):
        revocation_list_entry(url)


def test_status_entry_has_the_specified_shape():
    assert bitstring_status_entry(LIST_URL, 94_567, StatusPurpose.REVOCATION) == {
        "id": LIST_URL + "#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }


@pytest.mark.parametrize("index", [-1, -131_072])
def test_status_entry_refuses_a_negative_index(index):
    with pytest.raises(ValueError, match="negative"):
        bitstring_status_entry(LIST_URL, index, "revocation")


def test_status_list_credential_expands_without_dropping_anything():
    expanded = expand_strict(list_credential((5,)), default_document_loader())
    subject = expanded[0]["https://www.w3.org/2018/credentials#credentialSubject"][0]
    assert subject["@type"] == [STATUS + "BitstringStatusList"]
    assert subject[STATUS + "statusPurpose"] == [{"@value": "revocation"}]
    assert subject[STATUS + "encodedList"][0]["@type"] == "https://w3id.org/security#multibase"


def open_badge_with_status(status: dict[str, Any]) -> dict[str, Any]:
    return build_open_badge_credential(
        credential_id="https://badges.example.org/credentials/6b1f0c9e",
        issuer={"id": ISSUER_DID, "type": ["Profile"], "name": "XQ Institute"},
        achievement={
            "id": "https://badges.example.org/achievements/0d4f",
            "type": ["Achievement"],
            "name": "Linear Equations",
            "criteria": {"narrative": "Demonstrate mastery."},
        },
        learner=LearnerIdentity(subject_id="did:example:learner"),
        valid_from=VALID_FROM,
        credential_status=[status],
    )


def test_credential_carrying_a_status_entry_expands_without_dropping_anything():
    expanded = expand_strict(open_badge_with_status(entry(94_567)), default_document_loader())
    status = expanded[0]["https://www.w3.org/2018/credentials#credentialStatus"][0]
    assert status["@type"] == [STATUS + "BitstringStatusListEntry"]
    assert status[STATUS + "statusListIndex"] == [{"@value": "94567"}]
    assert status[STATUS + "statusListCredential"] == [{"@id": LIST_URL}]


def test_credential_carrying_a_revocation_list_entry_expands_without_dropping_anything():
    status_entry = revocation_list_entry(LIST_URL)
    expanded = expand_strict(open_badge_with_status(status_entry), default_document_loader())
    status = expanded[0]["https://www.w3.org/2018/credentials#credentialStatus"][0]
    assert status["@id"] == LIST_URL
    assert status["@type"] == [
        "https://purl.imsglobal.org/spec/vcrl/v1p0/context.json#1EdTechRevocationList"
    ]


# reading status


def test_reads_a_set_bit():
    assert read_status(entry(5), list_credential((5,)), now=NOW) == StatusResult(
        "revocation", 5, True
    )


def test_reads_an_unset_bit():
    assert not read_status(entry(6), list_credential((5,)), now=NOW).set


def test_reads_a_suspension_list():
    result = read_status(entry(9, "suspension"), list_credential((9,), "suspension"), now=NOW)
    assert result == StatusResult("suspension", 9, True)


def test_reads_a_list_with_several_purposes():
    credential = list_credential((9,))
    credential["credentialSubject"]["statusPurpose"] = ["revocation", "suspension"]
    assert read_status(entry(9, "suspension"), credential, now=NOW).set


def test_reads_the_last_index_of_a_longer_list():
    credential = list_credential((262_143,), length=2 * MIN_BITSTRING_LENGTH)
    assert read_status(entry(262_143), credential, now=NOW).set


def test_accepts_a_status_size_of_one():
    with_size = {**entry(5), "statusSize": 1}
    assert read_status(with_size, list_credential((5,)), now=NOW).set


@pytest.mark.parametrize("index", ["005", "0" * 5000 + "5"])
def test_accepts_an_index_with_leading_zeros(index):
    padded = {**entry(5), "statusListIndex": index}
    assert read_status(padded, list_credential((5,)), now=NOW).index == 5


def test_does_not_change_its_arguments():
    status_entry, credential = entry(5), list_credential((5,))
    before = copy.deepcopy((status_entry, credential))
    read_status(status_entry, credential, now=NOW)
    assert (status_entry, credential) == before


BAD_ENTRIES: dict[str, tuple[dict[str, Any], StatusCode]] = {
    "wrong type": ({"type": "StatusList2021Entry"}, StatusCode.ENTRY_MALFORMED),
    "no type": ({"type": None}, StatusCode.ENTRY_MALFORMED),
    "purpose not a string": ({"statusPurpose": ["revocation"]}, StatusCode.ENTRY_MALFORMED),
    "empty purpose": ({"statusPurpose": ""}, StatusCode.ENTRY_MALFORMED),
    "no list URL": ({"statusListCredential": None}, StatusCode.ENTRY_MALFORMED),
    "id is the list URL": ({"id": LIST_URL}, StatusCode.ENTRY_MALFORMED),
    "status size zero": ({"statusSize": 0}, StatusCode.ENTRY_MALFORMED),
    "status size text": ({"statusSize": "1"}, StatusCode.ENTRY_MALFORMED),
    "status size boolean": ({"statusSize": True}, StatusCode.ENTRY_MALFORMED),
    "status size two": ({"statusSize": 2}, StatusCode.SIZE_UNSUPPORTED),
    "index a number": ({"statusListIndex": 5}, StatusCode.INDEX_INVALID),
    "index missing": ({"statusListIndex": None}, StatusCode.INDEX_INVALID),
    "index negative": ({"statusListIndex": "-1"}, StatusCode.INDEX_INVALID),
    "index with plus sign": ({"statusListIndex": "+5"}, StatusCode.INDEX_INVALID),
    "index with leading space": ({"statusListIndex": " 5"}, StatusCode.INDEX_INVALID),
    "index with trailing newline": ({"statusListIndex": "5\n"}, StatusCode.INDEX_INVALID),
    "index empty": ({"statusListIndex": ""}, StatusCode.INDEX_INVALID),
    "index decimal point": ({"statusListIndex": "5.0"}, StatusCode.INDEX_INVALID),
    "index exponent": ({"statusListIndex": "5e0"}, StatusCode.INDEX_INVALID),
    "index hexadecimal": ({"statusListIndex": "0x5"}, StatusCode.INDEX_INVALID),
    "index underscore": ({"statusListIndex": "1_000"}, StatusCode.INDEX_INVALID),
    "index non-ASCII digits": ({"statusListIndex": "\u0665"}, StatusCode.INDEX_INVALID),
    "index past the end": ({"statusListIndex": "131072"}, StatusCode.INDEX_OUT_OF_RANGE),
    "index huge": ({"statusListIndex": "9" * 5000}, StatusCode.INDEX_OUT_OF_RANGE),
    "purpose mismatch": ({"statusPurpose": "suspension"}, StatusCode.PURPOSE_MISMATCH),
    "another list": (
        {"statusListCredential": "https://badges.example.org/status-lists/4"},
        StatusCode.LIST_MISMATCH,
    ),
}


@pytest.mark.parametrize(("change", "code"), BAD_ENTRIES.values(), ids=BAD_ENTRIES.keys())
def test_refuses_a_bad_entry(change, code):
    refusal(code, read_status, {**entry(5), **change}, list_credential((5,)), now=NOW)


def test_refuses_an_entry_that_is_not_an_object():
    refusal(StatusCode.ENTRY_MALFORMED, read_status, ["5"], list_credential(), now=NOW)


def without(document: dict[str, Any], *path: str) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    target = changed
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return changed


def changed(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    document = list_credential((5,))
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


BAD_LISTS: dict[str, tuple[dict[str, Any], StatusCode]] = {
    "not a status list credential": (
        changed(("type",), ["VerifiableCredential"]),
        StatusCode.LIST_MALFORMED,
    ),
    "not a verifiable credential": (
        changed(("type",), "BitstringStatusListCredential"),
        StatusCode.LIST_MALFORMED,
    ),
    "no id": (without(list_credential((5,)), "id"), StatusCode.LIST_MISMATCH),
    "another id": (changed(("id",), LIST_URL + "/"), StatusCode.LIST_MISMATCH),
    "subject is a list": (
        changed(("credentialSubject",), [list_credential()["credentialSubject"]]),
        StatusCode.LIST_MALFORMED,
    ),
    "subject of another type": (
        changed(("credentialSubject", "type"), "StatusList2021"),
        StatusCode.LIST_MALFORMED,
    ),
    "no purpose": (
        without(list_credential((5,)), "credentialSubject", "statusPurpose"),
        StatusCode.LIST_MALFORMED,
    ),
    "empty purposes": (
        changed(("credentialSubject", "statusPurpose"), []),
        StatusCode.LIST_MALFORMED,
    ),
    "no encoded list": (
        without(list_credential((5,)), "credentialSubject", "encodedList"),
        StatusCode.ENCODING_INVALID,
    ),
    "encoded list not gzip": (
        changed(("credentialSubject", "encodedList"), "u" + encode_base64url(bytes(MIN_BYTES))),
        StatusCode.ENCODING_INVALID,
    ),
    "list too short": (
        changed(("credentialSubject", "encodedList"), gzip_text(bytes(MIN_BYTES - 1))),
        StatusCode.LIST_TOO_SHORT,
    ),
    "not yet valid": (
        changed(("validFrom",), "2026-07-01T00:00:00Z"),
        StatusCode.LIST_NOT_YET_VALID,
    ),
    "expired": (changed(("validUntil",), "2026-05-31T23:59:59Z"), StatusCode.LIST_EXPIRED),
    "date without a time zone": (
        changed(("validFrom",), "2026-05-01T00:00:00"),
        StatusCode.LIST_MALFORMED,
    ),
}


@pytest.mark.parametrize(("credential", "code"), BAD_LISTS.values(), ids=BAD_LISTS.keys())
def test_refuses_a_bad_list_credential(credential, code):
    refusal(code, read_status, entry(5), credential, now=NOW)


def test_refuses_a_list_credential_that_is_not_an_object():
    refusal(StatusCode.LIST_MALFORMED, read_status, entry(5), "list", now=NOW)


def test_refusal_names_the_place_in_the_list_credential():
    bad = changed(("credentialSubject", "encodedList"), "zNotBase64url")
    error = refusal(StatusCode.ENCODING_INVALID, read_status, entry(5), bad, now=NOW)
    assert error.path == "$.credentialSubject.encodedList"


def test_read_status_bounds_the_inflated_list():
    credential = list_credential(length=2 * MIN_BITSTRING_LENGTH)
    refusal(
        StatusCode.LIST_TOO_LARGE,
        read_status,
        entry(5),
        credential,
        now=NOW,
        max_decompressed_bytes=MIN_BYTES,
    )


def test_every_status_code_is_distinct():
    assert len({code.value for code in StatusCode}) == len(StatusCode)


# 1EdTech Revocation List


def test_revocation_list_entry_has_the_specified_shape():
    assert revocation_list_entry(LIST_URL) == {"id": LIST_URL, "type": "1EdTechRevocationList"}


def test_revocation_list_document_has_the_specified_shape():
    document = revocation_list_document(
        LIST_URL,
        ISSUER_DID,
        [
            ("https://badges.example.org/credentials/1", "No final payment"),
            ("https://badges.example.org/credentials/2", None),
        ],
    )
    assert document == {
        "id": LIST_URL,
        "issuer": ISSUER_DID,
        "revokedCredentials": [
            {
                "id": "https://badges.example.org/credentials/1",
                "revoked": True,
                "revocationReason": "No final payment",
            },
            {"id": "https://badges.example.org/credentials/2", "revoked": True},
        ],
    }


def test_empty_revocation_list_document_lists_nothing():
    document = revocation_list_document(LIST_URL, ISSUER_DID, [])
    assert document["revokedCredentials"] == []


@pytest.mark.parametrize(
    "revoked",
    [[("urn:uuid:1", None), ("urn:uuid:1", "again")], [("", None)]],
    ids=["duplicate", "empty id"],
)
def test_revocation_list_document_refuses_bad_items(revoked):
    with pytest.raises(ValueError, match="credential"):
        revocation_list_document(LIST_URL, ISSUER_DID, revoked)


REVOKED = "https://badges.example.org/credentials/1"


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"id": REVOKED, "revoked": True}, True),
        ({"id": REVOKED}, True),
        ({"id": REVOKED, "revoked": False}, False),
        ({"id": REVOKED + "0", "revoked": True}, False),
        ({"id": "https://badges.example.org/credentials/", "revoked": True}, False),
    ],
    ids=["revoked true", "revoked omitted", "revoked false", "longer id", "prefix id"],
)
def test_is_revoked_in_reads_an_item(item, expected):
    document = {"id": LIST_URL, "issuer": ISSUER_DID, "revokedCredentials": [item]}
    assert is_revoked_in(document, REVOKED) is expected


def test_is_revoked_in_reads_a_built_document():
    document = revocation_list_document(LIST_URL, ISSUER_DID, [(REVOKED, "Issued in error")])
    assert is_revoked_in(document, REVOKED, list_url=LIST_URL)
    assert not is_revoked_in(document, REVOKED + "/2", list_url=LIST_URL)


BAD_REVOCATION_LISTS = {
    "not an object": ["urn:uuid:1"],
    "no revokedCredentials": {"id": LIST_URL},
    "revokedCredentials an object": {"revokedCredentials": {"id": REVOKED}},
    "item a string": {"revokedCredentials": [REVOKED]},
    "item without id": {"revokedCredentials": [{"revoked": True}]},
    "revoked as text": {"revokedCredentials": [{"id": REVOKED, "revoked": "true"}]},
    "bad item after the match": {"revokedCredentials": [{"id": REVOKED}, {"id": 7}]},
}


@pytest.mark.parametrize("document", BAD_REVOCATION_LISTS.values(), ids=BAD_REVOCATION_LISTS.keys())
def test_is_revoked_in_refuses_a_malformed_list(document):
    refusal(StatusCode.REVOCATION_LIST_MALFORMED, is_revoked_in, document, REVOKED)


def test_is_revoked_in_refuses_a_list_with_another_id():
    document = revocation_list_document(LIST_URL, ISSUER_DID, [])
    refusal(
        StatusCode.REVOCATION_LIST_MISMATCH,
        is_revoked_in,
        document,
        REVOKED,
        list_url=LIST_URL + "/other",
    )
