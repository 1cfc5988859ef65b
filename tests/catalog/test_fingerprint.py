"""The fingerprint changes exactly when the badge's meaning changes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import yaml

from app.catalog import Badge, badge_fingerprint, parse_catalog, parse_catalog_text
from app.catalog.fingerprint import canonical_json
from app.catalog.serialize import badge_to_definition, definition_to_badge


def first_badge(data: dict[str, Any]) -> Badge:
    return parse_catalog(data, source="test").badges[0]


def reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(item) for item in value]
    return value


def test_it_is_a_sha256_hex_digest(catalog_data: dict[str, Any]) -> None:
    fingerprint = badge_fingerprint(first_badge(catalog_data))
    assert len(fingerprint) == 64
    assert set(fingerprint) <= set("0123456789abcdef")


def test_key_order_does_not_change_it(catalog_data: dict[str, Any]) -> None:
    reordered = reversed_keys(catalog_data)
    assert list(reordered["badges"][0]) != list(catalog_data["badges"][0])
    assert badge_fingerprint(first_badge(reordered)) == badge_fingerprint(first_badge(catalog_data))


def test_yaml_or_json_does_not_change_it(catalog_data: dict[str, Any]) -> None:
    from_yaml = parse_catalog_text(yaml.safe_dump(catalog_data), file_format="yaml", source="a")
    from_json = parse_catalog_text(json.dumps(catalog_data), file_format="json", source="b")
    assert badge_fingerprint(from_yaml.badges[0]) == badge_fingerprint(from_json.badges[0])


def test_spelling_out_defaults_does_not_change_it(catalog_data: dict[str, Any]) -> None:
    before = badge_fingerprint(parse_catalog(catalog_data, source="test").badges[1])
    catalog_data["badges"][1].update(achievementType="Badge", alignments=[])
    catalog_data["badges"][1]["cpes"][0]["indicators"][0]["alignments"] = []
    assert badge_fingerprint(parse_catalog(catalog_data, source="test").badges[1]) == before


def test_a_changed_cpe_text_changes_it(catalog_data: dict[str, Any]) -> None:
    before = badge_fingerprint(first_badge(catalog_data))
    catalog_data["badges"][0]["cpes"][0]["text"] = "Do the first thing well"
    assert badge_fingerprint(first_badge(catalog_data)) != before


def test_a_newly_provided_text_changes_it(catalog_data: dict[str, Any]) -> None:
    before = badge_fingerprint(first_badge(catalog_data))
    catalog_data["badges"][0]["cpes"][0]["indicators"][1]["text"] = "show it again"
    assert badge_fingerprint(first_badge(catalog_data)) != before


def test_reordered_cpes_change_it(catalog_data: dict[str, Any]) -> None:
    before = badge_fingerprint(first_badge(catalog_data))
    catalog_data["badges"][0]["cpes"].reverse()
    assert badge_fingerprint(first_badge(catalog_data)) != before


def test_with_a_catalog_it_covers_the_language(catalog_data: dict[str, Any]) -> None:
    catalog = parse_catalog(catalog_data, source="test")
    catalog_data["language"] = "es"
    spanish = parse_catalog(catalog_data, source="test")
    assert badge_fingerprint(catalog.badges[0], catalog=catalog) != badge_fingerprint(
        spanish.badges[0], catalog=spanish
    )


def test_a_new_catalog_edition_alone_does_not_change_it(catalog_data: dict[str, Any]) -> None:
    catalog = parse_catalog(catalog_data, source="test")
    catalog_data.update(version="2", source="A later edition")
    later = parse_catalog(catalog_data, source="test")
    assert badge_fingerprint(catalog.badges[0], catalog=catalog) == badge_fingerprint(
        later.badges[0], catalog=later
    )


def test_it_is_the_hash_of_the_stored_definition(catalog_data: dict[str, Any]) -> None:
    catalog = parse_catalog(catalog_data, source="test")
    definition = badge_to_definition(catalog.badges[0], catalog)
    assert hashlib.sha256(canonical_json(definition)).hexdigest() == badge_fingerprint(
        catalog.badges[0], catalog=catalog
    )


def test_a_stored_definition_gives_back_the_badge(catalog_data: dict[str, Any]) -> None:
    catalog = parse_catalog(catalog_data, source="test")
    stored = json.loads(json.dumps(badge_to_definition(catalog.badges[0], catalog)))
    badge, context = definition_to_badge(stored)
    assert badge == catalog.badges[0]
    assert (context.name, context.language, context.field_of_study) == (
        "Test Catalog",
        "en",
        "Mathematics",
    )
