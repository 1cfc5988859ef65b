"""Base64url without padding (RFC 7515 section 2, RFC 4648 section 5), read strictly.

JOSE objects and JWK members are base64url text with the trailing ``=`` left off. The standard
library's decoder is lenient: it skips characters outside the alphabet, accepts padding and
ignores leftover bits, so two different texts can decode to the same bytes. A signed token must
have exactly one spelling, so :func:`decode_base64url` accepts only the text that
:func:`encode_base64url` would have written, and raises :class:`ValueError` for anything else.
"""

from __future__ import annotations

import base64
import re

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def encode_base64url(data: bytes) -> str:
    """``data`` as unpadded base64url text."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_base64url(text: str) -> bytes:
    """The bytes of canonical unpadded base64url ``text``; ValueError for any other text."""
    if not isinstance(text, str) or not _BASE64URL.fullmatch(text):
        raise ValueError("not unpadded base64url text")
    if len(text) % 4 == 1:
        raise ValueError("base64url text cannot be one character longer than a multiple of four")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if encode_base64url(data) != text:
        raise ValueError("base64url text with unused bits set is not canonical")
    return data
