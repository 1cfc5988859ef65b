"""Multibase base58btc: the ``z``-prefixed Bitcoin base58 text of Multikeys, did:key
identifiers and Data Integrity proof values.

Decoding is quadratic in the length of the text, so it refuses text longer than ``max_length``
characters; keys and signatures are far shorter than the default.
"""

from __future__ import annotations

from app.credentials.errors import InvalidMultibase

BASE58BTC_PREFIX = "z"
DEFAULT_MAX_LENGTH = 1024

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_DIGIT_VALUES = {character: value for value, character in enumerate(_ALPHABET)}


def encode_base58btc(data: bytes) -> str:
    """``data`` as multibase base58btc text (``z...``)."""
    leading_zero_bytes = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, digit = divmod(number, 58)
        digits.append(_ALPHABET[digit])
    return BASE58BTC_PREFIX + "1" * leading_zero_bytes + "".join(reversed(digits))


def decode_base58btc(text: str, *, max_length: int = DEFAULT_MAX_LENGTH) -> bytes:
    """The bytes of multibase base58btc ``text``; anything else is an InvalidMultibase."""
    if not isinstance(text, str) or not text.startswith(BASE58BTC_PREFIX):
        raise InvalidMultibase("expected multibase base58btc text, which starts with 'z'")
    body = text[len(BASE58BTC_PREFIX) :]
    if len(body) > max_length:
        raise InvalidMultibase(f"multibase text longer than {max_length} characters")
    number = 0
    for character in body:
        value = _DIGIT_VALUES.get(character)
        if value is None:
            raise InvalidMultibase(f"{character!r} is not a base58btc character")
        number = number * 58 + value
    leading_zero_bytes = len(body) - len(body.lstrip("1"))
    return b"\0" * leading_zero_bytes + number.to_bytes((number.bit_length() + 7) // 8, "big")
