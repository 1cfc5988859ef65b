from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.credentials.errors import InvalidMultikey
from app.credentials.multibase import decode_base58btc, encode_base58btc
from app.credentials.multikey import (
    private_key_from_multibase,
    private_key_to_multibase,
    public_key_from_multibase,
    public_key_to_multibase,
)

VECTORS = "test-vectors/eddsa-rdfc-2022"

# Printed in the OB 3.0 implementation guide ("Linked Data Proof" appendix).
OB_GUIDE_PUBLIC_HEX = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
OB_GUIDE_PUBLIC = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
OB_GUIDE_SECRET = (
    "zrv2bqTbNwCTsRrHFcJCPjVAduh4Ezcnoq1A3ZxH1GWTNkxipLVuaAoMFmze2gFN9oNXfJjufxSHWVZzsJiUsMHFMcx"
)


def raw_public(key) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@pytest.fixture
def key_pair(read_json) -> dict[str, str]:
    return read_json(f"{VECTORS}/keyPair.json")


def test_private_vector_derives_the_public_vector(key_pair):
    private = private_key_from_multibase(key_pair["privateKeyMultibase"])
    assert public_key_to_multibase(private.public_key()) == key_pair["publicKeyMultibase"]


def test_private_vector_produces_the_w3c_signature(key_pair, standards_dir):
    private = private_key_from_multibase(key_pair["privateKeyMultibase"])
    signed = bytes.fromhex((standards_dir / VECTORS / "combinedHashDataInt.txt").read_text())
    expected = bytes.fromhex((standards_dir / VECTORS / "sigHexDataInt.txt").read_text())
    assert private.sign(signed) == expected


def test_public_vector_verifies_the_w3c_signature(key_pair, standards_dir):
    public = public_key_from_multibase(key_pair["publicKeyMultibase"])
    signed = bytes.fromhex((standards_dir / VECTORS / "combinedHashDataInt.txt").read_text())
    public.verify(
        bytes.fromhex((standards_dir / VECTORS / "sigHexDataInt.txt").read_text()), signed
    )


def test_re_encodes_both_vectors_exactly(key_pair):
    private = private_key_from_multibase(key_pair["privateKeyMultibase"])
    assert private_key_to_multibase(private) == key_pair["privateKeyMultibase"]
    public = public_key_from_multibase(key_pair["publicKeyMultibase"])
    assert public_key_to_multibase(public) == key_pair["publicKeyMultibase"]


def test_reads_the_ob_guide_public_key():
    assert raw_public(public_key_from_multibase(OB_GUIDE_PUBLIC)).hex() == OB_GUIDE_PUBLIC_HEX


def test_reads_the_ob_guide_64_byte_secret_key():
    private = private_key_from_multibase(OB_GUIDE_SECRET)
    assert public_key_to_multibase(private.public_key()) == OB_GUIDE_PUBLIC


def test_writes_secret_keys_in_the_32_byte_form():
    encoded = private_key_to_multibase(private_key_from_multibase(OB_GUIDE_SECRET))
    assert len(decode_base58btc(encoded)) == 2 + 32
    assert public_key_to_multibase(private_key_from_multibase(encoded).public_key()) == (
        OB_GUIDE_PUBLIC
    )


def test_refuses_a_64_byte_secret_key_whose_halves_disagree():
    raw = decode_base58btc(OB_GUIDE_SECRET)
    tampered = raw[:-1] + bytes([raw[-1] ^ 1])
    with pytest.raises(InvalidMultikey):
        private_key_from_multibase(encode_base58btc(tampered))


def test_refuses_a_public_key_read_as_a_private_key(key_pair):
    with pytest.raises(InvalidMultikey) as refused:
        private_key_from_multibase(key_pair["publicKeyMultibase"])
    assert refused.value.code == "invalid_multikey"


def test_refuses_a_private_key_read_as_a_public_key(key_pair):
    with pytest.raises(InvalidMultikey):
        public_key_from_multibase(key_pair["privateKeyMultibase"])


@pytest.mark.parametrize("header", [bytes([0xEC, 0x01]), bytes([0xE7, 0x01]), bytes([0x12, 0x00])])
def test_refuses_other_key_types(header):
    with pytest.raises(InvalidMultikey):
        public_key_from_multibase(encode_base58btc(header + bytes(32)))


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_refuses_public_keys_of_the_wrong_length(length):
    with pytest.raises(InvalidMultikey):
        public_key_from_multibase(encode_base58btc(bytes([0xED, 0x01]) + bytes(length)))


@pytest.mark.parametrize("length", [0, 31, 33, 63, 65])
def test_refuses_private_keys_of_the_wrong_length(length):
    with pytest.raises(InvalidMultikey):
        private_key_from_multibase(encode_base58btc(bytes([0x80, 0x26]) + bytes(length)))


def test_round_trips_a_fresh_key():
    private = Ed25519PrivateKey.generate()
    restored = private_key_from_multibase(private_key_to_multibase(private))
    assert raw_public(restored.public_key()) == raw_public(private.public_key())
    assert public_key_to_multibase(private.public_key()).startswith("z6Mk")
