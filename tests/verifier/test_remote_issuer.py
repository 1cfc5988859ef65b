"""Verifying credentials of ANOTHER issuer, one that is not this service, over real HTTP.

A threaded HTTP server on 127.0.0.1 plays a remote issuer, ``did:web:localhost%3A<port>``: it
publishes its DID document at ``/.well-known/did.json``, signed Bitstring status lists, and
hosted credentials (JSON-LD and a VC-JWT). Everything it serves is signed by code independent
of this project: Data Integrity proofs by Digital Bazaar's Node libraries
(``tests/interop/node/interop.mjs``), the VC-JWTs by PyJWT; the status lists' bitstrings are
gzipped here with the standard library.

The service under test verifies through POST /api/v1/verify with settings that trust the test
issuer's ``localhost:<port>`` (plain http, loopback address) and small fetch limits. Covered:

* a remote credential with a remote status list verifies; a set bit revokes (or suspends) it;
  a list that cannot be fetched (500, timeout, not JSON), is signed by another key, belongs to
  another issuer, has expired or sits at another URL makes the status ``unknown``, never valid
  or revoked; the same for the issuer's 1EdTech revocation list;
* one verification cannot be made to fan out: a credential naming many status lists, or
  carrying (or pointing at a list carrying) many proofs, is refused before any fetch;
* the issuer key: a missing (404: invalid) or broken DID document, one the server cannot give
  now (5xx, 429, timeout: unknown), a key listed only for authentication, a key
  of another DID, a document for another DID, a method the document does not list, another
  controller, an unusable key, a method that is no DID URL, an unsupported DID method;
* credentials by URL (JSON-LD and VC-JWT), same-origin redirects followed, and what is refused:
  redirects elsewhere, bodies over ``fetch_max_bytes``, servers slower than
  ``fetch_timeout_seconds``;
* with the DEFAULT settings (nothing trusted), the SSRF guards: plain http, loopback, private
  and link-local addresses, and did:web on an IP address or an untrusted host are refused
  without a single request reaching the server.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from app.bootstrap import bootstrap
from app.credentials.context_urls import VC2_CONTEXT
from app.credentials.did import did_key_from_public_key, did_key_verification_method
from app.credentials.multikey import private_key_to_multibase, public_key_to_multibase
from app.credentials.ob3 import LearnerIdentity, build_open_badge_credential, hashed_identity
from app.main import create_app
from app.runtime import Runtime
from app.settings import Settings
from tests.api.test_problems import assert_problem
from tests.interop.digitalbazaar import Node, node_runner

CREATED = "2025-03-14T15:09:26Z"
FETCH_TIMEOUT = 1.5
FETCH_MAX_BYTES = 32 * 1024
SLOW_SECONDS = 30.0
LIST_BITS = 131_072  # the minimum Bitstring Status List length (16 KB)

REVOKED_INDEX = 7
JWT_INDEX = 9
SUSPENDED_INDEX = 3
REFRESH_INDEX = 4
MANY_STATUSES = 12


# -- the remote issuer's server -----------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(document: Any, content_type: str = "application/json") -> Reply:
    return Reply(body=json.dumps(document).encode(), content_type=content_type)


class RemoteIssuer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RemoteIssuerHandler)
        self.defaults: dict[str, Reply] = {}
        self.routes: dict[str, Reply] = {}
        self.hits: list[str] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.documents: dict[str, Any] = {}

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def host(self) -> str:
        return f"localhost:{self.port}"

    @property
    def did(self) -> str:
        return f"did:web:localhost%3A{self.port}"

    def sub_did(self, name: str) -> str:
        return f"{self.did}:{name}"

    def url(self, path: str) -> str:
        return f"http://localhost:{self.port}{path}"

    def serve(self, path: str, reply: Reply) -> None:
        with self.lock:
            self.routes[path] = reply

    def reply_for(self, path: str) -> Reply:
        with self.lock:
            self.hits.append(path)
            return self.routes.get(urlsplit(path).path, Reply(404, b"not here", "text/plain"))

    def reset(self) -> None:
        with self.lock:
            self.routes = dict(self.defaults)
            self.hits.clear()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A verifier that gave up (time or size limit) breaks the pipe; that is expected."""


class RemoteIssuerHandler(BaseHTTPRequestHandler):
    server: RemoteIssuer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        reply = self.server.reply_for(self.path)
        if reply.delay:
            self.server.stopping.wait(reply.delay)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)


# -- what the remote issuer publishes, signed independently ------------------------------------


@dataclass(frozen=True)
class Key:
    private: Ed25519PrivateKey
    method: str

    @property
    def multibase(self) -> str:
        return public_key_to_multibase(self.private.public_key())

    def signing_request(self, document: dict[str, Any]) -> dict[str, Any]:
        return {
            "credential": document,
            "secretKeyMultibase": private_key_to_multibase(self.private),
            "publicKeyMultibase": self.multibase,
            "verificationMethod": self.method,
            "suite": "eddsa-rdfc-2022",
            "created": CREATED,
        }


def new_key(method_for: str | None = None, fragment: str = "key-1") -> Key:
    private = Ed25519PrivateKey.generate()
    if method_for is None:
        return Key(
            private, did_key_verification_method(did_key_from_public_key(private.public_key()))
        )
    return Key(private, f"{method_for}#{fragment}")


def multikey(key: Key, controller: str) -> dict[str, Any]:
    return {
        "id": key.method,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": key.multibase,
    }


def did_document(
    did: str, assertion: list[Key], authentication_only: tuple[Key, ...] = ()
) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [multikey(key, did) for key in [*assertion, *authentication_only]],
        "assertionMethod": [key.method for key in assertion],
        "authentication": [key.method for key in [*assertion, *authentication_only]],
    }


def encoded_list(*set_bits: int) -> str:
    """A Bitstring Status List encodedList (bit 0 is the left-most bit), by the standard library."""
    bits = bytearray(LIST_BITS // 8)
    for index in set_bits:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def status_list(url: str, issuer: str, purpose: str, *set_bits: int, **extra: Any) -> dict:
    return {
        "@context": [VC2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": "2025-01-01T00:00:00Z",
        **extra,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded_list(*set_bits),
        },
    }


def revocation_list(server: RemoteIssuer, issuer: str, *revoked: str) -> dict[str, Any]:
    """A 1EdTech Revocation List: plain JSON, no proof."""
    return {
        "id": server.url("/revocations"),
        "issuer": issuer,
        "revokedCredentials": [{"id": url, "revoked": True} for url in revoked],
    }


def status_entry(list_url: str, index: int, purpose: str = "revocation") -> dict[str, Any]:
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def open_badge(url: str, issuer_did: str, entry: dict[str, Any] | None) -> dict[str, Any]:
    return build_open_badge_credential(
        credential_id=url,
        issuer={"id": issuer_did, "type": ["Profile"], "name": "Remote Test Academy"},
        achievement={
            "id": "https://remote.example.org/achievements/fractions-1",
            "type": ["Achievement"],
            "name": "Fractions: équivalence",
            "description": "Shows that two fractions name the same number.",
            "criteria": {"narrative": "Solved 8 of 10 equivalence problems."},
            "achievementType": "Competency",
        },
        learner=LearnerIdentity(
            identifiers=(hashed_identity("emailAddress", "learner@example.org", salt="pepper"),)
        ),
        valid_from=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        awarded_date=datetime(2025, 1, 2, tzinfo=UTC),
        credential_status=[entry] if entry else [],
    )


def plain_vc(url: str, issuer_did: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """A VC 2.0 credential that is no Open Badge (which may carry a list of status entries)."""
    return {
        "@context": [VC2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential"],
        "issuer": issuer_did,
        "validFrom": "2025-01-02T03:04:05Z",
        "credentialSubject": {"id": "did:example:learner"},
        "credentialStatus": entries,
    }


def vc_jwt(credential: dict[str, Any], key: Key, **claims: Any) -> str:
    """A VC-JWT as OB 3.0 section 8.2 describes it, signed by PyJWT (EdDSA)."""
    valid_from = datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00"))
    payload = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(valid_from.timestamp()),
        **claims,
    }
    return jwt.encode(payload, key.private, algorithm="EdDSA", headers={"kid": key.method})


@pytest.fixture(scope="module")
def node() -> Node:
    return node_runner()


@pytest.fixture(scope="module")
def remote(node: Node) -> Iterator[RemoteIssuer]:
    server = RemoteIssuer()
    did, other_did, gone_did = server.did, server.sub_did("other"), server.sub_did("gone")
    key, auth_key = new_key(did), new_key(did, "auth-1")
    other_key, gone_key, stranger = new_key(other_did), new_key(gone_did), new_key()
    impostor = Key(Ed25519PrivateKey.generate(), key.method)  # claims key-1, is not key-1
    list_url = server.url("/status/1")
    entry = status_entry(list_url, REVOKED_INDEX)

    unsigned: dict[str, tuple[Key, dict[str, Any]]] = {
        "list": (key, status_list(list_url, did, "revocation")),
        "list-revoked": (key, status_list(list_url, did, "revocation", REVOKED_INDEX)),
        "list-by-stranger": (stranger, status_list(list_url, did, "revocation")),
        "list-by-impostor": (impostor, status_list(list_url, did, "revocation", JWT_INDEX)),
        "list-of-other": (other_key, status_list(list_url, other_did, "revocation")),
        "list-expired": (
            key,
            status_list(list_url, did, "revocation", validUntil="2025-02-01T00:00:00Z"),
        ),
        "list-suspension": (
            key,
            status_list(server.url("/status/s"), did, "suspension", SUSPENDED_INDEX),
        ),
        "list-refresh": (
            key,
            status_list(server.url("/status/r"), did, "refresh", REFRESH_INDEX),
        ),
        "credential": (key, open_badge(server.url("/credentials/1"), did, entry)),
        "revocation-listed": (
            key,
            open_badge(
                server.url("/credentials/11"),
                did,
                {"id": server.url("/revocations"), "type": "1EdTechRevocationList"},
            ),
        ),
        "ledger-status": (
            key,
            open_badge(
                server.url("/credentials/10"),
                did,
                {"id": server.url("/ledger/10"), "type": "https://ledger.example.org/v#Entry"},
            ),
        ),
        "two-statuses": (
            key,
            plain_vc(
                server.url("/credentials/13"),
                did,
                [
                    status_entry(list_url, 20),
                    status_entry(server.url("/status/s"), 21, "suspension"),
                ],
            ),
        ),
        "many-statuses": (
            key,
            plain_vc(
                server.url("/credentials/12"),
                did,
                [status_entry(server.url(f"/slow/{n}"), n) for n in range(MANY_STATUSES)],
            ),
        ),
        "by-auth-key": (auth_key, open_badge(server.url("/credentials/5"), did, entry)),
        "by-other-did": (other_key, open_badge(server.url("/credentials/6"), did, entry)),
        "of-gone-did": (gone_key, open_badge(server.url("/credentials/7"), gone_did, None)),
        "suspended": (
            key,
            open_badge(
                server.url("/credentials/3"),
                did,
                status_entry(server.url("/status/s"), SUSPENDED_INDEX, "suspension"),
            ),
        ),
        "refresh": (
            key,
            open_badge(
                server.url("/credentials/4"),
                did,
                status_entry(server.url("/status/r"), REFRESH_INDEX, "refresh"),
            ),
        ),
    }
    names = list(unsigned)
    requests = [unsigned[name][0].signing_request(unsigned[name][1]) for name in names]
    signed = node("sign-all", {"requests": requests})
    server.documents = dict(zip(names, signed, strict=True))
    jwt_credential = open_badge(
        server.url("/credentials/2"), did, status_entry(list_url, JWT_INDEX)
    )
    server.documents["jwt"] = vc_jwt(jwt_credential, key)
    server.documents["jwt-wrong-jti"] = vc_jwt(jwt_credential, key, jti=server.url("/elsewhere"))
    server.documents["did"] = did_document(did, [key], (auth_key,))
    server.documents["other-did"] = did_document(other_did, [other_key])
    server.documents["keys"] = {"key": key, "auth": auth_key, "other": other_key}

    ld = "application/vc+ld+json"
    server.defaults = {
        "/.well-known/did.json": json_reply(server.documents["did"], "application/did+json"),
        "/other/did.json": json_reply(server.documents["other-did"], "application/did+json"),
        "/status/1": json_reply(server.documents["list"], ld),
        "/status/s": json_reply(server.documents["list-suspension"], ld),
        "/status/r": json_reply(server.documents["list-refresh"], ld),
        "/credentials/1": json_reply(server.documents["credential"], ld),
        "/revocations": json_reply(revocation_list(server, did, server.url("/credentials/99"))),
        "/credentials/2": Reply(
            body=server.documents["jwt"].encode(), content_type="application/vc+jwt"
        ),
        "/moved": Reply(302, headers={"Location": "/credentials/1"}),
        "/to-another-host": Reply(
            302, headers={"Location": f"http://127.0.0.1:{server.port}/credentials/1"}
        ),
        "/to-another-port": Reply(
            302, headers={"Location": f"http://localhost:{server.port + 1}/credentials/1"}
        ),
        "/big": Reply(body=b"{" + b" " * FETCH_MAX_BYTES + b"}"),
        "/slow": Reply(
            body=json.dumps(server.documents["credential"]).encode(), delay=SLOW_SECONDS
        ),
        "/page.html": Reply(
            body=b"<!doctype html><p>Congratulations!</p>", content_type="text/html"
        ),
    }
    server.reset()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield server
    server.stopping.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def issuer_server(remote: RemoteIssuer) -> RemoteIssuer:
    """The module's remote issuer with its default routes, and no requests seen yet."""
    remote.reset()
    return remote


@pytest.fixture
def trusting(settings: Settings, issuer_server: RemoteIssuer) -> Iterator[TestClient]:
    """The real app with settings that trust the test issuer (and fetch within small limits)."""
    trusting_settings = Settings(
        database_url=settings.database_url,
        keys_dir=settings.keys_dir,
        public_base_url=settings.public_base_url,
        key_passphrase=None,
        fetch_trusted_hosts=[issuer_server.host],
        fetch_max_bytes=FETCH_MAX_BYTES,
        fetch_timeout_seconds=FETCH_TIMEOUT,
    )
    runtime = Runtime.from_settings(trusting_settings)
    bootstrap(runtime)
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client
    runtime.close()


def verify(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/verify", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def checks(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["check"]: check for check in result["checks"]}


def outcome(result: dict[str, Any], name: str) -> tuple[str, str | None]:
    check = checks(result)[name]
    return check["outcome"], check.get("code")


def credential(server: RemoteIssuer, name: str = "credential") -> dict[str, Any]:
    return copy.deepcopy(server.documents[name])


# -- a remote credential and its remote status list ---------------------------------------------


def test_a_remote_did_web_credential_verifies(trusting, issuer_server):
    result = verify(trusting, {"credential": credential(issuer_server)})
    assert (result["verified"], result["verdict"]) == (True, "valid"), result["checks"]
    assert outcome(result, "records") == ("skipped", None)
    for name in ("jsonld", "schema", "issuer_key", "proof", "validity", "status", "issuer"):
        assert outcome(result, name) == ("passed", None), name
    assert result["issuer"] == {
        "id": issuer_server.did,
        "name": "Remote Test Academy",
        "recognised": True,
        "basis": "domain",
        "registry": None,
        "listedName": None,
        "domain": issuer_server.host,
    }
    assert {"/.well-known/did.json", "/status/1"} <= set(issuer_server.hits)


def test_flipping_the_remote_bit_revokes_the_credential(trusting, issuer_server):
    issuer_server.serve("/status/1", json_reply(issuer_server.documents["list-revoked"]))
    result = verify(trusting, {"credential": credential(issuer_server)})
    assert (result["verified"], result["verdict"]) == (False, "revoked")
    assert outcome(result, "status") == ("failed", "revoked")
    assert outcome(result, "proof") == ("passed", None)


def test_a_status_list_server_error_is_unknown(trusting, issuer_server):
    issuer_server.serve("/status/1", Reply(500, b"oops", "text/plain"))
    result = verify(trusting, {"credential": credential(issuer_server)})
    assert (result["verified"], result["verdict"]) == (False, "unknown")
    assert outcome(result, "status") == ("unknown", "status_unavailable")
    assert outcome(result, "proof") == ("passed", None)


def test_a_status_list_that_times_out_is_unknown(trusting, issuer_server):
    slow = json_reply(issuer_server.documents["list-revoked"])
    slow.delay = SLOW_SECONDS
    issuer_server.serve("/status/1", slow)
    started = time.monotonic()
    result = verify(trusting, {"credential": credential(issuer_server)})
    assert time.monotonic() - started < FETCH_TIMEOUT + 5
    assert (result["verified"], result["verdict"]) == (False, "unknown")
    check = checks(result)["status"]
    assert (check["outcome"], check["code"]) == ("unknown", "status_unavailable")
    assert "longer than" in check["message"] or "timed out" in check["message"]


def test_a_status_list_that_is_not_json_is_unknown(trusting, issuer_server):
    issuer_server.serve(
        "/status/1", Reply(body=b"<html>maintenance</html>", content_type="text/html")
    )
    result = verify(trusting, {"credential": credential(issuer_server)})
    assert result["verdict"] == "unknown"
    assert outcome(result, "status") == ("unknown", "status_unavailable")


def test_a_status_list_signed_by_another_key_is_unverified(trusting, issuer_server):
    issuer_server.serve("/status/1", json_reply(issuer_server.documents["list-by-stranger"]))
    result = verify(trusting, {"credential": credential(issuer_server)})
    assert (result["verified"], result["verdict"]) == (False, "unknown")
    assert outcome(result, "status") == ("unknown", "status_list_unverified")


def test_a_status_list_with_a_forged_signature_is_unverified(trusting, issuer_server):
    """Signed by a key that only claims to be the issuer's key-1: never trusted to revoke."""
    issuer_server.serve("/status/1", json_reply(issuer_server.documents["list-by-impostor"]))
    jwt_credential = issuer_server.documents["jwt"]
    result = verify(trusting, {"credential": jwt_credential})
    assert result["verdict"] == "unknown"
    check = checks(result)["status"]
    assert (check["outcome"], check["code"]) == ("unknown", "status_list_unverified")


def test_another_issuers_status_list_is_foreign(trusting, issuer_server):
    issuer_server.serve("/status/1", json_reply(issuer_server.documents["list-of-other"]))
    result = verify(trusting, {"credential": credential(issuer_server)})
    assert (result["verified"], result["verdict"]) == (False, "unknown")
    assert outcome(result, "status") == ("unknown", "status_list_foreign")


def test_an_expired_status_list_is_unknown(trusting, issuer_server):
    issuer_server.serve("/status/1", json_reply(issuer_server.documents["list-expired"]))
    result = verify(trusting, {"credential": credential(issuer_server)})
    assert result["verdict"] == "unknown"
    assert outcome(result, "status") == ("unknown", "status_list_expired")


def test_a_status_list_published_under_another_url_is_unknown(trusting, issuer_server):
    """The issuer's own, genuine suspension list (its id is /status/s) served at /status/1."""
    issuer_server.serve("/status/1", json_reply(issuer_server.documents["list-suspension"]))
    result = verify(trusting, {"credential": credential(issuer_server)})
    assert result["verdict"] == "unknown"
    assert outcome(result, "status") == ("unknown", "status_list_mismatch")


def test_a_set_suspension_bit_suspends_the_credential(trusting, issuer_server):
    result = verify(trusting, {"credential": credential(issuer_server, "suspended")})
    assert (result["verified"], result["verdict"]) == (False, "suspended")
    assert outcome(result, "status") == ("failed", "suspended")
    assert outcome(result, "proof") == ("passed", None)


def test_a_set_refresh_bit_is_a_warning_not_a_failure(trusting, issuer_server):
    result = verify(trusting, {"credential": credential(issuer_server, "refresh")})
    assert (result["verified"], result["verdict"]) == (True, "valid")
    assert outcome(result, "status") == ("warning", "status_set")
    assert outcome(result, "proof") == ("passed", None)


def test_a_credential_absent_from_the_remote_revocation_list_verifies(trusting, issuer_server):
    result = verify(trusting, {"credential": credential(issuer_server, "revocation-listed")})
    assert (result["verified"], result["verdict"]) == (True, "valid"), result["checks"]
    assert outcome(result, "status") == ("passed", None)


def test_a_credential_on_the_remote_revocation_list_is_revoked(trusting, issuer_server):
    listed = credential(issuer_server, "revocation-listed")
    document = revocation_list(issuer_server, issuer_server.did, listed["id"])
    issuer_server.serve("/revocations", json_reply(document))
    result = verify(trusting, {"credential": listed})
    assert (result["verified"], result["verdict"]) == (False, "revoked")
    assert outcome(result, "status") == ("failed", "revoked")
    assert outcome(result, "proof") == ("passed", None)


def test_a_revocation_list_of_another_issuer_is_foreign(trusting, issuer_server):
    listed = credential(issuer_server, "revocation-listed")
    document = revocation_list(issuer_server, issuer_server.sub_did("other"), listed["id"])
    issuer_server.serve("/revocations", json_reply(document))
    result = verify(trusting, {"credential": listed})
    assert (result["verified"], result["verdict"]) == (False, "unknown")
    assert outcome(result, "status") == ("unknown", "status_list_foreign")


def test_a_status_method_the_verifier_does_not_read_is_a_warning(trusting, issuer_server):
    result = verify(trusting, {"credential": credential(issuer_server, "ledger-status")})
    assert (result["verified"], result["verdict"]) == (True, "valid")
    assert outcome(result, "status") == ("warning", "status_method_unsupported")
    assert outcome(result, "proof") == ("passed", None)


def test_a_credential_with_a_revocation_and_a_suspension_entry_checks_both(trusting, issuer_server):
    result = verify(trusting, {"credential": credential(issuer_server, "two-statuses")})
    assert (result["verified"], result["verdict"]) == (True, "valid"), result["checks"]
    statuses = [check for check in result["checks"] if check["check"] == "status"]
    assert [check["message"] for check in statuses] == ["not revoked", "not suspended"]
    assert outcome(result, "schema") == ("skipped", None)


def test_a_credential_naming_many_status_lists_does_not_fan_out(trusting, issuer_server):
    """Each entry would be one more fetch, each up to the time limit: the submitter must not
    be able to make one verification send a request per entry. (An Open Badge carries one
    credentialStatus object; a plain VC may carry a list.)"""
    for n in range(MANY_STATUSES):
        issuer_server.serve(f"/slow/{n}", issuer_server.defaults["/slow"])
    started = time.monotonic()
    result = verify(trusting, {"credential": credential(issuer_server, "many-statuses")})
    assert time.monotonic() - started < FETCH_TIMEOUT + 5
    assert outcome(result, "proof") == ("passed", None)
    assert (result["verified"], result["verdict"]) == (False, "unknown")
    assert outcome(result, "status") == ("unknown", "too_many_status_entries")
    assert not [hit for hit in issuer_server.hits if hit.startswith("/slow/")]


def test_a_credential_with_many_proofs_does_not_fan_out(trusting, issuer_server):
    """Each proof names a key to resolve (a fetch) and costs a canonicalization: a proof set
    larger than any issuer needs is refused before either."""
    many = credential(issuer_server)
    genuine = many["proof"]
    many["proof"] = [genuine]
    for n in range(MANY_STATUSES):
        issuer_server.serve(f"/slow{n}/did.json", issuer_server.defaults["/slow"])
        many["proof"].append({**genuine, "verificationMethod": f"{issuer_server.did}:slow{n}#k"})
    started = time.monotonic()
    result = verify(trusting, {"credential": many})
    assert time.monotonic() - started < FETCH_TIMEOUT + 5
    assert (result["verified"], result["verdict"]) == (False, "invalid")
    assert outcome(result, "proof") == ("failed", "too_many_proofs")
    assert not [hit for hit in issuer_server.hits if hit.startswith("/slow")]


def test_a_status_list_with_many_proofs_is_unverified_without_fan_out(trusting, issuer_server):
    many = copy.deepcopy(issuer_server.documents["list-revoked"])
    genuine = many["proof"]
    many["proof"] = [genuine]
    for n in range(MANY_STATUSES):
        issuer_server.serve(f"/slow{n}/did.json", issuer_server.defaults["/slow"])
        many["proof"].append({**genuine, "verificationMethod": f"{issuer_server.did}:slow{n}#k"})
    issuer_server.serve("/status/1", json_reply(many))
    started = time.monotonic()
    result = verify(trusting, {"credential": credential(issuer_server)})
    assert time.monotonic() - started < FETCH_TIMEOUT + 5
    assert (result["verified"], result["verdict"]) == (False, "unknown")
    assert outcome(result, "status") == ("unknown", "status_list_unverified")
    assert not [hit for hit in issuer_server.hits if hit.startswith("/slow")]


def test_a_tampered_remote_credential_is_invalid(trusting, issuer_server):
    changed = credential(issuer_server)
    changed["credentialSubject"]["achievement"]["name"] = "Calculus: mastery"
    result = verify(trusting, {"credential": changed})
    assert (result["verified"], result["verdict"]) == (False, "invalid")
    assert outcome(result, "issuer_key") == ("passed", None)
    assert outcome(result, "proof") == ("failed", "signature_invalid")


# -- the issuer's key --------------------------------------------------------------------------


def test_a_missing_did_document_is_unresolvable(trusting, issuer_server):
    result = verify(trusting, {"credential": credential(issuer_server, "of-gone-did")})
    assert (result["verified"], result["verdict"]) == (False, "invalid")
    assert outcome(result, "issuer_key") == ("failed", "did_unresolvable")
    assert outcome(result, "proof") == ("failed", "key_resolution_failed")
    assert "/gone/did.json" in issuer_server.hits


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_did_document_the_server_cannot_give_now_is_unknown(trusting, issuer_server, status):
    """A server error or "try later" says nothing about the credential: the signature could not
    be checked (unknown), unlike a missing document (404, DID Resolution's notFound: invalid)."""
    issuer_server.serve("/.well-known/did.json", Reply(status, b"busy", "text/plain"))
    result = verify(trusting, {"credential": credential(issuer_server)})
    assert (result["verified"], result["verdict"]) == (False, "unknown"), result["checks"]
    assert outcome(result, "issuer_key") == ("unknown", "issuer_key_unavailable")
    assert outcome(result, "proof") == ("unknown", "issuer_key_unavailable")
    assert str(status) in checks(result)["issuer_key"]["message"]


def test_a_did_document_that_times_out_is_unknown(trusting, issuer_server):
    slow = json_reply(issuer_server.documents["did"], "application/did+json")
    slow.delay = SLOW_SECONDS
    issuer_server.serve("/.well-known/did.json", slow)
    started = time.monotonic()
    result = verify(trusting, {"credential": credential(issuer_server)})
    assert time.monotonic() - started < 3 * FETCH_TIMEOUT + 5
    assert result["verdict"] == "unknown", result["checks"]
    assert outcome(result, "issuer_key") == ("unknown", "issuer_key_unavailable")
    assert outcome(result, "proof") == ("unknown", "issuer_key_unavailable")


def test_a_vc_jwt_whose_did_document_is_unavailable_is_unknown(trusting, issuer_server):
    issuer_server.serve("/.well-known/did.json", Reply(502, b"bad gateway", "text/plain"))
    result = verify(trusting, {"credential": issuer_server.documents["jwt"]})
    assert (result["verified"], result["verdict"]) == (False, "unknown"), result["checks"]
    assert outcome(result, "issuer_key") == ("unknown", "issuer_key_unavailable")
    assert outcome(result, "proof") == ("unknown", "issuer_key_unavailable")


def test_a_did_document_that_is_not_json_is_unresolvable(trusting, issuer_server):
    nested = b'{"id": ' * 50_000 + b"1" + b"}" * 50_000
    issuer_server.serve("/.well-known/did.json", Reply(body=nested))
    result = verify(trusting, {"credential": credential(issuer_server)})
    assert result["verdict"] == "invalid"
    assert outcome(result, "issuer_key") == ("failed", "did_unresolvable")


def test_a_did_document_over_the_size_limit_is_unresolvable(trusting, issuer_server):
    issuer_server.serve("/.well-known/did.json", issuer_server.defaults["/big"])
    result = verify(trusting, {"credential": credential(issuer_server)})
    check = checks(result)["issuer_key"]
    assert (check["outcome"], check["code"]) == ("failed", "did_unresolvable")
    assert "limit" in check["message"]


def test_a_key_listed_only_for_authentication_cannot_sign(trusting, issuer_server):
    result = verify(trusting, {"credential": credential(issuer_server, "by-auth-key")})
    assert (result["verified"], result["verdict"]) == (False, "invalid")
    assert outcome(result, "issuer_key") == ("failed", "key_not_for_assertion")


def test_a_key_of_another_did_is_not_the_issuers(trusting, issuer_server):
    result = verify(trusting, {"credential": credential(issuer_server, "by-other-did")})
    assert (result["verified"], result["verdict"]) == (False, "invalid")
    assert outcome(result, "issuer_key") == ("failed", "key_not_issuers")
    assert "/other/did.json" in issuer_server.hits


def test_a_did_document_of_another_did_is_refused(trusting, issuer_server):
    issuer_server.serve("/.well-known/did.json", json_reply(issuer_server.documents["other-did"]))
    result = verify(trusting, {"credential": credential(issuer_server)})
    assert outcome(result, "issuer_key") == ("failed", "did_document_mismatch")


def changed_did_document(server: RemoteIssuer, change: Callable[[dict[str, Any]], object]) -> None:
    document = copy.deepcopy(server.documents["did"])
    change(document)
    server.serve("/.well-known/did.json", json_reply(document))


def test_an_assertion_key_the_document_does_not_describe_is_not_found(trusting, issuer_server):
    changed_did_document(issuer_server, lambda document: document["verificationMethod"].pop(0))
    result = verify(trusting, {"credential": credential(issuer_server)})
    assert outcome(result, "issuer_key") == ("failed", "verification_method_not_found")


def test_a_key_controlled_by_another_did_is_refused(trusting, issuer_server):
    def other_controller(document: dict[str, Any]) -> None:
        document["verificationMethod"][0]["controller"] = issuer_server.sub_did("other")

    changed_did_document(issuer_server, other_controller)
    result = verify(trusting, {"credential": credential(issuer_server)})
    assert outcome(result, "issuer_key") == ("failed", "controller_mismatch")


def test_an_unusable_key_is_refused(trusting, issuer_server):
    def garbled(document: dict[str, Any]) -> None:
        document["verificationMethod"][0]["publicKeyMultibase"] = "z6Mk-not-a-key"

    changed_did_document(issuer_server, garbled)
    result = verify(trusting, {"credential": credential(issuer_server)})
    assert outcome(result, "issuer_key") == ("failed", "unusable_key")


def with_method(document: dict[str, Any], method: str, issuer: str | None = None) -> dict:
    changed = copy.deepcopy(document)
    changed["proof"]["verificationMethod"] = method
    if issuer is not None:
        changed["issuer"]["id"] = issuer
    return changed


def test_a_verification_method_without_a_fragment_is_refused(trusting, issuer_server):
    changed = with_method(credential(issuer_server), issuer_server.did)
    result = verify(trusting, {"credential": changed})
    assert outcome(result, "issuer_key") == ("failed", "invalid_verification_method")


@pytest.mark.parametrize(
    "controller", ["did:example:remote-academy", "http://remote.example.org/keys"]
)
def test_an_unsupported_key_controller_is_refused(trusting, issuer_server, controller):
    changed = with_method(credential(issuer_server), f"{controller}#key-1", controller)
    result = verify(trusting, {"credential": changed})
    assert outcome(result, "issuer_key") == ("failed", "did_method_unsupported")


# -- VC-JWTs signed by the remote issuer -------------------------------------------------------


def test_a_remote_vc_jwt_verifies(trusting, issuer_server):
    result = verify(trusting, {"credential": issuer_server.documents["jwt"]})
    assert (result["verified"], result["verdict"], result["format"]) == (True, "valid", "jwt")
    assert outcome(result, "issuer_key") == ("passed", None)
    assert outcome(result, "status") == ("passed", None)
    assert outcome(result, "records") == ("skipped", None)


def test_a_remote_vc_jwt_whose_claims_disagree_is_invalid(trusting, issuer_server):
    result = verify(trusting, {"credential": issuer_server.documents["jwt-wrong-jti"]})
    assert (result["verified"], result["verdict"]) == (False, "invalid")
    assert outcome(result, "proof") == ("passed", None)
    assert outcome(result, "claims") == ("failed", "jwt_id_mismatch")


def test_a_remote_vc_jwt_by_a_key_of_another_did_is_refused(trusting, issuer_server):
    jwt_credential = open_badge(issuer_server.url("/credentials/8"), issuer_server.did, None)
    token = vc_jwt(jwt_credential, issuer_server.documents["keys"]["other"])
    result = verify(trusting, {"credential": token})
    assert result["verdict"] == "invalid"
    assert outcome(result, "issuer_key") == ("failed", "key_not_issuers")
    assert outcome(result, "proof") == ("failed", "jwt_key_not_found")


# -- credentials by URL ------------------------------------------------------------------------


def test_a_remote_credential_verifies_by_url(trusting, issuer_server):
    result = verify(trusting, {"url": issuer_server.url("/credentials/1")})
    assert (result["verified"], result["verdict"]) == (True, "valid"), result["checks"]
    assert (result["source"], result["format"]) == ("url", "ldp")
    assert result["credential"] == issuer_server.documents["credential"]


def test_a_remote_vc_jwt_verifies_by_url(trusting, issuer_server):
    result = verify(trusting, {"url": issuer_server.url("/credentials/2")})
    assert (result["verified"], result["verdict"]) == (True, "valid"), result["checks"]
    assert (result["source"], result["format"]) == ("url", "jwt")
    assert result["credential"]["id"] == issuer_server.url("/credentials/2")


def test_a_same_origin_redirect_is_followed(trusting, issuer_server):
    result = verify(trusting, {"url": issuer_server.url("/moved")})
    assert result["verdict"] == "valid"
    assert issuer_server.hits[:2] == ["/moved", "/credentials/1"]


@pytest.mark.parametrize("path", ["/to-another-host", "/to-another-port"])
def test_a_redirect_elsewhere_is_refused(trusting, issuer_server, path):
    response = trusting.post("/api/v1/verify", json={"url": issuer_server.url(path)})
    problem = assert_problem(response, 502, "url-unavailable")
    assert "redirect" in problem["detail"]
    assert issuer_server.hits == [path]


def test_a_response_over_the_size_limit_is_refused(trusting, issuer_server):
    response = trusting.post("/api/v1/verify", json={"url": issuer_server.url("/big")})
    problem = assert_problem(response, 502, "url-unavailable")
    assert str(FETCH_MAX_BYTES) in problem["detail"]


def test_a_slow_server_is_given_up_on(trusting, issuer_server):
    started = time.monotonic()
    response = trusting.post("/api/v1/verify", json={"url": issuer_server.url("/slow")})
    elapsed = time.monotonic() - started
    problem = assert_problem(response, 502, "url-unavailable")
    assert "longer than" in problem["detail"] or "timed out" in problem["detail"]
    assert elapsed < FETCH_TIMEOUT + 5


def test_a_missing_remote_credential_is_unavailable(trusting, issuer_server):
    response = trusting.post("/api/v1/verify", json={"url": issuer_server.url("/credentials/9")})
    problem = assert_problem(response, 502, "url-unavailable")
    assert "404" in problem["detail"]


def test_a_page_that_is_no_credential_is_unavailable(trusting, issuer_server):
    response = trusting.post("/api/v1/verify", json={"url": issuer_server.url("/page.html")})
    problem = assert_problem(response, 502, "url-unavailable")
    assert "credential" in problem["detail"]


# -- the SSRF guards, with the default settings (nothing trusted) ------------------------------


def test_plain_http_to_an_untrusted_host_is_refused(client, issuer_server):
    response = client.post("/api/v1/verify", json={"url": issuer_server.url("/credentials/1")})
    assert_problem(response, 422, "url-refused")
    assert issuer_server.hits == []


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/credentials/abc",
        "https://10.0.0.1/",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/credentials/abc",
        "https://[::ffff:127.0.0.1]/credentials/abc",
        "https://192.168.1.10/credentials/abc",
        "ftp://example.org/credential.json",
        "https://user:secret@example.org/credential.json",
        "credentials/abc",
    ],
)
def test_urls_the_verifier_never_fetches_are_refused(client, url):
    assert_problem(client.post("/api/v1/verify", json={"url": url}), 422, "url-refused")


def test_a_name_that_resolves_to_loopback_is_refused(client, issuer_server):
    url = f"https://localhost:{issuer_server.port}/credentials/1"
    problem = assert_problem(client.post("/api/v1/verify", json={"url": url}), 422, "url-refused")
    assert "loopback" in problem["detail"]
    assert issuer_server.hits == []


def test_a_did_web_on_an_ip_address_is_never_fetched(client, issuer_server):
    did = "did:web:127.0.0.1"
    changed = with_method(credential(issuer_server), f"{did}#key-1", did)
    result = verify(client, {"credential": changed})
    assert result["verdict"] == "invalid"
    assert outcome(result, "issuer_key") == ("failed", "invalid_did")


def test_an_https_key_controller_on_a_private_address_is_never_fetched(client, issuer_server):
    controller = "https://10.1.2.3/issuers/remote"
    changed = with_method(credential(issuer_server), f"{controller}#key-1", controller)
    result = verify(client, {"credential": changed})
    check = checks(result)["issuer_key"]
    assert (check["outcome"], check["code"]) == ("failed", "did_unresolvable")
    assert "private" in check["message"]


def test_a_did_web_on_an_untrusted_host_is_never_fetched(client, issuer_server):
    result = verify(client, {"credential": credential(issuer_server)})
    assert (result["verified"], result["verdict"]) == (False, "invalid")
    check = checks(result)["issuer_key"]
    assert (check["outcome"], check["code"]) == ("failed", "did_unresolvable")
    assert "loopback" in check["message"]
    assert outcome(result, "status") == ("unknown", "status_unavailable")
    assert issuer_server.hits == []
