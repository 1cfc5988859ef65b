"""Fetching what verification needs from other servers: DID documents, issuer profiles,
status lists and hosted credentials.

The verifier is synchronous (it runs in a worker thread of the web server, or in the CLI),
while the one outbound client, :class:`~app.net.SafeClient`, is asynchronous. A
:class:`RemoteFetcher` runs one SafeClient on an event loop thread of its own (an anyio
blocking portal), so every caller shares one connection pool and one Cache-Control cache, and
the SSRF rules of :mod:`app.net` apply to every fetch the verifier makes.
"""

from __future__ import annotations

import threading
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from anyio.from_thread import BlockingPortal, start_blocking_portal

from app.credentials.did import did_web_document_url
from app.credentials.strict_json import loads_strict
from app.net import FetchError, FetchPolicy, FetchResult, SafeClient
from app.net.errors import HttpStatusError
from app.net.policy import DEFAULT_PORTS
from app.settings import Settings

JSON_LD_ACCEPT = "application/vc+ld+json, application/ld+json;q=0.9, application/json;q=0.8"
DID_ACCEPT = "application/did+json, application/did+ld+json;q=0.9, application/json;q=0.8"
CREDENTIAL_ACCEPT = f"{JSON_LD_ACCEPT}, application/vc+jwt;q=0.7, application/jwt;q=0.6"


class DocumentUnavailable(Exception):
    """A document could not be had: the fetch was refused or failed, or it is not JSON.

    ``code`` is the outbound client's error code (``address_not_allowed``, ``timeout``,
    ``http_status``...) or ``not_json``; ``message`` says it in a sentence; ``status`` is the
    HTTP status of a non-2xx answer.
    """

    def __init__(self, code: str, message: str, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.url = url
        self.status = status

    @property
    def transient(self) -> bool:
        """The server could not be reached or did not answer in time, or answered with a
        server error or "try later": a later attempt may succeed, so nothing is known yet. A
        refusal by the fetch policy, a 4xx, or an answer that is no usable document is final."""
        if self.code in _TRANSIENT_CODES:
            return True
        return self.status is not None and (self.status >= 500 or self.status in (408, 429))


_TRANSIENT_CODES = frozenset({"timeout", "connection_failed", "dns_failed"})


@dataclass(frozen=True)
class Fetched:
    url: str
    media_type: str
    content: bytes


def verifier_policy(settings: Settings) -> FetchPolicy:
    return FetchPolicy(
        trusted_hosts=frozenset(settings.fetch_trusted_hosts),
        max_response_bytes=settings.fetch_max_bytes,
        connect_timeout=min(5.0, settings.fetch_timeout_seconds),
        read_timeout=settings.fetch_timeout_seconds,
        total_timeout=settings.fetch_timeout_seconds,
        max_redirects=3,
        user_agent="xqbadges-verifier",
        cache_max_entries=256,
    )


class RemoteFetcher:
    """Synchronous GETs through one shared :class:`SafeClient`; thread-safe."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy
        self._lock = threading.Lock()
        self._stack: ExitStack | None = None
        self._portal: BlockingPortal | None = None
        self._client: SafeClient | None = None

    def _started(self) -> tuple[BlockingPortal, SafeClient]:
        with self._lock:
            if self._portal is None or self._client is None:
                stack = ExitStack()
                portal = stack.enter_context(start_blocking_portal())
                self._client = portal.call(SafeClient, self.policy)
                self._portal, self._stack = portal, stack
            return self._portal, self._client

    def get(self, url: str, accept: str) -> Fetched:
        """The 2xx answer at ``url``; :class:`DocumentUnavailable` says why there is none."""
        portal, client = self._started()
        try:
            result: FetchResult = portal.call(lambda: client.get(url, accept=accept))
            result.raise_for_status()
        except FetchError as error:
            status = error.status if isinstance(error, HttpStatusError) else None
            raise DocumentUnavailable(error.code, str(error), url, status) from error
        media_type = result.headers.get("content-type", "").split(";")[0].strip().lower()
        return Fetched(url=result.url, media_type=media_type, content=result.content)

    def json_document(self, url: str, accept: str = JSON_LD_ACCEPT) -> dict[str, Any]:
        fetched = self.get(url, accept)
        try:
            document = loads_strict(fetched.content)
        except (ValueError, RecursionError):
            document = None
        if not isinstance(document, dict):
            raise DocumentUnavailable("not_json", f"{url} did not answer a JSON object", url)
        return document

    def did_web_document(self, did: str) -> dict[str, Any]:
        return self.json_document(self.did_web_url(did), DID_ACCEPT)

    def did_web_url(self, did: str) -> str:
        """Where a did:web's document is; plain http for a host the policy trusts (a local test
        issuer), as did:web itself always means https."""
        url = did_web_document_url(did)
        parts = urlsplit(url)
        if self.policy.trusts(parts.hostname or "", parts.port or DEFAULT_PORTS["https"]):
            return urlunsplit(("http", *parts[1:]))
        return url

    def close(self) -> None:
        with self._lock:
            if self._portal is not None and self._client is not None:
                self._portal.call(self._client.aclose)
            if self._stack is not None:
                self._stack.close()
            self._stack = self._portal = self._client = None
