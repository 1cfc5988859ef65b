"""Reading a response body within a byte limit.

The limit is enforced on the bytes as they arrive, not on ``Content-Length`` (which may be
absent, as with chunked or close-delimited bodies); a declared length over the limit is only a
way to refuse early. The client asks for ``Accept-Encoding: identity``; should a server
compress anyway (gzip or deflate), the body is inflated with the output bounded by the same
limit, so a small compressed bomb cannot expand in memory.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import cast

import httpx

from app.net.errors import BadResponse, ResponseTooLarge

_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


def _too_large(limit: int) -> ResponseTooLarge:
    return ResponseTooLarge(f"the response body is larger than the limit of {limit} bytes")


def _inflater(headers: httpx.Headers) -> zlib._Decompress | None:
    codings = [
        coding.strip().lower()
        for coding in headers.get_list("content-encoding", split_commas=True)
        if coding.strip().lower() not in ("", "identity")
    ]
    if not codings:
        return None
    if len(codings) > 1 or codings[0] not in _WBITS:
        raise BadResponse(
            f"the response uses content-encoding {', '.join(codings)!r}, which was not "
            "asked for and cannot be decoded (only gzip and deflate are)"
        )
    return zlib.decompressobj(_WBITS[codings[0]])


async def read_limited(response: httpx.Response, limit: int) -> bytes:
    """The whole (decoded) body, refusing with ResponseTooLarge once it exceeds ``limit``."""
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise ResponseTooLarge(
            f"the response declares {int(declared)} bytes, over the limit of {limit} bytes"
        )
    inflater = _inflater(response.headers)
    body = bytearray()
    received = 0
    # aiter_raw is an async generator; closing it at once matters when the limit stops reading.
    raw = cast(AsyncGenerator[bytes, None], response.aiter_raw())
    async with aclosing(raw) as chunks:
        async for chunk in chunks:
            received += len(chunk)
            if received > limit:
                raise _too_large(limit)
            if inflater is None:
                body += chunk
            else:
                body += _inflate(inflater, chunk, limit - len(body), limit)
    if inflater is not None and received and not inflater.eof:
        raise BadResponse("the compressed response body ended early")
    return bytes(body)


def _inflate(inflater: zlib._Decompress, chunk: bytes, room: int, limit: int) -> bytes:
    try:
        # Ask for one byte more than fits: getting it, or leaving input unconsumed, means over.
        out = inflater.decompress(chunk, room + 1)
    except zlib.error as error:
        raise BadResponse(f"the compressed response body is corrupt: {error}") from error
    if len(out) > room or inflater.unconsumed_tail:
        raise _too_large(limit)
    return out
