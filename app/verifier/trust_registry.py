"""Trust registries: the issuers an operator recognises, by DID, from local files.

The format is the Digital Credentials Consortium's issuer registry, which its verifiers and
wallets read (``registry.json`` of its member, community and sandbox registries)::

    {"meta": {"created": "...", "updated": "...", "name": "optional display name"},
     "registry": {"did:web:registrar.example.edu": {"name": "...", "url": "...",
                                                    "location": "..."}}}

Files are read once, when the service starts; a file that cannot be read or is not of this
shape stops the start with the file's name and the problem. Nothing is fetched. Registries are
consulted in the order configured, most authoritative first: a DID in two of them is reported
with the first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class TrustRegistryError(ValueError):
    pass


@dataclass(frozen=True)
class Listing:
    """One issuer as a registry lists it."""

    registry: str
    did: str
    name: str
    url: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class TrustRegistry:
    name: str
    entries: Mapping[str, Listing]


def _optional_text(entry: Mapping[str, Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise TrustRegistryError(f"{where}: {key} must be a string")
    return value


def parse_registry(document: Any, default_name: str, where: str) -> TrustRegistry:
    """A registry from its JSON document; ``where`` names it in error messages."""
    if not isinstance(document, Mapping) or not isinstance(document.get("registry"), Mapping):
        raise TrustRegistryError(f"{where}: expected an object with a 'registry' object")
    meta = document.get("meta")
    meta = meta if isinstance(meta, Mapping) else {}
    stated = meta.get("name")
    name = stated.strip() if isinstance(stated, str) and stated.strip() else default_name
    entries: dict[str, Listing] = {}
    for did, entry in document["registry"].items():
        at = f"{where}: registry[{did!r}]"
        if not did.startswith("did:"):
            raise TrustRegistryError(f"{at}: the key must be a DID")
        if not isinstance(entry, Mapping):
            raise TrustRegistryError(f"{at}: must be an object")
        listed_name = entry.get("name")
        if not isinstance(listed_name, str) or not listed_name.strip():
            raise TrustRegistryError(f"{at}: name must be a non-empty string")
        entries[did] = Listing(
            registry=name,
            did=did,
            name=listed_name.strip(),
            url=_optional_text(entry, "url", at),
            location=_optional_text(entry, "location", at),
        )
    return TrustRegistry(name=name, entries=entries)


def load_registry(path: Path) -> TrustRegistry:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TrustRegistryError(f"trust registry {path}: cannot be read: {error}") from error
    return parse_registry(document, path.stem, f"trust registry {path}")


class TrustRegistries:
    """The configured registries, in order."""

    def __init__(self, registries: Iterable[TrustRegistry] = ()) -> None:
        self.registries = list(registries)

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> TrustRegistries:
        return cls(load_registry(path) for path in paths)

    def lookup(self, did: str) -> Listing | None:
        for registry in self.registries:
            listing = registry.entries.get(did)
            if listing is not None:
                return listing
        return None
