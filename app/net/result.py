"""What a fetch returns: :class:`FetchResult`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

import httpx

from app.net.errors import HttpStatusError


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A complete response: the body has been read (within the size limit) and closed.

    ``url`` is the URL that answered, after any redirects; ``from_cache`` tells whether the
    answer came from the in-memory cache instead of the network.
    """

    url: str
    status: int
    headers: httpx.Headers
    content: bytes
    from_cache: bool = False

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def raise_for_status(self) -> Self:
        """Return the result when it is 2xx, else raise :class:`HttpStatusError`."""
        if not self.ok:
            raise HttpStatusError(
                f"the server answered HTTP {self.status} instead of a 2xx success",
                status=self.status,
                url=self.url,
            )
        return self
