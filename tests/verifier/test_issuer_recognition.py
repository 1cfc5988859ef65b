"""Who issued a credential, through POST /api/v1/verify: a valid signature says which key
signed, not who holds it.

Impostor credentials are signed by Digital Bazaar's Node libraries with a fresh did:key (the
signer anyone can be). Covered: a copy of a genuine XQ credential re-signed by an impostor
that keeps XQ's name, url and the badge's achievement id is not valid
(``achievement_not_issued_by_owner``); an impostor with an achievement of its own is validly
signed but unrecognised, and the answer says so; our own credentials are recognised
(``this-service``), also when a district awards a badge of the organisation above it; a signer
listed in a configured DCC registry file is recognised (``trust-registry``) with the registry's
name; a badge id under /achievements/ that we never defined is refused.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.bootstrap import bootstrap
from app.issuer.issuers import IssuerDraft, create_issuer
from app.main import create_app
from app.runtime import Runtime
from app.settings import Settings
from app.verifier.trust_registry import TrustRegistryError, load_registry
from tests.api.test_awards_api import award_body
from tests.helpers import bearer
from tests.interop.digitalbazaar import Node, node_runner
from tests.verifier.test_remote_issuer import Key, new_key

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def node() -> Node:
    return node_runner()


@pytest.fixture(scope="module")
def impostor() -> Key:
    return new_key()


def signed_by(node: Node, key: Key, document: dict[str, Any]) -> dict[str, Any]:
    [signed] = node("sign-all", {"requests": [key.signing_request(document)]})
    return dict(signed)


def impostor_copy(genuine: dict[str, Any], key: Key, **achievement: Any) -> dict[str, Any]:
    """The genuine credential, unsigned, its issuer id replaced by the impostor's did:key (name
    and url kept), its status entry dropped (it points at XQ's list)."""
    copied = copy.deepcopy(genuine)
    del copied["proof"]
    copied.pop("credentialStatus", None)
    copied["issuer"]["id"] = key.method.split("#")[0]
    copied["credentialSubject"]["achievement"].update(achievement)
    return copied


def verify(client: TestClient, credential: Any) -> dict[str, Any]:
    response = client.post("/api/v1/verify", json={"credential": credential})
    assert response.status_code == 200, response.text
    return response.json()


def outcome(result: dict[str, Any], name: str) -> tuple[str, str | None] | None:
    found = [c for c in result["checks"] if c["check"] == name]
    return (found[0]["outcome"], found[0].get("code")) if found else None


@pytest.fixture
def genuine(client: TestClient, make_token) -> dict[str, Any]:
    response = client.post(
        "/api/v1/awards", json=award_body(), headers=bearer(make_token("awards:write"))
    )
    assert response.status_code == 201, response.text
    return dict(response.json()["credential"])


def test_our_own_credential_is_recognised_as_this_services(client, genuine):
    result = verify(client, genuine)
    assert result["verdict"] == "valid"
    assert result["issuer"] == {
        "id": genuine["issuer"]["id"],
        "name": "XQ Institute",
        "recognised": True,
        "basis": "this-service",
        "registry": None,
        "listedName": "XQ Institute",
        "domain": None,
    }
    assert outcome(result, "issuer") == ("passed", None)
    assert outcome(result, "achievement") == ("passed", None)


def test_an_impostor_copy_keeping_our_badge_is_not_valid(client, node, impostor, genuine):
    forged = signed_by(node, impostor, impostor_copy(genuine, impostor))
    result = verify(client, forged)
    assert outcome(result, "proof") == ("passed", None)
    assert (result["verified"], result["verdict"]) == (False, "invalid")
    assert outcome(result, "achievement") == ("failed", "achievement_not_issued_by_owner")
    check = next(c for c in result["checks"] if c["check"] == "achievement")
    assert "XQ Institute" in check["message"]
    assert "not issued by its owner" in check["message"]
    assert result["issuer"]["recognised"] is False
    assert result["issuer"]["name"] == "XQ Institute"
    assert outcome(result, "issuer") == ("warning", "issuer_unrecognised")


def test_an_impostor_with_its_own_badge_is_signed_but_unrecognised(client, node, impostor, genuine):
    own = impostor_copy(genuine, impostor, id="https://impostor.example/achievements/m101")
    result = verify(client, signed_by(node, impostor, own))
    assert (result["verified"], result["verdict"]) == (True, "valid"), result["checks"]
    assert outcome(result, "achievement") is None
    assert outcome(result, "issuer") == ("warning", "issuer_unrecognised")
    assert result["issuer"] == {
        "id": impostor.method.split("#")[0],
        "name": "XQ Institute",
        "recognised": False,
        "basis": None,
        "registry": None,
        "listedName": None,
        "domain": None,
    }


def test_a_badge_id_of_ours_we_never_defined_is_not_valid(client, node, impostor, genuine):
    made_up = impostor_copy(
        genuine, impostor, id="http://127.0.0.1:8000/achievements/00000000000000000000000000000000"
    )
    result = verify(client, signed_by(node, impostor, made_up))
    assert result["verdict"] == "invalid"
    assert outcome(result, "achievement") == ("failed", "achievement_unknown")


def test_a_forged_signature_establishes_no_issuer(client, genuine):
    changed = copy.deepcopy(genuine)
    changed["name"] = "Calculus: mastery"
    result = verify(client, changed)
    assert result["verdict"] == "invalid"
    assert outcome(result, "issuer") == ("skipped", None)
    assert result["issuer"]["recognised"] is False


def test_a_district_awarding_the_badge_of_the_organisation_above_it_is_recognised(
    client, runtime, make_token
):
    with runtime.sessions() as session:
        create_issuer(
            session,
            runtime.keystore,
            IssuerDraft(slug="district", name="Boise School District", parent_slug="xq"),
        )
        session.commit()
    token = make_token("awards:write", issuer="district")
    response = client.post("/api/v1/awards", json=award_body(), headers=bearer(token))
    assert response.status_code == 201, response.text
    result = verify(client, response.json()["credential"])
    assert result["verdict"] == "valid", result["checks"]
    assert outcome(result, "achievement") == ("passed", None)
    assert result["issuer"]["listedName"] == "Boise School District"
    assert result["issuer"]["basis"] == "this-service"


@pytest.fixture
def registry_file(tmp_path: Path, impostor: Key) -> Path:
    path = tmp_path / "registry.json"
    document = {
        "meta": {"created": "2026-01-01T00:00:00Z", "name": "Idaho Trusted Issuers"},
        "registry": {
            impostor.method.split("#")[0]: {
                "name": "Example State College",
                "location": "Boise, ID, USA",
                "url": "https://college.example.edu",
            }
        },
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.fixture
def registry_client(settings: Settings, registry_file: Path) -> Iterator[TestClient]:
    runtime = Runtime.from_settings(
        settings.model_copy(update={"trust_registry_files": [registry_file]})
    )
    bootstrap(runtime)
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client
    runtime.close()


def test_a_signer_in_a_configured_trust_registry_is_recognised(
    registry_client, node, impostor, genuine
):
    own = impostor_copy(genuine, impostor, id="https://college.example.edu/badges/m101")
    own["issuer"]["name"] = "Example State College"
    result = verify(registry_client, signed_by(node, impostor, own))
    assert result["verdict"] == "valid", result["checks"]
    assert result["issuer"]["recognised"] is True
    assert result["issuer"]["basis"] == "trust-registry"
    assert result["issuer"]["registry"] == "Idaho Trusted Issuers"
    assert result["issuer"]["listedName"] == "Example State College"
    assert outcome(result, "issuer") == ("passed", None)


def test_the_example_registry_loads():
    registry = load_registry(REPO_ROOT / "examples" / "trust-registry.json")
    assert registry.entries
    assert all(did.startswith("did:") for did in registry.entries)


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"registry": {"not-a-did": {"name": "x"}}}',
        '{"registry": {"did:x:y": {}}}',
    ],
)
def test_a_malformed_registry_file_is_refused_with_its_name(tmp_path, content):
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TrustRegistryError, match=r"broken\.json"):
        load_registry(path)


# -- what the pages say ------------------------------------------------------------------------


def verify_page(client: TestClient, credential: dict[str, Any]) -> str:
    response = client.post("/verify", files={"credential": (None, json.dumps(credential))})
    assert response.status_code == 200, response.text
    return " ".join(response.text.split())


def test_the_verify_page_says_our_issuer_is_recognised(client, genuine):
    html = verify_page(client, genuine)
    assert "(recognised: an issuer of this service)" in html
    assert (
        'data-issuer="recognised">Issued by <a href="https://xqsuperschool.org">XQ Institute'
        in (html)
    )


def test_the_credential_page_says_our_issuer_is_recognised(client, genuine):
    response = client.get(
        genuine["id"].removeprefix("http://127.0.0.1:8000"), headers={"Accept": "text/html"}
    )
    assert response.status_code == 200
    assert "(recognised: an issuer of this service)" in " ".join(response.text.split())


def test_the_verify_page_says_an_impostor_is_unrecognised(client, node, impostor, genuine):
    own = impostor_copy(genuine, impostor, id="https://impostor.example/achievements/m101")
    html = verify_page(client, signed_by(node, impostor, own))
    assert 'data-verdict="valid"' in html
    assert "Signed by an unrecognised issuer that names itself “XQ Institute”" in html
    assert "Issued by" not in html
    assert 'href="https://xqsuperschool.org"' not in html


def test_the_verify_page_says_a_copied_badge_was_not_issued_by_its_owner(
    client, node, impostor, genuine
):
    html = verify_page(client, signed_by(node, impostor, impostor_copy(genuine, impostor)))
    assert 'data-verdict="invalid"' in html
    assert "This badge was not issued by its owner: badge M101 is defined by XQ Institute" in html
    assert "Signed by an unrecognised issuer that names itself “XQ Institute”" in html
