"""Endorsements through the real app: a state board held here endorses a badge, endorsements
signed elsewhere are imported only when they verify and endorse that badge, anyone lists them,
the endorser withdraws, and the badge's credential page shows who endorses it."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from app.credentials.did import did_key_from_public_key, did_key_verification_method
from app.credentials.eddsa_rdfc_2022 import sign
from app.credentials.endorsement import build_endorsement_credential
from app.credentials.schema_validation import validate_against
from app.credentials.vc_jwt import encode_vc_jwt
from tests.api.test_awards_api import award_body
from tests.api.test_problems import assert_problem
from tests.api.test_verify_api import ALL_CHECKS, assert_all_passed, outcome
from tests.helpers import bearer
from tests.pages.conftest import Page, html_page, path_of

BASE = "http://127.0.0.1:8000"
COMMENT = "Meets the state's standard for quantitative reasoning."


@pytest.fixture
def admin(make_token) -> dict[str, str]:
    return bearer(make_token("admin", covers_descendants=True))


def create_issuer(client: TestClient, admin: dict[str, str], slug: str, **extra: Any) -> str:
    """A profile held here, below xq; its DID."""
    body = {"slug": slug, "name": "State Board of Education", "parent": "xq", **extra}
    response = client.post("/api/v1/issuers", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["did"])


@pytest.fixture
def board_did(client: TestClient, admin: dict[str, str]) -> str:
    return create_issuer(client, admin, "state-board", url="https://board.example.gov")


@pytest.fixture
def board(board_did: str, make_token) -> dict[str, str]:
    return bearer(make_token("endorsements:write", issuer="state-board"))


@pytest.fixture
def owner(make_token) -> dict[str, str]:
    """A client of xq, the badge's issuer (not of the issuers below it)."""
    return bearer(make_token("endorsements:write"))


@pytest.fixture
def achievement_url(client: TestClient) -> str:
    response = client.get("/achievements", params={"code": "M101", "issuer": "xq"})
    assert response.status_code == 200, response.text
    return str(response.json()["achievements"][0]["id"])


@pytest.fixture
def uid(achievement_url: str) -> str:
    return achievement_url.rsplit("/", 1)[1]


def endorse(client: TestClient, headers: dict[str, str], uid: str, **changes: Any):
    body = {"endorser": "state-board", "comment": COMMENT, **changes}
    return client.post(f"/api/v1/achievements/{uid}/endorsements", json=body, headers=headers)


@pytest.fixture
def endorsed(client: TestClient, board: dict[str, str], uid: str) -> dict[str, Any]:
    response = endorse(client, board, uid)
    assert response.status_code == 201, response.text
    return dict(response.json())


def listed(client: TestClient, uid: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/achievements/{uid}/endorsements")
    assert response.status_code == 200, response.text
    return list(response.json()["endorsements"])


def withdraw(client: TestClient, headers: dict[str, str], uid: str, endorsement: str):
    return client.delete(f"/api/v1/achievements/{uid}/endorsements/{endorsement}", headers=headers)


def verify(client: TestClient, credential: Any) -> dict[str, Any]:
    response = client.post("/api/v1/verify", json={"credential": credential})
    assert response.status_code == 200, response.text
    return dict(response.json())


def elsewhere(endorsed_url: str, **changes: Any) -> tuple[dict[str, Any], Ed25519PrivateKey]:
    """An unsigned endorsement by an employer that signs with a did:key of its own."""
    key = Ed25519PrivateKey.generate()
    did = did_key_from_public_key(key.public_key())
    arguments: dict[str, Any] = {
        "credential_id": f"urn:uuid:{uuid.uuid4()}",
        "issuer": {
            "id": did,
            "type": ["Profile"],
            "name": "Acme Engineering",
            "url": "https://acme.example.com",
        },
        "endorsed": endorsed_url,
        "valid_from": datetime(2026, 1, 5, tzinfo=UTC),
        "name": "Acme Engineering endorses M101",
        "comment": "We hire on the strength of this badge.",
        **changes,
    }
    return build_endorsement_credential(**arguments), key


def signed_elsewhere(endorsed_url: str, **changes: Any) -> dict[str, Any]:
    credential, key = elsewhere(endorsed_url, **changes)
    did = credential["issuer"]["id"]
    return sign(credential, key, did_key_verification_method(did))


def import_credential(client: TestClient, headers: dict[str, str], uid: str, credential: Any):
    return client.post(
        f"/api/v1/achievements/{uid}/endorsements/import",
        json={"credential": credential},
        headers=headers,
    )


# -- issuing ----------------------------------------------------------------------------------


def test_an_endorser_held_here_signs_an_endorsement_of_the_badge(
    endorsed, board_did, achievement_url
):
    credential = endorsed["credential"]
    assert (endorsed["source"], endorsed["status"], endorsed["format"]) == (
        "issued",
        "active",
        "ldp",
    )
    assert credential["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert credential["issuer"]["id"] == board_did
    assert credential["credentialSubject"] == {
        "id": achievement_url,
        "type": ["EndorsementSubject"],
        "endorsementComment": COMMENT,
    }
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_the_endorsement_names_its_endorser_and_comment(endorsed, board_did):
    assert endorsed["endorser"] == {
        "id": board_did,
        "name": "State Board of Education",
        "url": "https://board.example.gov",
    }
    assert endorsed["comment"] == COMMENT


def test_the_issued_credential_meets_the_official_endorsement_schema(endorsed):
    assert validate_against(endorsed["credential"], "ob3.endorsementcredential") == []


def test_the_issued_credential_names_a_status_list_entry_of_the_endorser(endorsed):
    status = endorsed["credential"]["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusListCredential"].startswith(f"{BASE}/status-lists/")


def test_the_issued_endorsement_verifies_through_the_verify_api(client, endorsed):
    result = verify(client, endorsed["credential"])
    assert_all_passed(result, [c for c in ALL_CHECKS if c != "achievement"])
    assert "State Board of Education endorsed badge M101" in next(
        check["message"] for check in result["checks"] if check["check"] == "records"
    )


def test_the_endorsement_is_served_at_its_id(client, endorsed):
    response = client.get(path_of(endorsed["credential"]["id"]))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json"
    assert response.json() == endorsed["credential"]


def test_anyone_lists_the_endorsements_in_force(client, endorsed, uid):
    assert [item["id"] for item in listed(client, uid)] == [endorsed["id"]]


def test_an_issuer_cannot_endorse_its_own_badge(client, owner, uid):
    assert_problem(endorse(client, owner, uid, endorser="xq"), 422, "self-endorsement")


def test_an_endorser_has_one_endorsement_in_force_per_badge(client, board, endorsed, uid):
    assert_problem(endorse(client, board, uid), 409, "endorsement-exists")


def test_an_unknown_endorser_is_refused(client, board, uid):
    body = assert_problem(endorse(client, board, uid, endorser="nobody"), 422, "unknown-endorser")
    assert body["errors"][0]["location"] == "$.endorser"


def test_a_client_endorses_only_as_an_issuer_it_acts_for(client, owner, board_did, uid):
    assert_problem(endorse(client, owner, uid), 403, "forbidden")


def test_endorsing_needs_the_endorsements_scope(client, board_did, make_token, uid):
    headers = bearer(make_token("awards:write awards:read", issuer="state-board"))
    assert_problem(endorse(client, headers, uid), 403, "forbidden")


def test_endorsing_needs_a_token(client, board_did, uid):
    assert_problem(endorse(client, {}, uid), 401, "unauthenticated")


def test_an_unknown_achievement_is_a_404(client, board):
    missing = str(uuid.uuid4())
    assert_problem(endorse(client, board, missing), 404, "unknown-achievement")
    response = client.get(f"/api/v1/achievements/{missing}/endorsements")
    assert_problem(response, 404, "unknown-achievement")


# -- withdrawing ------------------------------------------------------------------------------


def test_the_endorser_withdraws_and_it_is_no_longer_listed(client, board, endorsed, uid):
    response = withdraw(client, board, uid, endorsed["id"])
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "withdrawn"
    assert listed(client, uid) == []


def test_a_withdrawn_endorsement_verifies_as_revoked(client, board, endorsed, uid):
    withdraw(client, board, uid, endorsed["id"])
    result = verify(client, endorsed["credential"])
    assert result["verdict"] == "revoked"
    assert outcome(result, "status") == ("failed", "revoked")
    assert outcome(result, "records") == ("failed", "revoked")


def test_withdrawing_again_changes_nothing(client, board, endorsed, uid):
    first = withdraw(client, board, uid, endorsed["id"]).json()
    again = withdraw(client, board, uid, endorsed["id"])
    assert again.status_code == 200, again.text
    assert again.json() == first


def test_only_the_endorser_withdraws_an_issued_endorsement(client, owner, endorsed, uid):
    assert_problem(withdraw(client, owner, uid, endorsed["id"]), 403, "forbidden")


def test_withdrawing_needs_the_endorsements_scope(client, endorsed, make_token, uid):
    headers = bearer(make_token("awards:revoke", issuer="state-board"))
    assert_problem(withdraw(client, headers, uid, endorsed["id"]), 403, "forbidden")


def test_an_unknown_endorsement_is_a_404(client, board, uid):
    assert_problem(withdraw(client, board, uid, str(uuid.uuid4())), 404, "not-found")


def test_a_withdrawal_shows_in_a_1edtech_revocation_list(client, admin, make_token, uid):
    create_issuer(client, admin, "college", statusMethod="1EdTechRevocationList")
    headers = bearer(make_token("endorsements:write", issuer="college"))
    endorsement = endorse(client, headers, uid, endorser="college").json()
    withdraw(client, headers, uid, endorsement["id"])
    revoked = client.get("/issuers/college/revocations").json()["revokedCredentials"]
    assert revoked == [{"id": endorsement["credential"]["id"], "revoked": True}]


# -- importing --------------------------------------------------------------------------------


def test_an_endorsement_signed_elsewhere_is_imported(client, owner, uid, achievement_url):
    credential = signed_elsewhere(achievement_url)
    response = import_credential(client, owner, uid, credential)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["source"], body["format"]) == ("imported", "ldp")
    assert body["endorser"]["name"] == "Acme Engineering"
    assert body["credential"] == credential
    assert [item["id"] for item in listed(client, uid)] == [body["id"]]


def test_an_endorsement_signed_as_a_vc_jwt_is_imported(client, owner, uid, achievement_url):
    credential, key = elsewhere(achievement_url)
    kid = did_key_verification_method(credential["issuer"]["id"])
    token = encode_vc_jwt(credential, key, kid=kid, algorithm="EdDSA")
    response = import_credential(client, owner, uid, token)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["format"], body["credentialJwt"]) == ("jwt", token)
    assert body["comment"] == "We hire on the strength of this badge."


def test_a_tampered_endorsement_is_refused_with_the_failed_checks(
    client, owner, uid, achievement_url
):
    credential = copy.deepcopy(signed_elsewhere(achievement_url))
    credential["credentialSubject"]["endorsementComment"] = "The best badge there is."
    body = assert_problem(
        import_credential(client, owner, uid, credential), 422, "endorsement-not-verified"
    )
    assert {"location": "proof", "code": "signature_invalid"} in [
        {"location": error["location"], "code": error["code"]} for error in body["errors"]
    ]
    assert listed(client, uid) == []


def test_an_endorsement_of_something_else_is_refused(client, owner, uid):
    credential = signed_elsewhere(f"{BASE}/achievements/{uuid.uuid4()}")
    response = import_credential(client, owner, uid, credential)
    assert_problem(response, 422, "endorsement-subject-mismatch")


def test_an_open_badge_is_not_an_endorsement(client, owner, uid, make_token):
    writer = bearer(make_token("awards:write"))
    award = client.post("/api/v1/awards", json=award_body(), headers=writer).json()
    response = import_credential(client, owner, uid, award["credential"])
    assert_problem(response, 422, "not-an-endorsement")


def test_the_same_endorsement_is_imported_once(client, owner, uid, achievement_url):
    credential = signed_elsewhere(achievement_url)
    assert import_credential(client, owner, uid, credential).status_code == 201
    assert_problem(import_credential(client, owner, uid, credential), 409, "endorsement-exists")


def test_only_a_client_of_the_badges_issuer_imports(client, board, uid, achievement_url):
    response = import_credential(client, board, uid, signed_elsewhere(achievement_url))
    assert_problem(response, 403, "forbidden")


def test_importing_to_an_unknown_achievement_is_a_404(client, owner, achievement_url):
    response = import_credential(
        client, owner, str(uuid.uuid4()), signed_elsewhere(achievement_url)
    )
    assert_problem(response, 404, "unknown-achievement")


@pytest.mark.parametrize(
    ("depth", "status", "code"),
    [(40, 422, "endorsement-not-verified"), (5_000, 400, "bad-request")],
)
def test_a_deeply_nested_credential_is_refused_as_a_problem(
    client, owner, uid, depth, status, code
):
    body = '{"credential": ' + '{"a": ' * depth + "1" + "}" * depth + "}"
    response = client.post(
        f"/api/v1/achievements/{uid}/endorsements/import",
        content=body.encode(),
        headers={**owner, "content-type": "application/json"},
    )
    assert_problem(response, status, code)


def test_the_badges_issuer_withdraws_an_imported_endorsement(client, owner, uid, achievement_url):
    imported = import_credential(client, owner, uid, signed_elsewhere(achievement_url)).json()
    response = withdraw(client, owner, uid, imported["id"])
    assert response.status_code == 200, response.text
    assert listed(client, uid) == []


# -- the credential page ----------------------------------------------------------------------


@pytest.fixture
def badge_page_url(client: TestClient, make_token) -> str:
    writer = bearer(make_token("awards:write"))
    response = client.post("/api/v1/awards", json=award_body(), headers=writer)
    assert response.status_code == 201, response.text
    return str(response.json()["publicUrl"])


def test_the_credential_page_shows_who_endorses_the_badge(client, board, uid, badge_page_url):
    endorse(client, board, uid)
    html = html_page(client, badge_page_url)
    assert ("h2", "Endorsed by") in Page(html).headings
    assert "State Board of Education" in html
    assert COMMENT.replace("'", "&#39;") in html


def test_the_endorsement_comment_is_escaped_on_the_page(client, board, uid, badge_page_url):
    endorse(client, board, uid, comment="Rigorous <script>alert(1)</script> & fair")
    html = html_page(client, badge_page_url)
    assert "Rigorous &lt;script&gt;alert(1)&lt;/script&gt; &amp; fair" in html
    assert "<script>alert" not in html


def test_a_cached_page_shows_a_new_and_a_withdrawn_endorsement(client, board, uid, badge_page_url):
    assert ("h2", "Endorsed by") not in Page(html_page(client, badge_page_url)).headings
    endorsement = endorse(client, board, uid).json()
    assert ("h2", "Endorsed by") in Page(html_page(client, badge_page_url)).headings
    withdraw(client, board, uid, endorsement["id"])
    assert ("h2", "Endorsed by") not in Page(html_page(client, badge_page_url)).headings


def test_the_issued_endorsement_verifies_by_its_url(client, endorsed):
    response = client.post("/api/v1/verify", json={"url": endorsed["credential"]["id"]})
    assert response.status_code == 200, response.text
    assert_all_passed(response.json(), [c for c in ALL_CHECKS if c != "achievement"])


def test_an_endorsement_url_of_ours_that_names_nothing_is_a_404(client, achievement_url):
    response = client.post(
        "/api/v1/verify", json={"url": f"{achievement_url}/endorsements/{uuid.uuid4()}"}
    )
    assert_problem(response, 404, "not-found")


def test_the_page_links_to_verifying_the_endorsement(client, board, uid, badge_page_url):
    endorsement = endorse(client, board, uid).json()
    page = Page(html_page(client, badge_page_url))
    verify_link = page.link("Verify the endorsement of State Board of Education")
    path, _, query = verify_link.partition("?")
    assert (path, parse_qs(query)) == ("/verify", {"url": [endorsement["credential"]["id"]]})
    assert Page(html_page(client, verify_link)).verdicts == ["valid"]
