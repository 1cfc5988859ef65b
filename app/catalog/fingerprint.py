"""A content hash of a badge, so a re-import can tell a changed badge from an unchanged one.

The hash is SHA-256 (hex) over the canonical JSON of the badge's explicit data form
(`serialize.badge_to_data`): keys sorted, no insignificant whitespace, UTF-8. Key order
and formatting of the source file, YAML versus JSON, and whether a default such as
`achievementType: Badge` was written out do not change it; any change of a text, code,
count, alignment, prerequisite, image or list order does.

The Achievement also shows the catalog's name, language and field of study. Pass `catalog`
to cover those too (the hash is then over `serialize.badge_to_definition`, the form the
service stores); the service must then always pass it, or fingerprints will not compare.
The catalog's version and source are never covered: a new edition of a catalog does not
change the badges it did not change.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from app.catalog.model import Badge, Catalog
from app.catalog.serialize import badge_to_data, badge_to_definition


def canonical_json(data: Any) -> bytes:
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def badge_fingerprint(badge: Badge, *, catalog: Catalog | None = None) -> str:
    """64 lowercase hex characters."""
    data = badge_to_data(badge) if catalog is None else badge_to_definition(badge, catalog)
    return hashlib.sha256(canonical_json(data)).hexdigest()
