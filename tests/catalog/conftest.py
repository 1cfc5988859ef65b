"""Fixtures for the catalog tests: the official OB 3.0 schema, a real catalog, real data."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft201909Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT201909

from app.catalog import Catalog, default_catalog

OB3_SCHEMA = (
    Path(__file__).resolve().parents[2]
    / "app"
    / "credentials"
    / "schemas"
    / "ob_v3p0_achievementcredential_schema.json"
)

_CATALOG_DATA: dict[str, Any] = {
    "catalog": "Test Catalog",
    "version": "1",
    "language": "en",
    "fieldOfStudy": "Mathematics",
    "badges": [
        {
            "id": "T1",
            "title": "First Badge",
            "pathway": "Pathway One",
            "counts": {"cpes": 2, "indicators": 3},
            "cpes": [
                {
                    "code": "1a",
                    "text": "Do the first thing",
                    "indicators": [
                        {"code": "i", "text": "show the first thing", "alignments": ["S-1"]},
                        {"code": "ii", "text": None},
                    ],
                },
                {"code": "1b", "text": None},
            ],
            "alignments": [
                {
                    "framework": "Test Standards",
                    "code": "S-1",
                    "name": "Standard One",
                    "url": "https://standards.example/s-1",
                }
            ],
        },
        {
            "id": "T2",
            "title": "Second Badge",
            "pathway": "Pathway One",
            "counts": {"cpes": 1, "indicators": 1},
            "cpes": [
                {
                    "code": "2a",
                    "text": "Do another thing",
                    "indicators": [{"code": "i", "text": "x"}],
                }
            ],
            "prerequisites": ["T1"],
        },
    ],
}


@pytest.fixture(scope="session")
def achievement_validator() -> Draft201909Validator:
    """Validates an object against `$defs/Achievement` of the official OB 3.0 credential schema
    (the copy the service ships, checked by tests/test_provenance.py), resolving references only
    inside that file (no network)."""
    schema = json.loads(OB3_SCHEMA.read_text(encoding="utf-8"))
    resource = Resource.from_contents(schema, default_specification=DRAFT201909)
    registry: Registry[Any] = Registry().with_resource(schema["$id"], resource)
    return Draft201909Validator({"$ref": f"{schema['$id']}#/$defs/Achievement"}, registry=registry)


@pytest.fixture(scope="session")
def xq_catalog() -> Catalog:
    return default_catalog()


@pytest.fixture
def catalog_data() -> dict[str, Any]:
    """A small valid catalog as plain data, fresh for each test so tests can break it."""
    return copy.deepcopy(_CATALOG_DATA)


@pytest.fixture
def creator() -> dict[str, Any]:
    return {
        "id": "https://badges.example/issuers/xq",
        "type": ["Profile"],
        "name": "Example State Department of Education",
        "url": "https://education.example",
    }


@pytest.fixture
def achievement_args(creator: dict[str, Any]) -> Callable[[str], dict[str, Any]]:
    def args(code: str) -> dict[str, Any]:
        return {
            "achievement_id": f"https://badges.example/achievements/{code.lower()}",
            "image_url": f"https://badges.example/achievements/{code.lower()}/image.svg",
            "creator": creator,
            "version": 1,
        }

    return args
