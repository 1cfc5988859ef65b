"""Validate documents against the 1EdTech JSON Schemas shipped in ``schemas/``.

The schemas are draft 2019-09 and refer to each other by their ``$id`` URLs at
purl.imsglobal.org; all of them are registered up front in a ``referencing`` registry without a
retrieve hook, so a ``$ref`` is resolved from the package or fails, never fetched. Formats are
checked: ``date`` by jsonschema, ``date-time`` (RFC 3339, which jsonschema only checks with an
extra package) here.

Every problem is reported, not only the first, each with the JSON path of the value at fault.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any, Final, Literal, get_args

import jsonschema_rs
from jsonschema import Draft201909Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT201909

from app.credentials.errors import UnknownSchema
from app.credentials.json_path import json_path

SchemaName = Literal[
    "ob3.achievementcredential",
    "ob3.endorsementcredential",
    "ob3.profile",
    "ob3.getopenbadgecredentialsresponse",
    "ob3.imsx_statusinfo",
    "clr2.clrcredential",
    "clr2.achievementcredential",
    "clr2.endorsementcredential",
    "clr2.profile",
    "clr2.getclrcredentialsresponse",
    "clr2.imsx_statusinfo",
]
SCHEMA_NAMES: Final[tuple[SchemaName, ...]] = get_args(SchemaName)

SCHEMA_FILES: Final[Mapping[SchemaName, str]] = {
    name: f"{'ob_v3p0' if name.startswith('ob3.') else 'clr_v2p0'}_{name.split('.')[1]}_schema.json"
    for name in SCHEMA_NAMES
}

DEFINITIONS_SCHEMA: Final[SchemaName] = "ob3.achievementcredential"
"""Whose ``$defs`` :func:`validate_definition` uses (Achievement, Profile, Result, ...)."""

_LONG_INSTANCE = 80
_MAX_ALTERNATIVES = 4
_RFC3339_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))"
)


@dataclass(frozen=True, slots=True, order=True)
class SchemaProblem:
    """One way a document fails its schema."""

    path: str
    message: str
    keyword: str
    """The JSON Schema keyword that failed (``required``, ``type``, ``oneOf``...)."""


def validate_against(document: Any, schema_name: SchemaName) -> list[SchemaProblem]:
    """Every problem of ``document`` against the named schema; empty when it is valid.

    jsonschema-rs (compiled, some fifty times faster) answers the common case, a valid
    document; only a document it finds invalid goes through the Python validator, whose
    located, readable problems are what callers report.
    """
    fast = _fast_validator(schema_name)
    if fast is not None and fast.is_valid(document):
        return []
    return _problems(_validator(schema_name).iter_errors(document))


def validate_definition(document: Any, definition: str) -> list[SchemaProblem]:
    """Every problem of a fragment (an Achievement, a Profile...) against that ``$defs`` entry
    of the OB 3.0 AchievementCredential schema."""
    return _problems(_definition_validator(definition).iter_errors(document))


def schema(schema_name: SchemaName) -> dict[str, Any]:
    """The parsed schema (a fresh copy)."""
    parsed: dict[str, Any] = json.loads(_schema_text(schema_name))
    return parsed


@cache
def _schema_text(schema_name: SchemaName) -> str:
    if schema_name not in SCHEMA_FILES:
        raise UnknownSchema(f"no schema is called {schema_name!r}")
    return (files("app.credentials") / "schemas" / SCHEMA_FILES[schema_name]).read_text("utf-8")


@cache
def schema_registry() -> Registry[Any]:
    """Every shipped schema under its ``$id``; nothing outside it can be resolved."""
    resources = [
        Resource.from_contents(schema(name), default_specification=DRAFT201909)
        for name in SCHEMA_NAMES
    ]
    return Registry().with_resources((resource.id() or "", resource) for resource in resources)


@cache
def _validator(schema_name: SchemaName) -> Draft201909Validator:
    return Draft201909Validator(
        schema(schema_name), registry=schema_registry(), format_checker=_format_checker()
    )


@cache
def _fast_validator(schema_name: SchemaName) -> jsonschema_rs.Draft201909Validator | None:
    """The compiled validator, or ``None`` for a schema it cannot take (outside references)."""
    try:
        return jsonschema_rs.Draft201909Validator(schema(schema_name), validate_formats=True)
    except (ValueError, jsonschema_rs.ValidationError):
        return None


@cache
def _definition_validator(definition: str) -> Draft201909Validator:
    owner = schema(DEFINITIONS_SCHEMA)
    if definition not in owner.get("$defs", {}):
        raise UnknownSchema(f"the OB 3.0 schema defines no {definition!r}")
    reference = {"$ref": f"{owner['$id']}#/$defs/{definition}"}
    return Draft201909Validator(
        reference, registry=schema_registry(), format_checker=_format_checker()
    )


@cache
def _format_checker() -> FormatChecker:
    checker = FormatChecker(Draft201909Validator.FORMAT_CHECKER.checkers)
    checker.checks("date-time", raises=ValueError)(_is_rfc3339_date_time)
    return checker


def _is_rfc3339_date_time(instance: object) -> bool:
    """RFC 3339 ``date-time``; ``datetime()`` raises ValueError on impossible dates such as
    February 30, which the format checker reports like a ``False``."""
    if not isinstance(instance, str):
        return True
    match = _RFC3339_DATE_TIME.fullmatch(instance)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(match.group(index)) for index in range(1, 7))
    datetime(year, month, day, hour, minute, min(second, 59))
    offset_hours, offset_minutes = match.group(9), match.group(10)
    leap_second_ok = second <= 59 or (second == 60 and minute == 59)
    offset_ok = offset_hours is None or (int(offset_hours) <= 23 and int(offset_minutes) <= 59)
    return leap_second_ok and offset_ok


def _problems(errors: Iterable[ValidationError]) -> list[SchemaProblem]:
    return sorted({problem for error in errors for problem in _describe(error)})


def _describe(error: ValidationError) -> list[SchemaProblem]:
    """The problems behind ``error``, looking through ``oneOf``/``anyOf`` where one branch
    clearly applies.

    The 1EdTech schemas allow most values either once or as an array (``oneOf``: the object,
    or an array of it). When an array fails inside, the object branch only says "not an
    object"; the branch that reached into the value tells what is wrong, item by item.
    """
    reaching = _branches_reaching_deeper(error)
    if len(reaching) == 1:
        return [problem for inner in reaching[0] for problem in _describe(inner)]
    message = _short_message(error)
    alternatives = sorted(
        {_short_message(branch) for branch in error.context or () if not branch.path}
    )
    if alternatives:
        shown = "; ".join(alternatives[:_MAX_ALTERNATIVES])
        more = "; ..." if len(alternatives) > _MAX_ALTERNATIVES else ""
        message = f"{message} ({shown}{more})"
    path = json_path(error.absolute_path)
    return [SchemaProblem(path=path, message=message, keyword=str(error.validator))]


def _branches_reaching_deeper(error: ValidationError) -> list[list[ValidationError]]:
    branches: dict[object, list[ValidationError]] = {}
    for inner in error.context or ():
        branch = inner.relative_schema_path[0] if inner.relative_schema_path else None
        branches.setdefault(branch, []).append(inner)
    return [errors for errors in branches.values() if any(inner.path for inner in errors)]


def _short_message(error: ValidationError) -> str:
    shown = repr(error.instance)
    if len(shown) > _LONG_INSTANCE and error.message.startswith(shown):
        return "the value" + error.message[len(shown) :]
    return error.message
