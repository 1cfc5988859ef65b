"""Badge catalogs: the file format, its checks, and badges as Open Badges 3.0 Achievements.

Pure code (no web framework, no database), so the CLI, the web API and the tests use it alike.

- `loader`: files, uploads and parsed data -> a checked `Catalog`, or `CatalogError` listing
  every problem (file, badge, field, line, message); `default_catalog()` is the XQ catalog.
- `model`: the immutable catalog values.
- `achievement`: a badge -> an OB 3.0 `Achievement` object, one ResultDescription per CPE.
- `fingerprint`: a content hash telling whether a re-imported badge changed.
- `badge_image`: a generated, accessible SVG badge image.
- `serialize`: the model back to the file format (export, canonical form).

The format itself is described in FORMAT.md and catalog.schema.json beside this file.
"""

from app.catalog.achievement import CpeResultIds, build_achievement, cpe_result_ids
from app.catalog.badge_image import badge_svg
from app.catalog.fingerprint import badge_fingerprint
from app.catalog.loader import (
    DEFAULT_CATALOG_PATH,
    CatalogFormat,
    default_catalog,
    format_for_filename,
    load_catalog_file,
    parse_catalog,
    parse_catalog_text,
)
from app.catalog.model import AlignmentTarget, Badge, Catalog, Cpe, DeclaredCounts, Indicator
from app.catalog.problems import CatalogError, CatalogProblem

__all__ = [
    "DEFAULT_CATALOG_PATH",
    "AlignmentTarget",
    "Badge",
    "Catalog",
    "CatalogError",
    "CatalogFormat",
    "CatalogProblem",
    "Cpe",
    "CpeResultIds",
    "DeclaredCounts",
    "Indicator",
    "badge_fingerprint",
    "badge_svg",
    "build_achievement",
    "cpe_result_ids",
    "default_catalog",
    "format_for_filename",
    "load_catalog_file",
    "parse_catalog",
    "parse_catalog_text",
]
