"""A JSON-LD document loader that serves only contexts pinned inside this package.

Every context URL a credential names is the author's choice, so a loader that follows it to the
network hands the author a request from our server and a say in what the credential means. This
loader knows a fixed table of URLs (``contexts/urls.json``), serves each from a file shipped with
the package, checks the file against its SHA-256 in ``contexts/pins.json`` the first time it is
read, and refuses every other URL, compared exactly: no trailing-slash, fragment or case
leniency. It never opens a connection and never reads a file outside that table.

pyld changes the context documents it is given (``@import`` merges into the imported document in
place), so each call hands out a fresh copy of the cached parse.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import threading
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, Protocol, TypedDict

from app.credentials.errors import ContextIntegrityError, ContextNotAllowed

URLS_FILE = "urls.json"
PINS_FILE = "pins.json"

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class RemoteDocument(TypedDict):
    """The shape pyld expects back from a document loader."""

    contextUrl: None
    documentUrl: str
    document: dict[str, Any]


class DocumentLoader(Protocol):
    """Anything callable the way pyld calls a document loader."""

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> RemoteDocument: ...


class PinnedDocumentLoader:
    """Serves the pinned contexts and nothing else (see the module docstring)."""

    def __init__(self, files_by_url: Mapping[str, Traversable], pins: Mapping[str, str]) -> None:
        if set(files_by_url) != set(pins):
            unpinned = sorted(set(files_by_url) ^ set(pins))
            raise ContextIntegrityError(
                f"the context table and the pins disagree about: {', '.join(unpinned)}"
            )
        for url, digest in pins.items():
            if not _SHA256_HEX.fullmatch(digest):
                raise ContextIntegrityError(f"the pin of {url} is not a lowercase SHA-256 hex")
        self._files = dict(files_by_url)
        self._pins = dict(pins)
        self._parsed: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_directory(cls, directory: Traversable) -> PinnedDocumentLoader:
        """Build a loader from a directory holding ``urls.json``, ``pins.json`` and the files."""
        table = _read_string_map(directory / URLS_FILE)
        pins = _read_string_map(directory / PINS_FILE)
        files_by_url: dict[str, Traversable] = {}
        for url, name in table.items():
            if not _is_plain_file_name(name):
                raise ContextIntegrityError(f"{URLS_FILE} maps {url} outside its directory")
            files_by_url[url] = directory / name
        return cls(files_by_url, pins)

    @property
    def urls(self) -> frozenset[str]:
        """Every URL this loader serves."""
        return frozenset(self._files)

    def allows(self, url: str) -> bool:
        return url in self._files

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> RemoteDocument:
        return {"contextUrl": None, "documentUrl": url, "document": self.document(url)}

    def document(self, url: str) -> dict[str, Any]:
        """A private copy of the parsed document pinned for ``url``."""
        if not isinstance(url, str) or url not in self._files:
            raise ContextNotAllowed(str(url))
        parsed = self._parsed.get(url)
        if parsed is None:
            with self._lock:
                parsed = self._parsed.get(url)
                if parsed is None:
                    parsed = self._load_verified(url)
                    self._parsed[url] = parsed
        return copy.deepcopy(parsed)

    def _load_verified(self, url: str) -> dict[str, Any]:
        source = self._files[url]
        raw = source.read_bytes()
        if hashlib.sha256(raw).hexdigest() != self._pins[url]:
            raise ContextIntegrityError(
                f"the pinned file for {url} ({source.name}) does not match its SHA-256 pin"
            )
        parsed = json.loads(raw)
        if not isinstance(parsed, dict):
            raise ContextIntegrityError(f"the pinned file for {url} is not a JSON object")
        return parsed


@cache
def default_document_loader() -> PinnedDocumentLoader:
    """The loader over the contexts shipped in ``app/credentials/contexts``, shared process-wide."""
    return PinnedDocumentLoader.from_directory(files("app.credentials") / "contexts")


def _read_string_map(source: Traversable) -> dict[str, str]:
    parsed = json.loads(source.read_bytes())
    if not isinstance(parsed, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in parsed.items()
    ):
        raise ContextIntegrityError(f"{source.name} must be a JSON object of strings")
    return parsed


def _is_plain_file_name(name: str) -> bool:
    return bool(name) and name not in {".", ".."} and "/" not in name and "\\" not in name
