"""Catalog import over HTTP: atomic, every error located, nothing stored on failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.issuer.issuers import IssuerDraft, create_issuer
from app.runtime import Runtime
from app.store.models import AchievementVersion, CatalogImport
from tests.api.test_problems import assert_problem
from tests.helpers import bearer

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "educator-microcredentials.yaml"


@pytest.fixture
def district(runtime: Runtime) -> str:
    with runtime.sessions() as session:
        create_issuer(
            session,
            runtime.keystore,
            IssuerDraft(slug="wake", name="Wake County Public Schools", parent_slug="xq"),
        )
        session.commit()
    return "wake"


def stored_rows(runtime: Runtime) -> tuple[int, int]:
    with runtime.sessions() as session:
        versions = session.scalar(select(func.count(AchievementVersion.id)))
        imports = session.scalar(select(func.count(CatalogImport.id)))
    return int(versions or 0), int(imports or 0)


def post_catalog(
    client: TestClient, token: str, body: bytes, issuer: str, media: str = "application/yaml"
):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/catalogs?issuer={issuer}",
        content=body,
        headers={**bearer(token), "content-type": media},
    )


def test_a_district_loads_its_own_catalog(client: TestClient, make_token, district: str) -> None:
    token = make_token("catalog:write", issuer=district)
    response = post_catalog(client, token, SAMPLE.read_bytes(), district)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 0, 0)
    listed = client.get("/achievements", params={"issuer": district}).json()["achievements"]
    assert [item["achievementType"] for item in listed] == ["MicroCredential", "MicroCredential"]
    assert listed[0]["creator"]["parentOrg"]["name"] == "XQ Institute"


def test_json_catalogs_are_accepted_too(client: TestClient, make_token, district: str) -> None:
    body = json.dumps(yaml.safe_load(SAMPLE.read_text())).encode()
    response = post_catalog(
        client, make_token("catalog:write", issuer=district), body, district, "application/json"
    )
    assert response.status_code == 201, response.text


def test_importing_the_same_file_twice_changes_nothing(
    client: TestClient, make_token, district: str
) -> None:
    token = make_token("catalog:write", issuer=district)
    post_catalog(client, token, SAMPLE.read_bytes(), district)
    again = post_catalog(client, token, SAMPLE.read_bytes(), district).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def _broken(mutate) -> bytes:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(SAMPLE.read_text())
    mutate(data)
    return yaml.safe_dump(data, sort_keys=False).encode()


BROKEN = {
    "missing title": lambda d: d["badges"][0].pop("title"),
    "duplicate badge id": lambda d: d["badges"][1].update(id="EMC-01"),
    "cpe count differs": lambda d: d["badges"][0]["counts"].update(cpes=3),
    "too many indicators": lambda d: d["badges"][1]["counts"].update(indicators=0),
    "unknown prerequisite": lambda d: d["badges"][1].update(prerequisites=["EMC-99"]),
    "unknown field": lambda d: d["badges"][0].update(colour="blue"),
    "duplicate cpe code": lambda d: d["badges"][0]["cpes"][1].update(code="emc01a"),
    "blank text": lambda d: d["badges"][0]["cpes"][0].update(text="  "),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_each_kind_of_error_is_a_located_422_and_nothing_is_stored(
    client: TestClient, runtime: Runtime, make_token, district: str, kind: str
) -> None:
    before = stored_rows(runtime)
    response = post_catalog(
        client, make_token("catalog:write", issuer=district), _broken(BROKEN[kind]), district
    )
    body = assert_problem(response, 422, "validation-error")
    assert body["errors"], kind
    for error in body["errors"]:
        assert {"file", "badge", "field", "message", "location"} <= error.keys()
    assert stored_rows(runtime) == before


def test_all_errors_are_reported_together(client: TestClient, make_token, district: str) -> None:
    def several(data: dict) -> None:
        data["badges"][0].pop("title")
        data["badges"][1]["prerequisites"] = ["EMC-99"]
        data["badges"][1]["counts"]["cpes"] = 5

    response = post_catalog(
        client, make_token("catalog:write", issuer=district), _broken(several), district
    )
    body = assert_problem(response, 422, "validation-error")
    assert {error["badge"] for error in body["errors"]} == {"EMC-01", "EMC-02"}
    assert len(body["errors"]) >= 3


def test_yaml_syntax_error_is_located_by_line(
    client: TestClient, make_token, district: str
) -> None:
    response = post_catalog(
        client, make_token("catalog:write", issuer=district), b"catalog: [unclosed\n", district
    )
    body = assert_problem(response, 422, "validation-error")
    assert body["errors"][0]["line"] is not None


def test_other_media_types_are_a_415_problem(client: TestClient, make_token, district: str) -> None:
    response = post_catalog(
        client, make_token("catalog:write", issuer=district), b"x", district, "text/plain"
    )
    assert_problem(response, 415, "unsupported-media-type")


def test_a_client_cannot_import_for_another_issuer(
    client: TestClient, make_token, district: str
) -> None:
    response = post_catalog(
        client, make_token("catalog:write", issuer=district), SAMPLE.read_bytes(), "xq"
    )
    assert_problem(response, 403, "forbidden")


def test_a_parent_client_with_descendants_imports_for_a_district(
    client: TestClient, make_token, district: str
) -> None:
    token = make_token("catalog:write", issuer="xq", covers_descendants=True)
    response = post_catalog(client, token, SAMPLE.read_bytes(), district)
    assert response.status_code == 201, response.text
