"""Issuer profiles, hierarchy, DID documents and key rotation, through the HTTP API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.bootstrap import bootstrap
from app.credentials.document_loader import default_document_loader
from app.credentials.jsonld import expand_strict
from app.credentials.schema_validation import validate_against
from app.issuer.issuers import IssuerDraft, create_issuer, get_issuer, rotate_keys
from app.main import create_app
from app.runtime import Runtime
from app.settings import Settings
from tests.api.test_problems import assert_problem
from tests.helpers import bearer


def _add_issuer(runtime: Runtime, slug: str, name: str, parent: str | None) -> None:
    with runtime.sessions() as session:
        create_issuer(
            session, runtime.keystore, IssuerDraft(slug=slug, name=name, parent_slug=parent)
        )
        session.commit()


def _rotate(runtime: Runtime, slug: str) -> None:
    with runtime.sessions() as session:
        rotate_keys(session, runtime.keystore, get_issuer(session, slug))
        session.commit()


def test_profile_is_json_ld_with_the_issuer_did_as_id(client: TestClient) -> None:
    response = client.get("/issuers/xq")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    profile = response.json()
    assert profile["id"].startswith("did:key:z6Mk")
    assert profile["type"] == ["Profile"]
    assert profile["name"] == "XQ Institute"


def test_profile_nests_the_parent_organisations(client: TestClient, runtime: Runtime) -> None:
    _add_issuer(runtime, "idaho", "Idaho State Department of Education", parent=None)
    _add_issuer(runtime, "boise", "Boise School District", parent="idaho")
    _add_issuer(runtime, "boise-high", "Boise High School", parent="boise")
    profile = client.get("/issuers/boise-high").json()
    assert profile["name"] == "Boise High School"
    assert profile["parentOrg"]["name"] == "Boise School District"
    assert profile["parentOrg"]["parentOrg"]["name"] == "Idaho State Department of Education"
    assert "parentOrg" not in profile["parentOrg"]["parentOrg"]
    assert profile["parentOrg"]["id"] == client.get("/issuers/boise").json()["id"]


def test_nested_profile_expands_and_validates(client: TestClient, runtime: Runtime) -> None:
    _add_issuer(runtime, "idaho", "Idaho State Department of Education", parent=None)
    _add_issuer(runtime, "boise", "Boise School District", parent="idaho")
    profile = client.get("/issuers/boise").json()
    assert expand_strict(profile, default_document_loader())
    assert validate_against(profile, "ob3.profile") == []


def test_did_document_is_served_as_did_json(client: TestClient) -> None:
    response = client.get("/issuers/xq/did.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/did+json"
    document = response.json()
    assert document["id"] == client.get("/issuers/xq").json()["id"]
    method = document["verificationMethod"][0]
    assert method["type"] == "Multikey"
    assert method["publicKeyMultibase"].startswith("z6Mk")
    assert method["id"] in document["assertionMethod"]


def test_did_key_issuer_gets_a_new_did_on_rotation(client: TestClient, runtime: Runtime) -> None:
    before = client.get("/issuers/xq").json()["id"]
    _rotate(runtime, "xq")
    after = client.get("/issuers/xq").json()["id"]
    assert before != after
    assert after.startswith("did:key:")


@pytest.fixture
def https_runtime(settings: Settings) -> Iterator[Runtime]:
    runtime = Runtime.from_settings(
        settings.model_copy(update={"public_base_url": "https://badges.example.org:8443/xq"})
    )
    bootstrap(runtime)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def https_client(https_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=https_runtime)) as test_client:
        yield test_client


def test_https_deployment_uses_did_web(https_client: TestClient) -> None:
    profile = https_client.get("/issuers/xq").json()
    assert profile["id"] == "did:web:badges.example.org%3A8443:xq:issuers:xq"


def test_rotation_keeps_old_keys_in_the_did_web_document(
    https_client: TestClient, https_runtime: Runtime
) -> None:
    first = https_client.get("/issuers/xq/did.json").json()
    _rotate(https_runtime, "xq")
    second = https_client.get("/issuers/xq/did.json").json()
    assert second["id"] == first["id"]
    old_ids = {method["id"] for method in first["verificationMethod"]}
    ids = {method["id"] for method in second["verificationMethod"]}
    assert len(old_ids) == 2
    assert len(ids) == 4
    assert old_ids < ids
    assert set(second["assertionMethod"]) == ids
    assert set(second["authentication"]) == ids - old_ids


def test_did_web_document_publishes_the_rsa_key_as_a_json_web_key(https_client: TestClient) -> None:
    document = https_client.get("/issuers/xq/did.json").json()
    types = sorted(method["type"] for method in document["verificationMethod"])
    assert types == ["JsonWebKey", "Multikey"]
    jwk = next(m for m in document["verificationMethod"] if m["type"] == "JsonWebKey")[
        "publicKeyJwk"
    ]
    assert jwk["kty"] == "RSA"
    assert "d" not in jwk
    assert "https://w3id.org/security/jwk/v1" in document["@context"]


def test_admin_client_creates_an_issuer_below_its_own(client: TestClient, make_token) -> None:
    token = make_token("admin", covers_descendants=True)
    response = client.post(
        "/api/v1/issuers",
        json={"slug": "kentucky", "name": "Kentucky Department of Education", "parent": "xq"},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.text
    assert response.json()["parent"] == "xq"
    listed = client.get("/api/v1/issuers", headers=bearer(token)).json()
    assert {row["slug"] for row in listed} == {"xq", "kentucky"}


def test_client_without_descendants_does_not_see_children(
    client: TestClient, runtime: Runtime, make_token
) -> None:
    _add_issuer(runtime, "kentucky", "Kentucky Department of Education", parent="xq")
    listed = client.get("/api/v1/issuers", headers=bearer(make_token("awards:read"))).json()
    assert [row["slug"] for row in listed] == ["xq"]


def test_client_cannot_create_issuers_under_another_tree(
    client: TestClient, runtime: Runtime, make_token
) -> None:
    _add_issuer(runtime, "idaho", "Idaho State Department of Education", parent=None)
    _add_issuer(runtime, "boise", "Boise School District", parent="idaho")
    token = make_token("admin", issuer="boise")
    response = client.post(
        "/api/v1/issuers",
        json={"slug": "rogue", "name": "Rogue", "parent": "xq"},
        headers=bearer(token),
    )
    assert_problem(response, 403, "forbidden")


def test_creating_an_issuer_needs_the_admin_scope(client: TestClient, make_token) -> None:
    response = client.post(
        "/api/v1/issuers",
        json={"slug": "kentucky", "name": "Kentucky", "parent": "xq"},
        headers=bearer(make_token("awards:write")),
    )
    assert_problem(response, 403, "forbidden")


def test_duplicate_slug_is_a_409_problem(client: TestClient, make_token) -> None:
    response = client.post(
        "/api/v1/issuers",
        json={"slug": "xq", "name": "Again", "parent": "xq"},
        headers=bearer(make_token("admin")),
    )
    assert_problem(response, 409, "conflict")
