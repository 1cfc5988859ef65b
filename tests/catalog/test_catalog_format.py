"""The documented format: the schema is a valid 2020-12 schema and FORMAT.md's example loads."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from jsonschema import Draft202012Validator

from app.catalog import parse_catalog_text
from app.catalog.schema import catalog_schema

CATALOG_DIR = Path(__file__).resolve().parents[2] / "app" / "catalog"


def test_the_catalog_schema_is_a_valid_2020_12_schema() -> None:
    Draft202012Validator.check_schema(catalog_schema())
    assert catalog_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_example_in_format_md_is_a_valid_catalog() -> None:
    text = (CATALOG_DIR / "FORMAT.md").read_text(encoding="utf-8")
    example = re.search(r"## Example\n\n```yaml\n(.*?)```", text, re.DOTALL)
    assert example is not None
    catalog = parse_catalog_text(example.group(1), file_format="yaml", source="FORMAT.md")
    assert catalog.badge_ids == ("M101",)


def test_the_public_api_imports_no_web_framework_or_database() -> None:
    code = (
        "import sys, app.catalog\n"
        "frameworks = ('fastapi', 'sqlalchemy', 'starlette')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in frameworks))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
