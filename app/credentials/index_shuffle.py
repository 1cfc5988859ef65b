"""A keyed permutation of status-list positions, so a list does not show the order of issuance.

Handing out positions 0, 1, 2, ... lets anyone who sees two credentials' positions tell which
was issued first and how many were issued between them, and links awards made together. The
Bitstring Status List specification's privacy considerations ask issuers to place credentials at
random positions. A counter still claims positions atomically (never one twice); this module
maps claim number ``n`` of a list to a position through a bijection on ``[0, size)`` chosen by a
secret key of that list, so positions look random, are unpredictable without the key, and are
still never repeated.

The bijection is a balanced Feistel network over the smallest even number of bits that covers
``size``, with keyed BLAKE2b as the round function, and cycle walking to stay below ``size``
(each walk step lands inside with probability at least 1/4, so walks are short).
"""

from __future__ import annotations

import hashlib

ROUNDS = 8
MIN_KEY_BYTES = 16


class IndexShuffle:
    """``shuffle(n)`` is the position of claim ``n``: a permutation of ``range(size)``."""

    def __init__(self, key: bytes, size: int) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the key must have at least {MIN_KEY_BYTES} bytes")
        if size < 2:
            raise ValueError("a permutation needs at least two positions")
        self.size = size
        half_bits = max(1, ((size - 1).bit_length() + 1) // 2)
        self._half_bits = half_bits
        self._mask = (1 << half_bits) - 1
        self._round_keys = [
            hashlib.blake2b(
                key, digest_size=32, person=b"xqb-shuffle", salt=bytes([r]) * 16
            ).digest()
            for r in range(ROUNDS)
        ]

    def __call__(self, claim: int) -> int:
        if not 0 <= claim < self.size:
            raise ValueError(f"claim {claim} is outside the list of {self.size}")
        value = self._permute(claim)
        while value >= self.size:
            value = self._permute(value)
        return value

    def _permute(self, value: int) -> int:
        left, right = value >> self._half_bits, value & self._mask
        for round_key in self._round_keys:
            left, right = right, left ^ self._round(round_key, right)
        return (left << self._half_bits) | right

    def _round(self, round_key: bytes, half: int) -> int:
        digest = hashlib.blake2b(half.to_bytes(8, "big"), key=round_key, digest_size=8).digest()
        return int.from_bytes(digest, "big") & self._mask
