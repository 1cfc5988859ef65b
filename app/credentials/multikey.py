"""Ed25519 keys as Multikey values (W3C Controlled Identifiers 1.0, section 2.2.2).

``publicKeyMultibase`` is base58btc of the multicodec header ``0xed 0x01`` and the 32-byte public
key (so it reads ``z6Mk...``); ``secretKeyMultibase`` is base58btc of ``0x80 0x26`` and the 32-byte
private key seed. Reading also accepts the 64-byte seed-then-public-key form that the Open Badges
3.0 implementation guide prints, but only when its public half matches the seed; writing always
produces the 32-byte form of the specification.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from app.credentials.errors import InvalidMultikey
from app.credentials.multibase import decode_base58btc, encode_base58btc

ED25519_PUBLIC_KEY_HEADER = bytes([0xED, 0x01])
ED25519_PRIVATE_KEY_HEADER = bytes([0x80, 0x26])
ED25519_KEY_LENGTH = 32


def public_key_to_multibase(key: Ed25519PublicKey) -> str:
    """The ``publicKeyMultibase`` of ``key``."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return encode_base58btc(ED25519_PUBLIC_KEY_HEADER + raw)


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """The Ed25519 public key a ``publicKeyMultibase`` holds."""
    raw = _strip_header(decode_base58btc(value), ED25519_PUBLIC_KEY_HEADER, "public")
    if len(raw) != ED25519_KEY_LENGTH:
        raise InvalidMultikey(
            f"an Ed25519 public key is {ED25519_KEY_LENGTH} bytes, this one is {len(raw)}"
        )
    return Ed25519PublicKey.from_public_bytes(raw)


def private_key_to_multibase(key: Ed25519PrivateKey) -> str:
    """The ``secretKeyMultibase`` of ``key`` (the 32-byte seed form)."""
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return encode_base58btc(ED25519_PRIVATE_KEY_HEADER + seed)


def private_key_from_multibase(value: str) -> Ed25519PrivateKey:
    """The Ed25519 private key a ``secretKeyMultibase`` holds."""
    raw = _strip_header(decode_base58btc(value), ED25519_PRIVATE_KEY_HEADER, "private")
    if len(raw) == ED25519_KEY_LENGTH:
        return Ed25519PrivateKey.from_private_bytes(raw)
    if len(raw) == 2 * ED25519_KEY_LENGTH:
        key = Ed25519PrivateKey.from_private_bytes(raw[:ED25519_KEY_LENGTH])
        derived = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        if derived != raw[ED25519_KEY_LENGTH:]:
            raise InvalidMultikey("the public half of this 64-byte private key does not match")
        return key
    raise InvalidMultikey(
        f"an Ed25519 private key is {ED25519_KEY_LENGTH} bytes (or seed and public key,"
        f" {2 * ED25519_KEY_LENGTH}), this one is {len(raw)}"
    )


def _strip_header(decoded: bytes, header: bytes, kind: str) -> bytes:
    if not decoded.startswith(header):
        raise InvalidMultikey(
            f"not an Ed25519 {kind} Multikey: its multicodec header is {decoded[:2].hex()!r},"
            f" expected {header.hex()!r}"
        )
    return decoded[len(header) :]
