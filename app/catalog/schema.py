"""The catalog JSON Schema (catalog.schema.json) and its errors in words a catalog editor uses.

jsonschema's own messages quote whole values and speak of "additional properties"; here each
error becomes a `Finding` at the exact path (a missing field is reported at the field's own
path, each unknown field separately, with a spelling suggestion), and patterns carry the
readable explanation stored in the schema's `x-message` keyword.
"""

from __future__ import annotations

import datetime
import difflib
import json
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from app.catalog.problems import Finding, Path

SCHEMA_RESOURCE = "catalog.schema.json"
_EXPLAINED_VALIDATORS = {"pattern", "anyOf", "enum", "minLength"}
_JSON_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "object": "a mapping of fields",
    "array": "a list",
    "boolean": "true or false",
    "null": "null",
}


@cache
def catalog_schema() -> Mapping[str, Any]:
    """The parsed catalog.schema.json shipped beside this module."""
    text = resources.files("app.catalog").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(catalog_schema())


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, datetime.date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _subschema(error: ValidationError) -> Mapping[str, Any]:
    return error.schema if isinstance(error.schema, Mapping) else {}


def _validator_value(error: ValidationError) -> Any:
    value: Any = error.validator_value
    return value


def _type_message(error: ValidationError) -> str:
    expected = _validator_value(error)
    names = [expected] if isinstance(expected, str) else list(expected)
    wanted = " or ".join(_JSON_TYPE_NAMES.get(name, name) for name in names)
    message = f"must be {wanted}, not {_kind(error.instance)}"
    if "string" in names and isinstance(error.instance, int | float | bool | datetime.date):
        message += " (put the value in quotes)"
    return message


def _unknown_field_findings(error: ValidationError, path: Path) -> Iterator[Finding]:
    instance = error.instance
    known = list(_subschema(error).get("properties", {}))
    if not isinstance(instance, dict):
        return
    for key in instance:
        if key in known:
            continue
        message = f"unknown field '{key}'"
        close = difflib.get_close_matches(str(key), known, n=1)
        if close:
            message += f"; did you mean '{close[0]}'?"
        yield Finding((*path, str(key)), message)


def _required_findings(error: ValidationError, path: Path) -> Iterator[Finding]:
    if not isinstance(error.instance, dict):
        return
    for name in _validator_value(error):
        if name not in error.instance:
            yield Finding((*path, name), f"missing required field '{name}'")


def _message(error: ValidationError) -> str:
    explained = _subschema(error).get("x-message")
    if error.validator in _EXPLAINED_VALIDATORS and explained:
        return str(explained)
    if error.validator == "type":
        return _type_message(error)
    if error.validator == "minItems":
        return f"must list at least {_validator_value(error)} item(s)"
    if error.validator == "uniqueItems":
        return "lists the same value more than once"
    if error.validator == "maxLength":
        return f"is too long (at most {_validator_value(error)} characters)"
    if error.validator == "minimum":
        return f"must be at least {_validator_value(error)}"
    if error.validator == "maximum":
        return f"must be at most {_validator_value(error)}"
    return error.message


def _findings(error: ValidationError) -> Iterator[Finding]:
    path: Path = tuple(error.absolute_path)
    if error.validator == "required":
        yield from _required_findings(error, path)
    elif error.validator == "additionalProperties":
        yield from _unknown_field_findings(error, path)
    else:
        yield Finding(path, _message(error))


def schema_findings(data: object) -> list[Finding]:
    """Every schema violation of `data`, each once, in no particular order."""
    unique: dict[tuple[Path, str], Finding] = {}
    for error in _validator().iter_errors(data):
        for finding in _findings(error):
            unique.setdefault((finding.path, finding.message), finding)
    return list(unique.values())
