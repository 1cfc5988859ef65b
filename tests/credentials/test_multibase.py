from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.credentials.errors import InvalidMultibase
from app.credentials.multibase import decode_base58btc, encode_base58btc

VECTORS = "test-vectors/eddsa-rdfc-2022"


def test_decodes_the_w3c_signature_vector(standards_dir):
    text = (standards_dir / VECTORS / "sigBTC58DataInt.txt").read_text("ascii")
    expected = bytes.fromhex((standards_dir / VECTORS / "sigHexDataInt.txt").read_text("ascii"))
    assert decode_base58btc(text) == expected


def test_encodes_the_w3c_signature_vector(standards_dir):
    signature = bytes.fromhex((standards_dir / VECTORS / "sigHexDataInt.txt").read_text("ascii"))
    expected = (standards_dir / VECTORS / "sigBTC58DataInt.txt").read_text("ascii")
    assert encode_base58btc(signature) == expected


def test_decodes_the_w3c_public_key_vector(read_json):
    decoded = decode_base58btc(read_json(f"{VECTORS}/keyPair.json")["publicKeyMultibase"])
    assert decoded[:2] == bytes([0xED, 0x01])
    assert len(decoded) == 34


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"", "z"),
        (b"\0", "z1"),
        (b"\0\0\x01", "z112"),
        (b"\x39", "zz"),
        (b"\x3a", "z21"),
        (b"Hello World!", "z2NEpo7TZRRrLZSi2U"),
    ],
)
def test_known_encodings(data, text):
    assert encode_base58btc(data) == text
    assert decode_base58btc(text) == data


@given(st.binary(max_size=200))
def test_round_trips_any_bytes(data):
    assert decode_base58btc(encode_base58btc(data)) == data


@pytest.mark.parametrize(
    "text",
    ["", "6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "u6MkrJ", "z0", "zO", "zI", "zl", "z+"],
)
def test_refuses_what_is_not_base58btc(text):
    with pytest.raises(InvalidMultibase) as refused:
        decode_base58btc(text)
    assert refused.value.code == "invalid_multibase"


def test_refuses_text_over_the_length_limit():
    with pytest.raises(InvalidMultibase):
        decode_base58btc("z" + "2" * 101, max_length=100)
