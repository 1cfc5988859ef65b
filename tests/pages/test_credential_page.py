"""The hosted credential at /credentials/{token}: its page, its JSON-LD and VC-JWT forms by
Accept, and its downloads (baked PNG and SVG, credential files)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from app.credentials.baking import extract_baked
from tests.api.test_awards_api import ANA
from tests.api.test_problems import assert_problem
from tests.pages.conftest import BROWSER_ACCEPT, Award, Page, html_page, path_of

AWARDED = "2025-03-04T10:00:00Z"
UNKNOWN_TOKEN = "NoSuchCredentialTokenHere0123456"
PRIVATE_EVIDENCE = "https://portfolio.example.org/ana/private"


@pytest.fixture
def awarded(award: Award) -> dict[str, Any]:
    return award(awardedDate=AWARDED)


@pytest.fixture
def page(client: TestClient, awarded: dict[str, Any]) -> Page:
    return Page(html_page(client, awarded["publicUrl"]))


def get(client: TestClient, url: str, accept: str | None) -> Any:
    request = client.build_request("GET", path_of(url))
    if accept is None:
        del request.headers["accept"]
    else:
        request.headers["accept"] = accept
    return client.send(request)


def jws_payload(token: str) -> dict[str, Any]:
    parts = token.split(".")
    assert len(parts) == 3, token
    padded = parts[1] + "=" * (-len(parts[1]) % 4)
    return dict(json.loads(base64.urlsafe_b64decode(padded)))


# -- the page ------------------------------------------------------------------------------------


def test_a_browser_gets_the_html_page(client, awarded) -> None:
    response = get(client, awarded["publicUrl"], BROWSER_ACCEPT)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["vary"] == "Accept"


def test_the_page_names_the_badge_with_its_code(page) -> None:
    assert ("h1", "Linear Equations: Concepts and Skills") in page.headings
    assert page.meta["og:title"] == "M101: Linear Equations: Concepts and Skills"


def test_the_page_names_the_issuer_and_the_issue_date(client, awarded) -> None:
    html = html_page(client, awarded["publicUrl"])
    assert 'Issued by <a href="https://xqsuperschool.org">XQ Institute</a>' in html
    assert '<time datetime="2025-03-04T10:00:00+00:00">March 4, 2025</time>' in html


def test_the_page_says_the_credential_is_valid(client, awarded) -> None:
    html = html_page(client, awarded["publicUrl"])
    assert Page(html).verdicts == ["valid"]
    assert 'data-verdict="valid">Valid<' in html


def test_open_graph_tags_describe_the_badge(page, awarded) -> None:
    url = awarded["publicUrl"]
    assert page.meta["og:url"] == url
    assert page.meta["og:image"] == f"{url}/badge.png"
    assert page.meta["og:description"] == (
        "M101: Linear Equations: Concepts and Skills, a badge issued by XQ Institute "
        "on March 4, 2025."
    )
    assert page.meta["og:image:alt"]


def test_twitter_gets_a_summary_card(page, awarded) -> None:
    assert page.meta["twitter:card"] == "summary"
    assert page.meta["twitter:image"] == f"{awarded['publicUrl']}/badge.png"


def test_the_linkedin_link_fills_in_the_certification(page, awarded) -> None:
    href = page.link("Add to LinkedIn profile")
    parts = urlsplit(href)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.linkedin.com/profile/add"
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert query == {
        "startTask": "CERTIFICATION_NAME",
        "name": "M101: Linear Equations: Concepts and Skills",
        "organizationName": "XQ Institute",
        "issueYear": "2025",
        "issueMonth": "3",
        "certUrl": awarded["publicUrl"],
        "certId": awarded["publicUrl"],
    }


def test_the_page_links_each_download(page, awarded) -> None:
    url = awarded["publicUrl"]
    assert page.link("Credential (JSON-LD)") == f"{url}/credential.json"
    assert page.link("Credential (VC-JWT)") == f"{url}/credential.jwt"
    assert page.link("Badge image with the credential inside (PNG)") == f"{url}/badge.png"
    assert page.link("Badge image with the credential inside (SVG)") == f"{url}/badge.svg"


def test_every_download_link_works(client, page) -> None:
    labels = [label for _, label in page.links if label.startswith(("Credential (", "Badge im"))]
    assert len(labels) == 4
    for label in labels:
        assert client.get(path_of(page.link(label))).status_code == 200, label


def test_the_verify_link_checks_this_credential(client, page) -> None:
    response = client.get(page.link("Verify it independently"))
    assert Page(response.text).verdicts == ["valid"]


def test_the_page_never_shows_the_email_or_student_id(client, awarded) -> None:
    html = html_page(client, awarded["publicUrl"]).lower()
    assert ANA["email"].lower() not in html
    assert ANA["studentId"].lower() not in html


def test_private_evidence_never_appears_on_the_page(client, awarded) -> None:
    html = html_page(client, awarded["publicUrl"])
    assert "Ratios project" in html
    assert PRIVATE_EVIDENCE not in html


def test_the_page_is_sent_with_a_content_security_policy(client, awarded) -> None:
    headers = get(client, awarded["publicUrl"], BROWSER_ACCEPT).headers
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff"


def test_every_image_has_alt_text(page) -> None:
    assert page.images
    assert all(image.get("alt") for image in page.images)


# -- machine clients -----------------------------------------------------------------------------


def test_without_accept_the_credential_is_json_ld(client, awarded) -> None:
    response = get(client, awarded["publicUrl"], None)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    assert response.json() == awarded["credential"]


def test_any_type_gets_the_json_ld_credential(client, awarded) -> None:
    response = get(client, awarded["publicUrl"], "*/*")
    assert response.headers["content-type"].startswith("application/ld+json")
    assert response.json() == awarded["credential"]


def test_vc_ld_json_is_answered_as_asked(client, awarded) -> None:
    response = get(client, awarded["publicUrl"], "application/vc+ld+json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vc+ld+json")
    assert response.json() == awarded["credential"]


@pytest.mark.parametrize("media", ["application/vc+jwt", "application/jwt"])
def test_a_jwt_client_gets_a_compact_jws_of_the_credential(client, awarded, media) -> None:
    response = get(client, awarded["publicUrl"], media)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    payload = jws_payload(response.text)
    assert payload["id"] == payload["jti"] == awarded["publicUrl"]
    assert "proof" not in payload


def test_the_jwt_payload_is_the_credential_itself_with_no_vc_claim(client, awarded) -> None:
    """OB 3.0 section 8.2.4.1: the payload is the OpenBadgeCredential beside the JWT claims."""
    payload = jws_payload(get(client, awarded["publicUrl"], "application/vc+jwt").text)
    assert "vc" not in payload
    assert "OpenBadgeCredential" in payload["type"]
    assert payload["credentialSubject"]["achievement"]["humanCode"] == "M101"
    assert payload["iss"] == payload["issuer"]["id"]


def test_a_refused_json_ld_is_not_sent_for_a_wildcard(client, awarded) -> None:
    response = get(client, awarded["publicUrl"], "application/ld+json;q=0, */*")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vc+ld+json")


def test_an_unacceptable_type_is_a_406_problem(client, awarded) -> None:
    assert_problem(get(client, awarded["publicUrl"], "image/png"), 406, "not-acceptable")


def test_an_unknown_credential_is_a_404_page_for_a_browser(client) -> None:
    response = client.get(f"/credentials/{UNKNOWN_TOKEN}", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert ("h1", "Not found") in Page(response.text).headings


def test_a_mistyped_link_is_the_404_page_not_a_validation_error(client) -> None:
    response = client.get("/credentials/abc", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 404
    assert ("h1", "Not found") in Page(response.text).headings


def test_an_unknown_credential_is_a_404_problem_for_a_machine(client) -> None:
    assert_problem(client.get(f"/credentials/{UNKNOWN_TOKEN}"), 404, "not-found")


DOWNLOADS = ["credential.json", "credential.jwt", "badge.png", "badge.svg"]


@pytest.mark.parametrize("download", DOWNLOADS)
def test_an_unknown_credentials_downloads_are_404_problems(client, download) -> None:
    assert_problem(client.get(f"/credentials/{UNKNOWN_TOKEN}/{download}"), 404, "not-found")


# -- after the award changes ---------------------------------------------------------------------


def test_a_revoked_credentials_page_says_revoked_not_the_cached_valid(
    client, awarded, revoke
) -> None:
    assert Page(html_page(client, awarded["publicUrl"])).verdicts == ["valid"]
    revoke(awarded["id"])
    html = html_page(client, awarded["publicUrl"])
    assert Page(html).verdicts == ["revoked"]
    assert ">Revoked<" in html


def test_a_reissued_credentials_old_page_says_superseded(client, awarded, writer) -> None:
    assert Page(html_page(client, awarded["publicUrl"])).verdicts == ["valid"]
    response = client.post(
        f"/api/v1/awards/{awarded['id']}/reissue",
        json={"name": "Ana María Lopez", "reason": "name corrected"},
        headers=writer,
    )
    assert response.status_code == 201, response.text
    old = html_page(client, awarded["publicUrl"])
    assert Page(old).verdicts == ["superseded"]
    assert ">Superseded<" in old
    new = html_page(client, response.json()["publicUrl"])
    assert Page(new).verdicts == ["valid"]


def test_a_credential_past_its_valid_until_says_expired_before_any_sweep(client, award) -> None:
    now = datetime.now(UTC)
    lapsed = award(
        awardedDate=(now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        validUntil=(now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    assert lapsed["status"] == "active"
    html = html_page(client, lapsed["publicUrl"])
    assert Page(html).verdicts == ["expired"]
    assert ">Expired<" in html


# -- downloads -----------------------------------------------------------------------------------


def test_the_png_badge_has_the_credential_baked_in(client, awarded) -> None:
    response = client.get(path_of(f"{awarded['publicUrl']}/badge.png"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert extract_baked(response.content) == awarded["credential"]


def test_the_svg_badge_has_the_credential_baked_in(client, awarded) -> None:
    response = client.get(path_of(f"{awarded['publicUrl']}/badge.svg"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert extract_baked(response.content) == awarded["credential"]


def test_the_json_download_is_the_credential_as_an_attachment(client, awarded) -> None:
    response = client.get(path_of(f"{awarded['publicUrl']}/credential.json"))
    assert response.headers["content-disposition"] == 'attachment; filename="credential.json"'
    assert response.json() == awarded["credential"]


def test_the_jwt_download_is_an_attachment(client, awarded) -> None:
    response = client.get(path_of(f"{awarded['publicUrl']}/credential.jwt"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vc+jwt")
    assert response.headers["content-disposition"] == 'attachment; filename="credential.jwt"'
    assert jws_payload(response.text)["id"] == awarded["publicUrl"]
