"""Fixtures for the credentials core: the official examples and vectors, and a network tripwire."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def read_json(standards_dir: Path):
    def read(relative_path: str) -> Any:
        return json.loads((standards_dir / relative_path).read_text("utf-8"))

    return read


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything tries to resolve a name or open a connection."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the credentials core tried to use the network")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


W3C_EXAMPLES_CONTEXT = "https://www.w3.org/ns/credentials/examples/v2"


class VectorLoader:
    """The pinned contexts plus the W3C examples context the eddsa-rdfc-2022 vectors use.

    ``https://www.w3.org/ns/credentials/examples/v2`` is not pinned (and must not be in
    production). As PROVENANCE.md notes, serving it as a bare ``@vocab`` reproduces
    the W3C vectors exactly. Test-only.
    """

    def __init__(self) -> None:
        from app.credentials.document_loader import default_document_loader

        self._pinned = default_document_loader()

    def __call__(self, url: str, options: Any = None) -> dict[str, Any]:
        if url == W3C_EXAMPLES_CONTEXT:
            document = {"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}
            return {"contextUrl": None, "documentUrl": url, "document": document}
        return dict(self._pinned(url, options))


@pytest.fixture(scope="session")
def vector_loader() -> VectorLoader:
    return VectorLoader()


@pytest.fixture(scope="session")
def pyld_normalize():
    """pyld's own canonicalization (``jsonld.normalize``, URDNA2015), the reference."""
    from pyld import jsonld
    from pyld.context_resolver import ContextResolver

    from app.credentials.document_loader import default_document_loader

    def normalize(document: Any, loader: Any = None) -> str:
        loader = loader if loader is not None else default_document_loader()
        options = {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": loader,
            "contextResolver": ContextResolver({}, loader),
        }
        return str(jsonld.normalize(document, options))

    return normalize
