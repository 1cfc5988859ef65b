"""Loading catalogs from files, uploads and parsed data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.catalog import (
    DEFAULT_CATALOG_PATH,
    CatalogError,
    default_catalog,
    format_for_filename,
    load_catalog_file,
    parse_catalog,
    parse_catalog_text,
)
from app.catalog.serialize import catalog_to_data


def test_parsed_data_becomes_a_catalog(catalog_data: dict[str, Any]) -> None:
    catalog = parse_catalog(catalog_data, source="test")
    assert catalog.badge_ids == ("T1", "T2")
    assert catalog.badge("T2").prerequisites == ("T1",)


def test_defaults_fill_optional_fields(catalog_data: dict[str, Any]) -> None:
    badge = parse_catalog(catalog_data, source="test").badge("T2")
    assert (badge.alignments, badge.description, badge.image, badge.achievement_type) == (
        (),
        None,
        None,
        "Badge",
    )


def test_a_null_text_means_not_yet_provided(catalog_data: dict[str, Any]) -> None:
    cpe = parse_catalog(catalog_data, source="test").badge("T1").cpes[1]
    assert cpe.text is None
    assert not cpe.text_provided


def test_a_whole_number_version_is_read_as_text(catalog_data: dict[str, Any]) -> None:
    catalog_data["version"] = 3
    assert parse_catalog(catalog_data, source="test").version == "3"


def test_an_educator_micro_credential_keeps_its_type(catalog_data: dict[str, Any]) -> None:
    catalog_data["badges"][0]["achievementType"] = "MicroCredential"
    assert parse_catalog(catalog_data, source="test").badge("T1").achievement_type == (
        "MicroCredential"
    )


@pytest.mark.parametrize(
    ("suffix", "dump"),
    [
        (".yaml", lambda data: yaml.safe_dump(data, allow_unicode=True)),
        (".yml", lambda data: yaml.safe_dump(data, allow_unicode=True)),
        (".json", json.dumps),
        (".JSON", json.dumps),
    ],
)
def test_files_load_by_suffix(
    tmp_path: Path, catalog_data: dict[str, Any], suffix: str, dump: Any
) -> None:
    path = tmp_path / f"catalog{suffix}"
    path.write_text(dump(catalog_data), encoding="utf-8")
    assert load_catalog_file(path) == parse_catalog(catalog_data, source="test")


def test_an_unknown_suffix_is_a_problem_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "catalog.txt"
    path.write_text("catalog: x", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog_file(path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.field) == (str(path), "$")
    assert "unsupported file type '.txt'" in problem.message


def test_a_missing_file_is_not_a_catalog_problem(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_catalog_file(tmp_path / "absent.yaml")


def test_uploaded_bytes_with_a_byte_order_mark_are_read(catalog_data: dict[str, Any]) -> None:
    body = b"\xef\xbb\xbf" + json.dumps(catalog_data).encode("utf-8")
    catalog = parse_catalog_text(body, file_format="json", source="upload")
    assert catalog.name == "Test Catalog"


def test_uploaded_yaml_text_is_read(catalog_data: dict[str, Any]) -> None:
    text = yaml.safe_dump(catalog_data)
    assert parse_catalog_text(text, file_format="yaml", source="upload") == parse_catalog(
        catalog_data, source="test"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.yaml", "yaml"), ("a.YML", "yaml"), ("dir/a.json", "json"), ("a.txt", None), ("a", None)],
)
def test_format_follows_the_file_name(name: str, expected: str | None) -> None:
    assert format_for_filename(name) == expected


def test_export_and_reload_give_the_same_catalog(catalog_data: dict[str, Any]) -> None:
    catalog = parse_catalog(catalog_data, source="test")
    assert parse_catalog(catalog_to_data(catalog), source="export") == catalog


def test_the_default_catalog_is_loaded_once() -> None:
    assert default_catalog() is default_catalog()


def test_the_default_catalog_path_is_the_shipped_file() -> None:
    assert DEFAULT_CATALOG_PATH.name == "xq-math.yaml"
    assert DEFAULT_CATALOG_PATH.is_file()
