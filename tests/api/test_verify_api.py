"""POST /api/v1/verify through the real app: our own credentials read every way a person can hand
them over (JSON, VC-JWT, URL, baked PNG and SVG, uploaded and pasted text), the verdicts a
change in their life gives them (revoked, superseded, changed, expired, not yet valid, not in
our records, or signed by our issuer but differing from the record), and the problem documents
bad requests get (including bodies that are not UTF-8, nest too deeply or are too large).
"""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.catalog.badge_png import badge_png
from app.credentials.did import did_key_from_public_key, did_key_verification_method
from app.credentials.ob3 import LearnerIdentity, build_open_badge_credential, hashed_identity
from tests.api.test_awards_api import award_body
from tests.api.test_problems import assert_problem
from tests.helpers import bearer

BASE = "http://127.0.0.1:8000"
ALL_CHECKS = [
    "jsonld",
    "schema",
    "issuer_key",
    "proof",
    "validity",
    "status",
    "achievement",
    "issuer",
    "records",
]


@pytest.fixture
def writer(make_token) -> dict[str, str]:
    return bearer(make_token("awards:write awards:read awards:revoke"))


def awarded(client, writer, **changes: Any) -> dict[str, Any]:
    response = client.post("/api/v1/awards", json=award_body(**changes), headers=writer)
    assert response.status_code == 201, response.text
    return response.json()


def local(url: str) -> str:
    assert url.startswith(BASE + "/"), url
    return url.removeprefix(BASE)


def verify(client, body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/verify", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def checks(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    by_name: dict[str, dict[str, Any]] = {}
    for check in result["checks"]:
        assert check["check"] not in by_name, f"two {check['check']} checks: {result['checks']}"
        by_name[check["check"]] = check
    return by_name


def outcome(result: dict[str, Any], name: str) -> tuple[str, str | None]:
    check = checks(result)[name]
    return check["outcome"], check.get("code")


def assert_all_passed(result: dict[str, Any], expected: list[str] = ALL_CHECKS) -> None:
    assert result["verified"] is True, result["checks"]
    assert result["verdict"] == "valid"
    found = checks(result)
    assert sorted(found) == sorted(expected)
    assert {name: check["outcome"] for name, check in found.items()} == dict.fromkeys(
        expected, "passed"
    )


def upload(client, name: str, data: bytes, media_type: str) -> dict[str, Any]:
    response = client.post("/api/v1/verify", files={"file": (name, data, media_type)})
    assert response.status_code == 200, response.text
    return response.json()


# -- our own credentials, every way they arrive ------------------------------------------------


def test_our_credential_verifies_as_json(client, writer):
    credential = awarded(client, writer)["credential"]
    result = verify(client, {"credential": credential})
    assert_all_passed(result)
    assert (result["source"], result["format"]) == ("json", "ldp")
    assert result["credential"] == credential


def test_our_credential_verifies_as_a_vc_jwt(client, writer):
    award = awarded(client, writer)
    hosted = client.get(local(award["publicUrl"]), headers={"Accept": "application/vc+jwt"})
    assert hosted.status_code == 200, hosted.text
    assert hosted.headers["content-type"].startswith("application/vc+jwt")
    token = hosted.text
    assert token.count(".") == 2
    result = verify(client, {"credential": token})
    assert_all_passed(result)
    assert (result["source"], result["format"]) == ("jwt", "jwt")
    assert result["credential"]["id"] == award["publicUrl"]


def test_our_credential_verifies_by_its_url(client, writer):
    award = awarded(client, writer)
    result = verify(client, {"url": award["credential"]["id"]})
    assert_all_passed(result)
    assert (result["source"], result["format"]) == ("url", "ldp")
    assert result["credential"] == award["credential"]


def test_our_credential_verifies_by_its_url_in_a_form(client, writer):
    award = awarded(client, writer)
    response = client.post("/api/v1/verify", data={"url": award["publicUrl"]})
    assert response.status_code == 200, response.text
    assert_all_passed(response.json())
    assert response.json()["source"] == "url"


def test_a_baked_png_verifies(client, writer):
    award = awarded(client, writer)
    png = client.get(local(award["publicUrl"]) + "/badge.png")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    result = upload(client, "badge.png", png.content, "image/png")
    assert_all_passed(result)
    assert (result["source"], result["format"]) == ("image", "ldp")
    assert result["credential"] == award["credential"]


def test_a_baked_svg_verifies(client, writer):
    award = awarded(client, writer)
    svg = client.get(local(award["publicUrl"]) + "/badge.svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    result = upload(client, "badge.svg", svg.content, "image/svg+xml")
    assert_all_passed(result)
    assert result["source"] == "image"
    assert result["credential"] == award["credential"]


def test_a_json_file_upload_verifies(client, writer):
    award = awarded(client, writer)
    data = client.get(local(award["publicUrl"]) + "/credential.json").content
    result = upload(client, "credential.json", data, "application/json")
    assert_all_passed(result)
    assert result["format"] == "ldp"


def test_a_pasted_credential_verifies(client, writer):
    award = awarded(client, writer)
    text = client.get(local(award["publicUrl"]) + "/credential.json").text
    response = client.post("/api/v1/verify", files={"credential": (None, "\n  " + text + "\n")})
    assert response.status_code == 200, response.text
    result = response.json()
    assert_all_passed(result)
    assert (result["source"], result["format"]) == ("json", "ldp")


def test_a_pasted_vc_jwt_verifies(client, writer):
    award = awarded(client, writer)
    token = client.get(local(award["publicUrl"]) + "/credential.jwt").text
    response = client.post("/api/v1/verify", files={"credential": (None, token)})
    assert response.status_code == 200, response.text
    result = response.json()
    assert_all_passed(result)
    assert (result["source"], result["format"]) == ("jwt", "jwt")


def test_the_answer_says_when_it_was_checked(client, writer):
    credential = awarded(client, writer)["credential"]
    before = datetime.now(UTC).replace(microsecond=0)
    result = verify(client, {"credential": credential})
    checked = datetime.strptime(result["checkedAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before <= checked <= datetime.now(UTC)


# -- what happened to the credential since -----------------------------------------------------


def revoke(client, writer, award: dict[str, Any]) -> None:
    response = client.post(
        f"/api/v1/awards/{award['id']}/revoke", json={"reason": "entered in error"}, headers=writer
    )
    assert response.status_code == 200, response.text


def test_a_revoked_credential_is_revoked_and_still_genuine(client, writer):
    award = awarded(client, writer)
    revoke(client, writer, award)
    result = verify(client, {"credential": award["credential"]})
    assert (result["verified"], result["verdict"]) == (False, "revoked")
    assert outcome(result, "status") == ("failed", "revoked")
    assert outcome(result, "records") == ("failed", "revoked")
    assert outcome(result, "proof") == ("passed", None)
    assert outcome(result, "issuer_key") == ("passed", None)


def test_a_revoked_credential_is_revoked_by_url_too(client, writer):
    award = awarded(client, writer)
    revoke(client, writer, award)
    result = verify(client, {"url": award["publicUrl"]})
    assert result["verdict"] == "revoked"


def test_a_revoked_vc_jwt_is_revoked(client, writer):
    award = awarded(client, writer)
    token = client.get(local(award["publicUrl"]) + "/credential.jwt").text
    revoke(client, writer, award)
    result = verify(client, {"credential": token})
    assert result["verdict"] == "revoked"
    assert outcome(result, "proof") == ("passed", None)
    assert outcome(result, "status") == ("failed", "revoked")


def test_a_reissued_credential_is_superseded(client, writer):
    old = awarded(client, writer)
    response = client.post(
        f"/api/v1/awards/{old['id']}/reissue",
        json={"name": "Ana María López", "reason": "name corrected"},
        headers=writer,
    )
    assert response.status_code == 201, response.text
    new = response.json()
    result = verify(client, {"credential": old["credential"]})
    assert (result["verified"], result["verdict"]) == (False, "superseded")
    assert outcome(result, "records") == ("failed", "superseded")
    assert outcome(result, "proof") == ("passed", None)
    assert_all_passed(verify(client, {"credential": new["credential"]}))


def test_a_changed_name_is_invalid(client, writer):
    changed = copy.deepcopy(awarded(client, writer)["credential"])
    changed["name"] = "Calculus: mastery"
    result = verify(client, {"credential": changed})
    assert (result["verified"], result["verdict"]) == (False, "invalid")
    assert outcome(result, "proof") == ("failed", "signature_invalid")


def test_a_changed_result_is_invalid(client, writer):
    changed = copy.deepcopy(awarded(client, writer)["credential"])
    changed["credentialSubject"]["result"][0]["status"] = "InProgress"
    result = verify(client, {"credential": changed})
    assert result["verdict"] == "invalid"
    assert outcome(result, "proof") == ("failed", "signature_invalid")


def test_a_vc_jwt_with_a_changed_payload_is_invalid(client, writer):
    award = awarded(client, writer)
    token = client.get(local(award["publicUrl"]) + "/credential.jwt").text
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["name"] = "Calculus: mastery"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    result = verify(client, {"credential": f"{header}.{forged}.{signature}"})
    assert (result["verified"], result["verdict"]) == (False, "invalid")
    assert outcome(result, "proof") == ("failed", "jwt_signature_invalid")
    assert result["credential"] is None


def test_an_expired_credential_is_expired_not_forged(client, writer):
    award = awarded(
        client, writer, awardedDate="2020-01-01T00:00:00Z", validUntil="2021-01-01T00:00:00Z"
    )
    assert award["credential"]["validUntil"].startswith("2021-01-01T00:00:00")
    result = verify(client, {"credential": award["credential"]})
    assert (result["verified"], result["verdict"]) == (False, "expired")
    assert outcome(result, "proof") == ("passed", None)
    assert outcome(result, "validity") == ("failed", "expired")
    assert outcome(result, "status") == ("passed", None)


def test_a_credential_not_yet_valid_says_so(client, writer):
    soon = (datetime.now(UTC) + timedelta(minutes=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
    award = awarded(client, writer, awardedDate=soon)
    assert award["credential"]["validFrom"] == soon
    result = verify(client, {"credential": award["credential"]})
    assert (result["verified"], result["verdict"]) == (False, "not-yet-valid")
    assert outcome(result, "proof") == ("passed", None)
    assert outcome(result, "validity") == ("failed", "not_yet_valid")


# -- signed by our issuer, but not one of its awards -------------------------------------------


def vc_api_badge(client, **changes: Any) -> dict[str, Any]:
    achievement = client.get("/achievements", params={"code": "M101"}).json()["achievements"][0]
    credential = build_open_badge_credential(
        credential_id="https://badges.example.org/credentials/2b7d0c1e-58a4-4c1b-9d61-0d8f6f3c9a11",
        issuer={k: v for k, v in client.get("/issuers/xq").json().items() if k != "@context"},
        achievement={k: v for k, v in achievement.items() if k != "@context"},
        learner=LearnerIdentity(identifiers=(hashed_identity("emailAddress", "ana@example.org"),)),
        valid_from=datetime(2026, 5, 1, tzinfo=UTC),
    )
    credential.update(changes)
    return credential


def vc_api_signed(client, make_token, credential: dict[str, Any], **options: str) -> Any:
    response = client.post(
        "/credentials/issue",
        json={"credential": credential, "options": options},
        headers=bearer(make_token("awards:write")),
    )
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]


def test_a_credential_our_issuer_signed_outside_the_awards_is_a_warning(client, make_token):
    signed = vc_api_signed(client, make_token, vc_api_badge(client))
    result = verify(client, {"credential": signed})
    assert (result["verified"], result["verdict"]) == (True, "valid")
    assert outcome(result, "records") == ("warning", "not_in_records")
    assert outcome(result, "proof") == ("passed", None)


def test_a_vc_jwt_our_issuer_signed_outside_the_awards_is_a_warning(client, make_token):
    token = vc_api_signed(client, make_token, vc_api_badge(client), format="jwt_vc")
    result = verify(client, {"credential": token})
    assert (result["verified"], result["verdict"], result["format"]) == (True, "valid", "jwt")
    assert outcome(result, "records") == ("warning", "not_in_records")


def test_a_credential_past_its_signed_validuntil_is_expired(client, make_token):
    credential = vc_api_badge(client, validUntil="2026-05-02T00:00:00Z")
    credential["validFrom"] = "2020-01-01T00:00:00Z"
    result = verify(client, {"credential": vc_api_signed(client, make_token, credential)})
    assert result["verdict"] == "expired"
    assert outcome(result, "validity") == ("failed", "expired")
    assert outcome(result, "proof") == ("passed", None)


def test_a_credential_signed_for_the_future_is_not_yet_valid(client, make_token):
    credential = vc_api_badge(client)
    credential["validFrom"] = "2199-01-01T00:00:00Z"
    result = verify(client, {"credential": vc_api_signed(client, make_token, credential)})
    assert result["verdict"] == "not-yet-valid"
    assert outcome(result, "validity") == ("failed", "not_yet_valid")
    assert outcome(result, "proof") == ("passed", None)


def test_a_signed_credential_with_an_unreadable_date_is_invalid(client, make_token):
    credential = vc_api_badge(client)
    signed = vc_api_signed(client, make_token, credential)
    signed["validFrom"] = "next tuesday"
    result = verify(client, {"credential": signed})
    assert result["verdict"] == "invalid"
    assert outcome(result, "validity") == ("failed", "invalid_date")


def test_an_unsigned_credential_is_invalid(client):
    result = verify(client, {"credential": vc_api_badge(client)})
    assert result["verdict"] == "invalid"
    assert outcome(result, "proof") == ("failed", "proof_missing")
    assert "issuer_key" not in checks(result)


# -- requests that are refused ----------------------------------------------------------------


def test_no_body_is_a_validation_error(client):
    response = client.post(
        "/api/v1/verify", content=b"", headers={"content-type": "application/json"}
    )
    assert_problem(response, 422, "validation-error")


def test_an_empty_object_is_a_validation_error(client):
    assert_problem(client.post("/api/v1/verify", json={}), 422, "validation-error")


def test_both_credential_and_url_is_a_validation_error(client, writer):
    award = awarded(client, writer)
    body = {"credential": award["credential"], "url": award["publicUrl"]}
    assert_problem(client.post("/api/v1/verify", json=body), 422, "validation-error")


def test_an_unknown_field_is_a_validation_error(client, writer):
    body = {"credential": awarded(client, writer)["credential"], "strict": False}
    problem = assert_problem(client.post("/api/v1/verify", json=body), 422, "validation-error")
    assert "$.strict" in [item["location"] for item in problem["errors"]]


def test_an_empty_form_is_a_validation_error(client):
    response = client.post("/api/v1/verify", files={"credential": (None, "   ")})
    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize(
    "text",
    ["hello, admissions office", '{"credential": ', "[1, 2, 3]", "not.a jwt.at all"],
    ids=["prose", "broken-json", "json-array", "dotted-prose"],
)
def test_text_that_is_neither_json_nor_a_jwt_is_unreadable(client, text):
    response = client.post("/api/v1/verify", files={"credential": (None, text)})
    assert_problem(response, 422, "credential-unreadable")


def test_a_string_that_is_not_a_jwt_is_an_invalid_credential(client):
    result = verify(client, {"credential": "a.b.c"})
    assert (result["verified"], result["verdict"], result["format"]) == (False, "invalid", "jwt")
    assert outcome(result, "proof") == ("failed", "jwt_malformed")


def test_an_image_without_a_credential_is_unreadable(client):
    png = badge_png("M101", "Ratios and proportional reasoning")
    response = client.post("/api/v1/verify", files={"file": ("badge.png", png, "image/png")})
    problem = assert_problem(response, 422, "credential-unreadable")
    assert "openbadgecredential" in problem["detail"]


def test_a_file_that_is_no_image_is_unreadable(client):
    response = client.post(
        "/api/v1/verify", files={"file": ("notes.txt", b"\x00\x01binary", "text/plain")}
    )
    assert_problem(response, 422, "credential-unreadable")


def test_a_plain_text_body_is_an_unsupported_media_type(client, writer):
    token = client.get(local(awarded(client, writer)["publicUrl"]) + "/credential.jwt").text
    response = client.post(
        "/api/v1/verify", content=token.encode(), headers={"content-type": "text/plain"}
    )
    assert_problem(response, 415, "unsupported-media-type")


def test_json_sent_as_a_form_is_a_415_saying_which_header_to_send(client):
    """What ``curl -d '{"url": ...}'`` sends."""
    response = client.post(
        "/api/v1/verify",
        content=json.dumps({"url": f"{BASE}/credentials/{'x' * 32}"}).encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    problem = assert_problem(response, 415, "unsupported-media-type")
    assert "-H 'Content-Type: application/json'" in problem["detail"]


def test_a_url_encoded_form_still_verifies_a_url(client, writer):
    url = awarded(client, writer)["publicUrl"]
    response = client.post("/api/v1/verify", data={"url": url})
    assert response.status_code == 200, response.text
    assert response.json()["verified"] is True


def test_invalid_json_names_its_line_and_column(client):
    response = client.post(
        "/api/v1/verify",
        content=b'{\n"url": "x"\n"credential": {}}',
        headers={"content-type": "application/json"},
    )
    problem = assert_problem(response, 422, "validation-error")
    assert problem["errors"][0]["location"] == "line 3, column 1"


def test_our_own_url_with_an_unknown_token_is_not_found(client):
    url = f"{BASE}/credentials/{'x' * 32}"
    assert_problem(client.post("/api/v1/verify", json={"url": url}), 404, "not-found")


def test_an_oversized_body_is_refused(client, runtime):
    limit = runtime.settings.max_body_bytes
    body = b'{"credential": "' + b"a" * limit + b'"}'
    response = client.post(
        "/api/v1/verify", content=body, headers={"content-type": "application/json"}
    )
    assert_problem(response, 413, "payload-too-large")


def test_an_oversized_upload_is_refused(client):
    data = b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024 + 16)
    response = client.post("/api/v1/verify", files={"file": ("big.png", data, "image/png")})
    assert_problem(response, 422, "credential-unreadable")


def test_a_body_that_is_not_utf8_is_a_validation_error(client):
    response = client.post(
        "/api/v1/verify",
        content=b'{"url": "\xff\xfe"}',
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 422, "validation-error")


def test_deeply_nested_json_is_a_validation_error(client):
    body = b'{"credential": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = client.post(
        "/api/v1/verify", content=body, headers={"content-type": "application/json"}
    )
    assert_problem(response, 422, "validation-error")


def test_a_deeply_nested_pasted_credential_is_unreadable(client):
    text = '{"a": ' * 100_000 + "1" + "}" * 100_000
    response = client.post("/api/v1/verify", files={"credential": (None, text)})
    assert_problem(response, 422, "credential-unreadable")


@pytest.mark.parametrize("depth", [40, 900])
def test_a_credential_nested_too_deeply_is_invalid_and_not_echoed(client, depth):
    body = '{"credential": ' + '{"a": ' * depth + "1" + "}" * depth + "}"
    response = client.post(
        "/api/v1/verify", content=body.encode(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["verdict"] == "invalid"
    assert outcome(result, "jsonld") == ("failed", "document_too_deep")
    assert result["credential"] is None


def test_a_validly_signed_vc_jwt_nested_too_deeply_is_invalid_and_not_echoed(client):
    """Anyone can sign a JWT with a did:key of their own: its claims are read, never echoed when
    they are over the document limits."""
    key = Ed25519PrivateKey.generate()
    did = did_key_from_public_key(key.public_key())
    deep: dict[str, Any] = {"name": "bottom"}
    for _ in range(600):
        deep = {"name": deep}
    payload = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:2b7d0c1e-58a4-4c1b-9d61-0d8f6f3c9a11",
        "type": ["VerifiableCredential"],
        "issuer": did,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": deep,
        "iss": did,
        "jti": "urn:uuid:2b7d0c1e-58a4-4c1b-9d61-0d8f6f3c9a11",
        "nbf": int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()),
    }
    token = jwt.encode(
        payload, key, algorithm="EdDSA", headers={"kid": did_key_verification_method(did)}
    )
    result = verify(client, {"credential": token})
    assert outcome(result, "proof") == ("passed", None)
    assert outcome(result, "jsonld") == ("failed", "document_too_deep")
    assert (result["verdict"], result["credential"]) == ("invalid", None)


def self_signed_jwt(**claims: Any) -> str:
    """A VC-JWT over a plain VC 2.0 credential, signed by a did:key of its own."""
    key = Ed25519PrivateKey.generate()
    did = did_key_from_public_key(key.public_key())
    credential_id = "urn:uuid:6c3f1d2e-8a4b-4c5d-9e6f-7a8b9c0d1e2f"
    payload = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": credential_id,
        "type": ["VerifiableCredential"],
        "issuer": did,
        "validFrom": "2019-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
        "iss": did,
        "jti": credential_id,
        "sub": "did:example:learner",
        "nbf": int(datetime(2019, 1, 1, tzinfo=UTC).timestamp()),
        **claims,
    }
    return jwt.encode(
        payload, key, algorithm="EdDSA", headers={"kid": did_key_verification_method(did)}
    )


def test_a_vc_jwt_past_its_exp_is_expired_though_the_credential_has_no_validuntil(client):
    token = self_signed_jwt(exp=int(datetime(2020, 1, 1, tzinfo=UTC).timestamp()))
    result = verify(client, {"credential": token})
    assert (result["verified"], result["verdict"]) == (False, "expired")
    assert outcome(result, "validity") == ("failed", "expired")
    assert outcome(result, "proof") == ("passed", None)


def test_a_vc_jwt_before_its_nbf_is_not_yet_valid(client):
    later = datetime.now(UTC) + timedelta(days=30)
    token = self_signed_jwt(
        nbf=int(later.timestamp()), validFrom=later.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    result = verify(client, {"credential": token})
    assert result["verdict"] == "not-yet-valid"
    assert outcome(result, "validity") == ("failed", "not_yet_valid")


def test_a_vc_jwt_within_its_exp_is_valid(client):
    later = datetime.now(UTC) + timedelta(days=30)
    result = verify(client, {"credential": self_signed_jwt(exp=int(later.timestamp()))})
    assert outcome(result, "validity") == ("passed", None)
    assert outcome(result, "proof") == ("passed", None)


def test_a_json_file_saved_with_a_byte_order_mark_verifies(client, writer):
    award = awarded(client, writer)
    data = client.get(local(award["publicUrl"]) + "/credential.json").content
    result = upload(client, "credential.json", b"\xef\xbb\xbf" + data, "application/json")
    assert_all_passed(result)


def test_a_credential_signed_outside_the_awards_under_an_awards_id_is_not_vouched_for(
    client, writer, make_token
):
    """The VC API signs what a platform sends: a credential reusing a recorded award's id, but
    saying something else, is the issuer's signature, not the recorded award."""
    award = awarded(client, writer)
    lookalike = {k: v for k, v in award["credential"].items() if k != "proof"}
    lookalike["name"] = "Calculus: mastery"
    signed = vc_api_signed(client, make_token, lookalike)
    result = verify(client, {"credential": signed})
    assert outcome(result, "proof") == ("passed", None)
    check = checks(result)["records"]
    assert (check["outcome"], check["code"]) == ("warning", "not_in_records")
    assert "differs" in check["message"]
