from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft201909Validator
from referencing.exceptions import Unresolvable

from app.credentials.errors import UnknownSchema
from app.credentials.schema_validation import (
    SCHEMA_FILES,
    SCHEMA_NAMES,
    SchemaProblem,
    schema,
    schema_registry,
    validate_against,
    validate_definition,
)

PACKAGE_SCHEMAS = Path(__file__).resolve().parents[2] / "app" / "credentials" / "schemas"

pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture
def basic(read_json) -> dict[str, Any]:
    return read_json("examples/ob3-basic-openbadgecredential.json")


def paths(problems: list[SchemaProblem]) -> list[str]:
    return [problem.path for problem in problems]


def test_every_shipped_schema_file_is_named():
    assert sorted(SCHEMA_FILES.values()) == sorted(path.name for path in PACKAGE_SCHEMAS.iterdir())


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_schema_is_a_valid_draft_2019_09_schema(name):
    Draft201909Validator.check_schema(schema(name))


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_reference_resolves_offline(name):
    document = schema(name)
    resolver = schema_registry().resolver(base_uri=document["$id"])
    references = set(re.findall(r'"\$ref"\s*:\s*"([^"]+)"', json.dumps(document)))
    assert references
    for reference in references:
        resolver.lookup(reference)


def test_an_unknown_reference_is_not_fetched():
    resolver = schema_registry().resolver()
    with pytest.raises(Unresolvable):
        resolver.lookup("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/unknown.json")


@pytest.mark.parametrize(
    ("example", "name"),
    [
        ("examples/ob3-basic-openbadgecredential.json", "ob3.achievementcredential"),
        ("examples/ob3-full-openbadgecredential.json", "ob3.achievementcredential"),
        ("examples/ob3-implguide-unsigned-credential.json", "ob3.achievementcredential"),
        (
            "examples/ob3-signed-openbadgecredential-eddsa-rdfc-2022.json",
            "ob3.achievementcredential",
        ),
        ("examples/ob3-endorsementcredential.json", "ob3.endorsementcredential"),
        ("examples/clr2-signed-clrcredential-eddsa-rdfc-2022.json", "clr2.clrcredential"),
    ],
)
def test_accepts_official_example(read_json, example, name):
    assert validate_against(read_json(example), name) == []


def test_reports_every_problem_with_its_path(basic):
    del basic["issuer"]
    basic["credentialSubject"]["achievement"]["name"] = 5
    basic["validFrom"] = "yesterday"
    basic["type"] = ["VerifiableCredential"]
    problems = validate_against(basic, "ob3.achievementcredential")
    assert paths(problems) == [
        "$",
        "$.credentialSubject.achievement.name",
        "$.type",
        "$.validFrom",
    ]
    by_path = {problem.path: problem for problem in problems}
    assert "'issuer' is a required property" in by_path["$"].message
    assert by_path["$"].keyword == "required"
    assert "not of type 'string'" in by_path["$.credentialSubject.achievement.name"].message
    assert by_path["$.validFrom"].keyword == "format"


def test_points_into_arrays(read_json):
    credential = read_json("examples/ob3-full-openbadgecredential.json")
    credential["credentialSubject"]["achievement"]["alignment"][0]["targetName"] = 7
    problems = validate_against(credential, "ob3.achievementcredential")
    assert paths(problems) == ["$.credentialSubject.achievement.alignment[0].targetName"]


def test_rejects_an_endorsement_checked_as_an_achievement_credential(read_json):
    endorsement = read_json("examples/ob3-endorsementcredential.json")
    problems = validate_against(endorsement, "ob3.achievementcredential")
    assert "$.credentialSubject" in paths(problems)


@pytest.mark.parametrize(
    "timestamp",
    ["2010-01-01T00:00:00Z", "2010-01-01T19:23:24.123+02:00", "2016-12-31t23:59:60z"],
)
def test_accepts_rfc3339_date_times(basic, timestamp):
    basic["validFrom"] = timestamp
    assert validate_against(basic, "ob3.achievementcredential") == []


@pytest.mark.parametrize(
    "timestamp",
    [
        "2010-01-01",
        "2010-01-01T00:00:00",
        "2010-02-30T00:00:00Z",
        "2010-01-01 00:00:00Z",
        "2010-01-01T24:00:00Z",
        "2010-01-01T00:00:00+25:00",
        "2010-01-01T00:30:60Z",
        "yesterday",
    ],
)
def test_refuses_other_date_times(basic, timestamp):
    basic["validFrom"] = timestamp
    assert paths(validate_against(basic, "ob3.achievementcredential")) == ["$.validFrom"]


def test_validates_an_achievement_fragment(read_json):
    credential = read_json("examples/ob3-full-openbadgecredential.json")
    assert validate_definition(credential["credentialSubject"]["achievement"], "Achievement") == []


def test_reports_what_an_achievement_fragment_lacks():
    problems = validate_definition({"id": "urn:example:1", "type": ["Achievement"]}, "Achievement")
    messages = " ".join(problem.message for problem in problems)
    for required in ("criteria", "description", "name"):
        assert f"'{required}' is a required property" in messages


def test_profile_definition_and_standalone_profile_schema_agree(read_json):
    issuer = read_json("examples/ob3-full-openbadgecredential.json")["issuer"]
    assert validate_definition(issuer, "Profile") == []
    assert validate_against(issuer, "ob3.profile") == []
    incomplete = {"type": ["Profile"], "name": "No id"}
    assert validate_definition(incomplete, "Profile") == validate_against(incomplete, "ob3.profile")


def test_refuses_an_unknown_schema_name(basic):
    with pytest.raises(UnknownSchema):
        validate_against(basic, "ob3.badge")  # type: ignore[arg-type]


def test_refuses_an_unknown_definition(basic):
    with pytest.raises(UnknownSchema):
        validate_definition(basic, "Badge")


def test_schema_copies_are_private():
    schema("ob3.profile")["title"] = "changed"
    assert schema("ob3.profile")["title"] != "changed"


def test_reports_each_failing_array_item(read_json):
    credential = read_json("examples/ob3-full-openbadgecredential.json")
    alignments = credential["credentialSubject"]["achievement"]["alignment"]
    assert len(alignments) >= 2
    alignments[0]["targetName"] = 7
    del alignments[1]["targetUrl"]
    problems = validate_against(credential, "ob3.achievementcredential")
    assert paths(problems) == [
        "$.credentialSubject.achievement.alignment[0].targetName",
        "$.credentialSubject.achievement.alignment[1]",
    ]


MUTATIONS = {
    "validFrom not a date-time": lambda doc: doc.update(validFrom="yesterday"),
    "an impossible date": lambda doc: doc.update(validFrom="2026-02-30T00:00:00Z"),
    "type without the credential type": lambda doc: doc.update(type=["VerifiableCredential"]),
    "issuer missing": lambda doc: doc.pop("issuer"),
    "subject an array of strings": lambda doc: doc.update(credentialSubject=["x"]),
    "identityType outside the enum": lambda doc: doc["credentialSubject"].update(
        identifier=[
            {
                "type": "IdentityObject",
                "identityHash": "x",
                "identityType": "studentId",
                "hashed": False,
            }
        ]
    ),
    "achievement without criteria": lambda doc: doc["credentialSubject"]["achievement"].pop(
        "criteria"
    ),
}


@pytest.mark.parametrize("mutation", MUTATIONS.values(), ids=list(MUTATIONS))
def test_the_compiled_validator_agrees_with_the_python_one(basic, mutation):
    """The compiled validator decides alone only when it says valid: it must never pass a
    document the Python validator (the one that explains problems) refuses."""
    from app.credentials.schema_validation import _fast_validator, _validator

    mutation(basic)
    python_valid = not list(_validator("ob3.achievementcredential").iter_errors(basic))
    fast = _fast_validator("ob3.achievementcredential")
    assert fast is not None
    assert fast.is_valid(basic) == python_valid
    assert not python_valid
