"""Open Badges 2.0 hosted verification of our awards, checked the way the OB 2.0 specification
says a verifier checks a hosted assertion.

``HostedChecker`` below follows the specification's steps (Open Badges v2.0, "Data Validation",
"Verification", "HostedBadge Verification" and "Revoking Hosted Assertions") and fetches every
linked document through the test client, so the documents are checked as they are served, not
as they are built. JSON-LD expansion uses only the pinned OB 2.0 context and fails on any term
it would drop.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from app.credentials.baking import OB2_PNG_KEYWORD, PNG_KEYWORD, ImageNotBaked, extract_from_png
from app.credentials.document_loader import default_document_loader
from app.issuer.issuers import get_issuer
from app.runtime import Runtime
from tests.api.test_awards_api import award_body
from tests.api.test_problems import assert_problem
from tests.helpers import bearer
from tests.pages.conftest import Page, html_page, path_of

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
OBI = "https://w3id.org/openbadges#"
BADGE_OBJECT_TYPES = ("application/ld+json", "application/json")
EMAIL = "ana.lopez@students.example.org"
RECIPIENT = {"email": EMAIL, "studentId": "S-1001", "name": "Ana Lopez"}
ISSUER_EMAIL = "badges@xq.example.org"
UNKNOWN_TOKEN = "no-such-token-0123456789abcdef"

REQUIRED = {
    "Assertion": ("id", "type", "recipient", "badge", "verification", "issuedOn"),
    "BadgeClass": ("id", "type", "name", "description", "image", "criteria", "issuer"),
    "Issuer": ("id", "type", "name", "url", "email"),
    "RevocationList": ("type", "revokedAssertions"),
}
"""The properties each class requires (Profile: those required of an issuer)."""


# -- the checker ----------------------------------------------------------------------------------


def expand_pinned(document: dict[str, Any]) -> list[dict[str, Any]]:
    """pyld expansion with the pinned contexts only; fails if any term is dropped or an @id
    is left relative."""
    loader = default_document_loader()
    dropped: list[object] = []
    processor = jsonld.JsonLdProcessor(on_property_dropped=dropped.append)
    expanded: list[dict[str, Any]] = processor.expand(
        document,
        {"documentLoader": loader, "contextResolver": ContextResolver({}, loader), "base": None},
    )
    assert dropped == [], f"terms dropped on expansion: {dropped}"
    assert expanded, "nothing survives expansion"
    for node_id in _ids(expanded):
        assert urlsplit(node_id).scheme in ("http", "https"), node_id
    return expanded


def _ids(value: Any) -> list[str]:
    if isinstance(value, list):
        return [found for item in value for found in _ids(item)]
    if isinstance(value, dict):
        own = [value["@id"]] if isinstance(value.get("@id"), str) else []
        return own + [found for item in value.values() for found in _ids(item)]
    return []


def types_of(document: dict[str, Any]) -> list[str]:
    value = document.get("type")
    return value if isinstance(value, list) else [value]


def origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    default_port = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, parts.hostname, parts.port or default_port


def in_hosted_scope(assertion_id: str, badge_id: str, issuer: dict[str, Any]) -> list[str]:
    """The specification's hosted-verification scope: the issuer Profile's VerificationObject
    (``startsWith``, ``allowedOrigins``), or by default the origin of the Profile's ``id`` for
    the Assertion and its BadgeClass."""
    policy = issuer.get("verification")
    if isinstance(policy, dict) and ("startsWith" in policy or "allowedOrigins" in policy):
        problems = []
        starts = policy.get("startsWith")
        if starts is not None:
            prefixes = starts if isinstance(starts, list) else [starts]
            if not any(assertion_id.startswith(prefix) for prefix in prefixes):
                problems.append(f"{assertion_id} starts with none of {prefixes}")
        allowed = policy.get("allowedOrigins")
        if allowed is not None:
            hosts = allowed if isinstance(allowed, list) else [allowed]
            if urlsplit(assertion_id).netloc not in hosts:
                problems.append(f"{assertion_id} is not on an allowed origin {hosts}")
        return problems
    issuer_origin = origin(str(issuer["id"]))
    return [
        f"{what} {url} is not on the issuer's origin {issuer_origin}"
        for what, url in (("assertion", assertion_id), ("badge class", badge_id))
        if origin(url) != issuer_origin
    ]


def recipient_problems(recipient: Any, email: str) -> list[str]:
    if not isinstance(recipient, dict):
        return ["the recipient is not an IdentityObject"]
    missing = [name for name in ("type", "identity", "hashed") if name not in recipient]
    if missing:
        return [f"the recipient lacks {missing}"]
    if recipient["type"] != "email":
        return [f"the recipient is identified by {recipient['type']}, not email"]
    if recipient["hashed"] is not True:
        return [] if recipient["identity"] == email else ["the recipient is someone else"]
    algorithm, _, digest = str(recipient["identity"]).partition("$")
    if algorithm not in ("sha256", "md5"):
        return [f"unknown identity hash {algorithm}"]
    salted = (email + str(recipient.get("salt", ""))).encode("utf-8")
    if hashlib.new(algorithm, salted).hexdigest() != digest:
        return [f"the recipient hash is not that of {email}"]
    return []


def _timestamp(value: Any) -> datetime | None:
    """An ISO 8601 timestamp with a time zone, as OB 2.0 requires, or None."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


@dataclass
class HostedVerification:
    assertion: dict[str, Any]
    revoked: bool = False
    badge: dict[str, Any] = field(default_factory=dict)
    issuer: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.revoked and not self.problems


class HostedChecker:
    """Verifies a hosted OB 2.0 Assertion from its URL, fetching through the test client."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def fetch(self, url: str) -> tuple[int, dict[str, Any]]:
        """A Badge Object: served as JSON-LD (or JSON), with the OB 2.0 context, expanding
        with nothing dropped."""
        response = self.client.get(path_of(url), headers={"Accept": "application/ld+json"})
        assert response.status_code in (200, 410), (url, response.status_code, response.text)
        assert response.headers["content-type"].split(";")[0] in BADGE_OBJECT_TYPES
        document = response.json()
        assert document["@context"] == OB2_CONTEXT
        expand_pinned(document)
        return response.status_code, document

    def image(self, url: str, kinds: tuple[str, ...]) -> bytes:
        response = self.client.get(path_of(url))
        assert response.status_code == 200, url
        assert response.headers["content-type"].split(";")[0] in kinds, url
        return response.content

    def verify(self, url: str, email: str) -> HostedVerification:
        status, assertion = self.fetch(url)
        result = HostedVerification(assertion)
        problems = result.problems
        if assertion.get("id") != url:
            problems.append("the hosted assertion's id is not the URL it is served at")
        if status == 410 or assertion.get("revoked") is True:
            result.revoked = True
            if "id" not in assertion or assertion.get("revoked") is not True:
                problems.append("a revoked assertion needs its id and revoked: true")
            return result
        problems += self._required(assertion, "Assertion")
        [node] = expand_pinned(assertion)
        [verification] = node[f"{OBI}verify"]
        if verification.get("@type") != [f"{OBI}HostedBadge"]:
            problems.append("the assertion does not declare hosted verification")
        if _timestamp(assertion.get("issuedOn")) is None:
            problems.append("issuedOn is not an ISO 8601 timestamp with a time zone")
        if "expires" in assertion:
            expires = _timestamp(assertion["expires"])
            if expires is None or expires <= datetime.now(UTC):
                problems.append("the assertion has expired or its expiry is malformed")
        problems += recipient_problems(assertion.get("recipient"), email)
        if "image" in assertion:
            Image.open(io.BytesIO(self.image(assertion["image"], ("image/png",)))).verify()

        badge_url = str(assertion.get("badge"))
        _, result.badge = self.fetch(badge_url)
        problems += self._required(result.badge, "BadgeClass", url=badge_url)
        criteria = result.badge.get("criteria")
        if not (isinstance(criteria, str) or {"id", "narrative"} & set(criteria or {})):
            problems.append("the badge class's criteria give neither a page nor a narrative")
        for alignment in result.badge.get("alignment", []):
            if not {"targetName", "targetUrl"} <= set(alignment):
                problems.append(f"an alignment lacks targetName or targetUrl: {alignment}")
        self.image(str(result.badge.get("image")), ("image/png", "image/svg+xml"))

        issuer_url = str(result.badge.get("issuer"))
        _, result.issuer = self.fetch(issuer_url)
        problems += self._required(result.issuer, "Issuer", url=issuer_url)
        problems += in_hosted_scope(url, badge_url, result.issuer)
        if "revocationList" in result.issuer:
            _, revocations = self.fetch(result.issuer["revocationList"])
            problems += self._required(revocations, "RevocationList")
            if url in revoked_ids(revocations):
                problems.append("the issuer's revocation list names the assertion")
        return result

    @staticmethod
    def _required(document: dict[str, Any], kind: str, url: str | None = None) -> list[str]:
        problems = [
            f"{kind} lacks {name}"
            for name in REQUIRED[kind]
            if document.get(name) is None or document.get(name) == ""
        ]
        accepted = ("Issuer", "Profile") if kind == "Issuer" else (kind,)
        if not set(types_of(document)) & set(accepted):
            problems.append(f"a {kind} is typed {document.get('type')}")
        if url is not None and document.get("id") != url:
            problems.append(f"the {kind} at {url} has the id {document.get('id')}")
        return problems


def revoked_ids(revocations: dict[str, Any]) -> list[str]:
    entries = revocations.get("revokedAssertions", [])
    return [entry if isinstance(entry, str) else entry.get("id") for entry in entries]


# -- fixtures -------------------------------------------------------------------------------------


def set_issuer_contact(runtime: Runtime, email: str | None, url: str | None) -> None:
    with runtime.sessions() as session:
        issuer = get_issuer(session, "xq")
        issuer.email, issuer.url = email, url
        session.commit()


@pytest.fixture(autouse=True)
def issuer_contact(runtime: Runtime) -> None:
    """The default issuer has no contact email; an OB 2.0 issuer Profile requires one."""
    set_issuer_contact(runtime, ISSUER_EMAIL, "https://xqsuperschool.org")


@pytest.fixture
def writer(make_token: Callable[..., str]) -> dict[str, str]:
    return bearer(make_token("awards:write awards:read awards:revoke"))


Award = Callable[..., dict[str, Any]]


@pytest.fixture
def award(client: TestClient, writer: dict[str, str]) -> Award:
    def factory(**changes: Any) -> dict[str, Any]:
        changes.setdefault("sourceAwardId", f"lms-{uuid.uuid4().hex[:12]}")
        changes.setdefault("recipient", dict(RECIPIENT))
        response = client.post("/api/v1/awards", json=award_body(**changes), headers=writer)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return factory


@pytest.fixture
def checker(client: TestClient) -> HostedChecker:
    return HostedChecker(client)


def assertion_url(awarded: dict[str, Any]) -> str:
    token = awarded["publicUrl"].rsplit("/", 1)[1]
    return awarded["publicUrl"].replace(f"/credentials/{token}", f"/ob2/assertions/{token}")


# -- hosted verification --------------------------------------------------------------------------


def test_an_award_verifies_as_a_hosted_ob2_badge(checker: HostedChecker, award: Award) -> None:
    awarded = award(narrative="Solved every task **unaided**.")
    url = assertion_url(awarded)
    result = checker.verify(url, EMAIL)
    assert result.problems == []
    assert result.valid
    assertion = result.assertion
    assert assertion["verification"] == {"type": "HostedBadge"}
    assert assertion["issuedOn"] == awarded["awardedDate"]
    assert assertion["narrative"] == "Solved every task **unaided**."
    assert assertion["evidence"] == [
        {
            "type": "Evidence",
            "id": "https://portfolio.example.org/ana/ratios",
            "name": "Ratios project",
            "genre": "Project",
        }
    ]
    assert assertion["image"] == f"{url}/badge.png"
    assert "expires" not in assertion
    assert "revoked" not in assertion
    assert result.badge["name"] == awarded["credential"]["name"]
    assert result.issuer["name"] == "XQ Institute"
    assert result.issuer["email"] == ISSUER_EMAIL


def test_the_assertion_keeps_no_private_evidence_and_no_student_id(
    client: TestClient, award: Award
) -> None:
    body = client.get(path_of(assertion_url(award()))).text
    assert "portfolio.example.org/ana/private" not in body
    assert "S-1001" not in body
    assert EMAIL not in body


def test_the_hosted_assertion_is_the_same_document_on_every_fetch(
    checker: HostedChecker, award: Award
) -> None:
    url = assertion_url(award())
    first = checker.fetch(url)[1]
    assert checker.fetch(first["id"])[1] == first
    assert checker.fetch(url)[1] == first


def test_each_award_has_its_own_salt(checker: HostedChecker, award: Award) -> None:
    first = checker.fetch(assertion_url(award()))[1]["recipient"]
    second = checker.fetch(assertion_url(award()))[1]["recipient"]
    assert first["salt"] != second["salt"]
    assert first["identity"] != second["identity"]


def test_the_checker_refuses_another_recipient(checker: HostedChecker, award: Award) -> None:
    result = checker.verify(assertion_url(award()), "someone.else@students.example.org")
    assert result.problems == [
        "the recipient hash is not that of someone.else@students.example.org"
    ]


def test_the_hosted_scope_rule_is_the_issuers_origin() -> None:
    issuer = {"id": "https://badges.example.org/ob2/issuers/xq"}
    here, there = "https://badges.example.org/ob2/x", "https://evil.example.net/ob2/x"
    assert in_hosted_scope(here, here, issuer) == []
    assert len(in_hosted_scope(there, here, issuer)) == 1
    assert len(in_hosted_scope(here, there, issuer)) == 1
    assert in_hosted_scope("https://badges.example.org:443/a", here, issuer) == []
    assert len(in_hosted_scope("http://badges.example.org/a", here, issuer)) == 1
    narrowed = {**issuer, "verification": {"startsWith": "https://badges.example.org/ob2/"}}
    assert in_hosted_scope(here, here, narrowed) == []
    assert len(in_hosted_scope("https://badges.example.org/other", here, narrowed)) == 1


def test_an_expiring_award_says_when(checker: HostedChecker, award: Award) -> None:
    awarded = award(validUntil="2040-06-30T12:00:00Z")
    result = checker.verify(assertion_url(awarded), EMAIL)
    assert result.valid, result.problems
    assert result.assertion["expires"] == "2040-06-30T12:00:00Z"


def test_the_badge_is_the_version_awarded(
    client: TestClient, checker: HostedChecker, award: Award
) -> None:
    awarded = award()
    badge_url = checker.fetch(assertion_url(awarded))[1]["badge"]
    achievement = awarded["achievement"]
    uid = achievement["id"].rsplit("/", 1)[1]
    assert badge_url.endswith(f"/ob2/badges/{uid}?version={achievement['version']}")
    badge = checker.fetch(badge_url)[1]
    assert badge["version"] == achievement["version"]
    assert badge["issuer"].endswith("/ob2/issuers/xq")
    assert {"targetName", "targetUrl"} <= set(badge["alignment"][0])
    assert "M101" in badge["tags"]
    assert badge["criteria"]["narrative"].startswith("A learner earns this badge")
    current = checker.fetch(badge_url.split("?")[0])[1]
    assert current == badge
    response = client.get(path_of(badge_url.split("?")[0]), params={"version": 99})
    assert_problem(response, 404, "not-found")
    for version in (0, 2**31, 10**30):
        response = client.get(path_of(badge_url.split("?")[0]), params={"version": version})
        assert_problem(response, 422, "validation-error")


def test_a_client_asking_only_for_json_gets_json(client: TestClient, award: Award) -> None:
    response = client.get(path_of(assertion_url(award())), headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    default = client.get(path_of(assertion_url(award())))
    assert default.headers["content-type"] == "application/ld+json"


# -- revocation -----------------------------------------------------------------------------------


def test_a_revoked_award_answers_gone_and_is_on_the_revocation_list(
    client: TestClient, checker: HostedChecker, award: Award, writer: dict[str, str]
) -> None:
    kept, revoked = award(), award()
    response = client.post(
        f"/api/v1/awards/{revoked['id']}/revoke",
        json={"reason": "Private note about the student"},
        headers=writer,
    )
    assert response.status_code == 200, response.text
    url = assertion_url(revoked)
    result = checker.verify(url, EMAIL)
    assert result.revoked
    assert not result.valid
    assert result.problems == []
    gone = client.get(path_of(url))
    assert gone.status_code == 410
    assert gone.json()["revoked"] is True
    assert gone.json()["revocationReason"] == "Revoked by the issuer."
    assert "Private note" not in gone.text

    issuer_url = checker.fetch(gone.json()["badge"])[1]["issuer"]
    listing = checker.fetch(checker.fetch(issuer_url)[1]["revocationList"])[1]
    assert listing["issuer"] == issuer_url
    assert revoked_ids(listing) == [url]
    assert listing["revokedAssertions"][0]["revocationReason"] == "Revoked by the issuer."
    assert checker.verify(assertion_url(kept), EMAIL).valid


def test_a_replaced_award_is_revoked_without_naming_its_replacement(
    client: TestClient, checker: HostedChecker, award: Award, writer: dict[str, str]
) -> None:
    old = award()
    response = client.post(
        f"/api/v1/awards/{old['id']}/reissue",
        json={"name": "Ana María López", "reason": "name corrected"},
        headers=writer,
    )
    assert response.status_code == 201, response.text
    new_token = response.json()["publicUrl"].rsplit("/", 1)[1]
    result = checker.verify(assertion_url(old), EMAIL)
    assert result.revoked
    assert result.assertion["revocationReason"] == "Replaced by the issuer with a corrected award."
    listing = checker.fetch("http://127.0.0.1:8000/ob2/issuers/xq/revocations")[1]
    assert revoked_ids(listing) == [assertion_url(old)]
    assert new_token not in str(result.assertion) + str(listing)
    assert checker.verify(assertion_url(response.json()), EMAIL).valid


# -- baking ---------------------------------------------------------------------------------------


def test_the_baked_png_carries_the_hosted_assertion(
    client: TestClient, checker: HostedChecker, award: Award
) -> None:
    url = assertion_url(award())
    response = client.get(path_of(f"{url}/badge.png"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    baked = extract_from_png(response.content, keyword=OB2_PNG_KEYWORD)
    assert baked == checker.fetch(url)[1]
    with pytest.raises(ImageNotBaked, match="openbadgecredential"):
        extract_from_png(response.content, keyword=PNG_KEYWORD)
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.format == "PNG"
        image.load()
        assert image.size[0] > 0


# -- no OB 2.0 form, unknown addresses ------------------------------------------------------------


def test_a_learner_without_email_has_no_ob2_form(client: TestClient, award: Award) -> None:
    awarded = award(recipient={"studentId": "S-2002", "name": "Bo Chen"})
    url = path_of(assertion_url(awarded))
    for path in (url, f"{url}/badge.png"):
        body = assert_problem(client.get(path), 404, "ob2-unavailable")
        assert "email" in body["detail"]


def test_an_issuer_without_contact_email_has_no_ob2_form(
    client: TestClient, runtime: Runtime, award: Award
) -> None:
    url = path_of(assertion_url(award()))
    set_issuer_contact(runtime, None, "https://xqsuperschool.org")
    for path in (url, "/ob2/issuers/xq"):
        body = assert_problem(client.get(path), 404, "ob2-unavailable")
        assert "contact email" in body["detail"]


@pytest.mark.parametrize(
    "path",
    [
        f"/ob2/assertions/{UNKNOWN_TOKEN}",
        f"/ob2/assertions/{UNKNOWN_TOKEN}/badge.png",
        f"/ob2/badges/{uuid.uuid4()}",
        "/ob2/issuers/nobody",
        "/ob2/issuers/nobody/revocations",
    ],
)
def test_unknown_addresses_are_404_problems(client: TestClient, path: str) -> None:
    assert_problem(client.get(path), 404, "not-found")


# -- the credential page --------------------------------------------------------------------------


def test_the_credential_page_links_the_ob2_forms(client: TestClient, award: Award) -> None:
    awarded = award()
    page = Page(html_page(client, awarded["publicUrl"]))
    url = assertion_url(awarded)
    assert page.link("Open Badges 2.0 assertion") == url
    assert page.link("Open Badges 2.0 badge image (PNG)") == f"{url}/badge.png"
    without_email = award(recipient={"studentId": "S-2002", "name": "Bo Chen"})
    labels = [label for _, label in Page(html_page(client, without_email["publicUrl"])).links]
    assert not [label for label in labels if "Open Badges 2.0" in label]
