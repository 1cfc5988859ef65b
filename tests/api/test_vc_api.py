"""The W3C VC API endpoints: issue with checks first, verify with honest outcomes."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from app.bootstrap import bootstrap
from app.credentials.did import did_key_from_public_key, did_key_verification_method
from app.credentials.eddsa_rdfc_2022 import sign
from app.credentials.ob3 import LearnerIdentity, build_open_badge_credential, hashed_identity
from app.credentials.schema_validation import validate_against
from app.issuer.issuers import get_issuer
from app.issuer.signing import CredentialSigner
from app.main import create_app
from app.runtime import Runtime
from app.settings import Settings
from tests.api.test_problems import assert_problem
from tests.helpers import bearer


def m101(client: TestClient) -> dict[str, Any]:
    page = client.get("/achievements", params={"code": "M101"}).json()
    achievement = page["achievements"][0]
    return {key: value for key, value in achievement.items() if key != "@context"}


def badge(client: TestClient, **changes: Any) -> dict[str, Any]:
    credential = build_open_badge_credential(
        credential_id="https://badges.example.org/credentials/2b7d0c1e-58a4-4c1b-9d61-0d8f6f3c9a11",
        issuer=client.get("/issuers/xq").json() | {"@context": None},
        achievement=m101(client),
        learner=LearnerIdentity(identifiers=(hashed_identity("emailAddress", "ana@example.org"),)),
        valid_from=datetime(2026, 5, 1, tzinfo=UTC),
    )
    credential["issuer"].pop("@context")
    credential.update(changes)
    return credential


@pytest.fixture
def token(make_token) -> str:
    return make_token("awards:write")


def issue(client: TestClient, token: str, credential: Any, **options: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/credentials/issue",
        json={"credential": credential, "options": options},
        headers=bearer(token),
    )


def verify(client: TestClient, credential: Any):  # type: ignore[no-untyped-def]
    return client.post("/credentials/verify", json={"verifiableCredential": credential})


def test_issued_open_badge_has_an_eddsa_rdfc_2022_proof(client: TestClient, token: str) -> None:
    response = issue(client, token, badge(client))
    assert response.status_code == 201, response.text
    signed = response.json()["verifiableCredential"]
    assert signed["proof"]["type"] == "DataIntegrityProof"
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert signed["proof"]["proofPurpose"] == "assertionMethod"
    assert signed["proof"]["verificationMethod"].startswith(signed["issuer"]["id"] + "#")
    assert validate_against(signed, "ob3.achievementcredential") == []


def test_issued_credential_verifies(client: TestClient, token: str) -> None:
    signed = issue(client, token, badge(client)).json()["verifiableCredential"]
    response = verify(client, signed)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verified"] is True
    assert {"jsonld", "schema", "issuer_key", "proof", "validity"} <= set(body["checks"])
    assert body["errors"] == []


def test_tampered_credential_fails_with_signature_invalid(client: TestClient, token: str) -> None:
    signed = issue(client, token, badge(client)).json()["verifiableCredential"]
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Calculus III"
    response = verify(client, tampered)
    assert response.status_code == 400
    assert [error["code"] for error in response.json()["errors"]] == ["signature_invalid"]


def test_credential_as_vc_jwt_round_trips(client: TestClient, token: str) -> None:
    response = issue(client, token, badge(client), format="jwt_vc")
    assert response.status_code == 201, response.text
    jwt = response.json()["verifiableCredential"]
    assert jwt.count(".") == 2
    verified = verify(client, jwt)
    assert verified.status_code == 200, verified.text
    assert "proof" in verified.json()["checks"]


def test_tampered_vc_jwt_fails(client: TestClient, token: str) -> None:
    jwt = issue(client, token, badge(client), format="jwt_vc").json()["verifiableCredential"]
    header, payload, signature = jwt.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    response = verify(client, f"{header}.{payload}.{flipped}")
    assert response.status_code == 400
    assert response.json()["verified"] is False


def test_plain_vc_without_issuer_gets_the_token_issuer(client: TestClient, token: str) -> None:
    plain = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:learner"},
    }
    response = issue(client, token, plain)
    assert response.status_code == 201, response.text
    signed = response.json()["verifiableCredential"]
    assert signed["issuer"] == client.get("/issuers/xq").json()["id"]
    assert verify(client, signed).status_code == 200


def test_issue_needs_a_token(client: TestClient) -> None:
    response = client.post("/credentials/issue", json={"credential": {}})
    assert_problem(response, 401, "unauthenticated")


def test_issue_needs_the_awards_write_scope(client: TestClient, make_token) -> None:
    response = issue(client, make_token("awards:read"), badge(client))
    assert_problem(response, 403, "forbidden")


REFUSALS: dict[str, tuple[Any, str]] = {
    "issuer other than the token's": (
        {
            "issuer": {
                "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                "type": ["Profile"],
            }
        },
        "issuer-not-signer",
    ),
    "unknown context": (
        {"@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.example/context.json"]},
        "context-not-allowed",
    ),
    "inline context redefining a term": (
        {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                {"name": "https://evil.example/name"},
            ]
        },
        "inline-context-refused",
    ),
    "@vocab that swallows undefined terms": (
        {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                {"@vocab": "https://evil.example/#"},
            ]
        },
        "inline-context-refused",
    ),
    "term no context defines": ({"favouriteColour": "blue"}, "undefined-term"),
    "missing validFrom": ({"validFrom": None}, "schema"),
}


@pytest.mark.parametrize("kind", sorted(REFUSALS))
def test_bad_credentials_are_refused_with_a_stable_code(
    client: TestClient, token: str, kind: str
) -> None:
    changes, code = REFUSALS[kind]
    credential = badge(client, **changes)
    credential = {key: value for key, value in credential.items() if value is not None}
    body = assert_problem(issue(client, token, credential), 422, code)
    assert body["errors"][0]["code"].replace("_", "-") == code


def test_deeply_nested_credential_is_refused(client: TestClient, token: str) -> None:
    nested: dict[str, Any] = {"id": "https://example.org/leaf"}
    for _ in range(60):
        nested = {
            "type": ["Evidence"],
            "narrative": "x",
            "id": "https://example.org/e",
            "audience": nested,
        }
    credential = badge(client, evidence=[nested])
    body = assert_problem(issue(client, token, credential), 422, "document-too-deep")
    assert body["errors"][0]["location"].startswith("$")


def test_subject_without_learner_identity_is_refused(client: TestClient, token: str) -> None:
    credential = badge(client)
    del credential["credentialSubject"]["identifier"]
    body = assert_problem(issue(client, token, credential), 422, "learner-not-identified")
    assert body["errors"][0]["location"] == "$.credentialSubject"


def _signer(runtime: Runtime) -> tuple[CredentialSigner, Any]:
    session = runtime.sessions()
    return CredentialSigner(session, runtime.settings, runtime.private_keys), session


def test_expired_credential_is_reported_as_expired_not_forged(
    client: TestClient, runtime: Runtime
) -> None:
    signer, session = _signer(runtime)
    with session:
        credential = badge(client, validUntil="2026-06-01T00:00:00Z")
        signed = signer.sign(get_issuer(session, "xq"), credential)
    response = verify(client, signed)
    assert response.status_code == 400
    outcomes = {item["check"]: item for item in response.json()["report"]}
    assert outcomes["proof"]["outcome"] == "passed"
    assert outcomes["validity"]["code"] == "expired"


def test_proof_created_in_the_future_is_refused(client: TestClient, runtime: Runtime) -> None:
    signer, session = _signer(runtime)
    with session:
        future = datetime.now(UTC) + timedelta(days=2)
        signed = signer.sign(get_issuer(session, "xq"), badge(client), created=future)
    errors = verify(client, signed).json()["errors"]
    assert "proof_created_in_future" in [error["code"] for error in errors]


def test_key_not_controlled_by_the_issuer_is_refused(client: TestClient) -> None:
    stranger = Ed25519PrivateKey.generate()
    method = did_key_verification_method(did_key_from_public_key(stranger.public_key()))
    signed = sign(badge(client), stranger, method)
    response = verify(client, signed)
    assert response.status_code == 400
    codes = [error["code"] for error in response.json()["errors"]]
    assert "key_not_issuers" in codes


def test_unsigned_credential_is_not_verified(client: TestClient) -> None:
    errors = verify(client, badge(client)).json()["errors"]
    assert [error["code"] for error in errors] == ["proof_missing"]


@pytest.fixture
def https_client(settings: Settings) -> Iterator[TestClient]:
    runtime = Runtime.from_settings(
        settings.model_copy(update={"public_base_url": "https://badges.example.org"})
    )
    bootstrap(runtime)
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client
    runtime.close()


def test_did_web_issuer_signs_rs256_jwts_resolved_from_its_did_document(
    https_client: TestClient, make_token
) -> None:
    token = make_token("awards:write")
    credential = badge(https_client)
    jwt = issue(https_client, token, credential, format="jwt_vc").json()["verifiableCredential"]
    import base64
    import json

    header = json.loads(base64.urlsafe_b64decode(jwt.split(".")[0] + "=="))
    assert header["alg"] == "RS256"
    assert header["kid"].startswith("did:web:badges.example.org:issuers:xq#")
    assert verify(https_client, jwt).status_code == 200


def test_did_web_issuer_data_integrity_proof_verifies_locally(
    https_client: TestClient, make_token
) -> None:
    signed = issue(https_client, make_token("awards:write"), badge(https_client)).json()[
        "verifiableCredential"
    ]
    assert signed["issuer"]["id"] == "did:web:badges.example.org:issuers:xq"
    assert verify(https_client, signed).status_code == 200


def test_a_malformed_language_tag_is_refused_where_it_stands(client: TestClient, token: str):
    credential = badge(client, name={"@value": "Ratios", "@language": "not a tag!"})
    body = assert_problem(issue(client, token, credential), 422, "invalid-language-tag")
    assert [error["location"] for error in body["errors"]] == ["$.name['@language']"]


def test_a_type_that_is_not_text_is_refused_where_it_stands(client: TestClient, token: str):
    credential = badge(client)
    credential["type"] = [*credential["type"], 5]
    body = assert_problem(issue(client, token, credential), 422, "invalid-jsonld")
    assert [error["location"] for error in body["errors"]] == ["$.type[2]"]
