"""The badge definition at /achievements/{uid}: JSON-LD for machines (the default), a page for
browsers that says what the badge means: its CPEs, indicators and standards, who endorses it
and how many learners hold it now."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from fastapi.testclient import TestClient
from markupsafe import escape

from tests.api.test_awards_api import ANA
from tests.api.test_endorsements_api import COMMENT, create_issuer, endorse
from tests.api.test_problems import assert_problem
from tests.helpers import bearer
from tests.pages.conftest import BROWSER_ACCEPT, Award, Page, html_page, path_of

REPO_ROOT = Path(__file__).resolve().parents[2]
EDUCATOR_CATALOG = REPO_ROOT / "examples" / "educator-microcredentials.yaml"
XQ_CATALOG = REPO_ROOT / "app" / "catalog" / "data" / "xq-math.yaml"
UNKNOWN_UID = "00000000-0000-4000-8000-000000000000"
BADGE_NAME = "Linear Equations: Concepts and Skills"
CPE_101A = "Reason about and solve one-variable equations and inequalities"
INDICATOR_101A_I = "use variables to represent numbers and write expressions when solving"
NEW_101C = "Interpret linear equations in context and check solutions against it"
HOSTILE_TITLE = "Calibration <script>alert(1)</script> & Co"
HOSTILE_CPE = "Score <img src=x onerror=alert(2)> artifacts"
HOSTILE_DESCRIPTION = "Calibrate <script>alert(3)</script> with [a link](javascript:alert(4))."
BEN = {"email": "ben.ortiz@students.example.org", "studentId": "S-1002", "name": "Ben Ortiz"}
CHLOE = {"email": "chloe.kim@students.example.org", "studentId": "S-1003", "name": "Chloe Kim"}
DANA = {"email": "dana.wu@students.example.org", "studentId": "S-1004", "name": "Dana Wu"}


def achievement_url(client: TestClient, code: str = "M101", issuer: str = "xq") -> str:
    response = client.get("/achievements", params={"code": code, "issuer": issuer})
    assert response.status_code == 200, response.text
    return str(response.json()["achievements"][0]["id"])


@pytest.fixture
def m101(client: TestClient) -> str:
    return achievement_url(client)


@pytest.fixture
def html(client: TestClient, m101: str) -> str:
    return html_page(client, m101)


@pytest.fixture
def page(html: str) -> Page:
    return Page(html)


def get(client: TestClient, url: str, accept: str | None, **params: str) -> Any:
    request = client.build_request("GET", path_of(url), params=params)
    if accept is None:
        del request.headers["accept"]
    else:
        request.headers["accept"] = accept
    return client.send(request)


def cpe_item(html: str, code: str) -> str:
    """The page's list item of one CPE."""
    listing = html[html.index('<ol class="cpe-list">') : html.index("</ol>")]
    for item in listing.split('<li class="cpe" ')[1:]:
        if item.startswith(f'data-cpe="{code}"'):
            return item
    raise AssertionError(f"no CPE {code} on the page")


# -- machines still get JSON-LD ----------------------------------------------------------------


@pytest.mark.parametrize(
    "accept", [None, "*/*", "application/json", "application/ld+json", "text/html;q=0.5, */*"]
)
def test_machine_clients_get_the_json_ld_achievement(client, m101, accept) -> None:
    response = get(client, m101, accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json"
    assert response.headers["vary"] == "Accept"
    assert response.json()["id"] == m101
    assert response.json()["humanCode"] == "M101"


def test_an_unacceptable_type_is_a_406_problem(client, m101) -> None:
    assert_problem(get(client, m101, "image/png"), 406, "not-acceptable")


# -- the page ------------------------------------------------------------------------------------


def test_a_browser_gets_the_page_with_the_pages_headers(client, m101) -> None:
    response = get(client, m101, BROWSER_ACCEPT)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["vary"] == "Accept"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_the_page_names_the_badge_its_code_pathway_and_issuer(html, page, m101) -> None:
    assert ("h1", BADGE_NAME) in page.headings
    assert '<span class="code">M101</span> · Algebra and Modeling' in html
    assert 'Issued by <a href="https://xqsuperschool.org">XQ Institute</a>.' in html
    assert [image["src"] for image in page.images] == [f"{m101}/image.svg"]
    assert all(image.get("alt") for image in page.images)


def test_the_page_names_the_parent_organisations(client, make_token) -> None:
    admin = bearer(make_token("admin", covers_descendants=True))
    create_issuer(client, admin, "wake")
    import_educator_catalog(client, make_token, issuer="wake")
    html = html_page(client, achievement_url(client, "EMC-01", "wake"))
    assert "Issued by State Board of Education, part of " in html
    assert '<a href="https://xqsuperschool.org">XQ Institute</a>.' in html


def test_open_graph_tags_describe_the_badge(page, m101) -> None:
    assert page.meta["og:title"] == f"M101: {BADGE_NAME}"
    assert page.meta["og:url"] == m101
    assert page.meta["og:image"] == f"{m101}/image.svg"
    assert "4 CPEs, 10 indicators" in page.meta["og:description"]
    assert page.meta["twitter:card"] == "summary"


def test_the_page_links_its_json_ld(client, page, m101) -> None:
    link = page.link("This definition as Open Badges 3.0 JSON-LD")
    assert link == m101
    assert client.get(path_of(link)).json()["humanCode"] == "M101"


def test_description_and_criteria_are_shown(html, page) -> None:
    assert "a badge of the XQ Math Badging System with 4 content and practice" in html
    assert ("h3", "What earning it takes") in page.headings
    assert "A learner earns this badge by demonstrating mastery of each of its 4" in html


def test_every_cpe_is_listed_with_its_text_or_said_to_be_missing(html, page) -> None:
    cpes = [text for tag, text in page.headings if tag == "h3" and text[:4].startswith("101")]
    assert cpes == [
        f"101a {CPE_101A}",
        "101b Solve real-life and mathematical word problems using linear expressions, "
        "equations, and inequalities",
        "101c text not yet provided",
        "101d text not yet provided",
    ]
    assert "4 CPEs, 10 indicators." in html
    assert "3 of its 10 indicators are listed below; the texts of the others are not yet" in html


def test_indicators_are_shown_with_their_alignment_codes(html) -> None:
    item = cpe_item(html, "101a")
    assert INDICATOR_101A_I in item
    assert 'Aligned to <span class="code">A-CED</span> (Creating Equations)' in item
    assert 'Aligned to <span class="code">A-SSE</span> (Seeing Structure in Expressions)' in item
    assert '<span class="code">A-APR</span>' in cpe_item(html, "101b")
    assert "Aligned to" not in cpe_item(html, "101c")


def test_the_standards_alignments_are_listed_with_their_links(page, html) -> None:
    assert ("h2", "Standards alignments") in page.headings
    assert page.link("A-CED Creating Equations") == (
        "https://www.thecorestandards.org/Math/Content/HSA/CED/"
    )
    assert page.link("A-SSE Seeing Structure in Expressions").endswith("/HSA/SSE/")
    assert page.link("A-APR Arithmetic with Polynomials and Rational Expressions").endswith(
        "/HSA/APR/"
    )
    assert html.count("Illinois Learning Standards for Mathematics</span>") == 3


def test_a_badge_without_texts_invents_none(client) -> None:
    html = html_page(client, achievement_url(client, "M100"))
    assert html.count("text not yet provided") == 8
    assert "The texts of its 19 indicators are not yet provided." in html
    assert "This badge states no standards alignments." in html


def test_a_prerequisite_links_its_own_page(client, make_token) -> None:
    import_educator_catalog(client, make_token)
    page = Page(html_page(client, achievement_url(client, "EMC-02", "xq")))
    assert page.link("EMC-01") == achievement_url(client, "EMC-01", "xq")


def test_the_credential_page_links_what_the_badge_means(client, m101, award: Award) -> None:
    credential_page = Page(html_page(client, award()["publicUrl"]))
    link = credential_page.link("What this badge means")
    assert link == m101
    assert ("h1", BADGE_NAME) in Page(html_page(client, link)).headings


# -- holders -------------------------------------------------------------------------------------


def holders_line(html: str) -> str:
    start = html.index('<p class="holders">')
    return html[start : html.index("</p>", start)]


def test_nobody_holds_a_badge_never_awarded(html) -> None:
    assert "<strong>0</strong> learners hold this badge now." in holders_line(html)


def test_the_holder_count_counts_learners_in_force_once(client, m101, award: Award, revoke) -> None:
    award(recipient=dict(ANA))
    award(recipient=dict(ANA))
    award(recipient=dict(BEN))
    revoke(award(recipient=dict(CHLOE))["id"])
    now = datetime.now(UTC)
    award(
        recipient=dict(DANA),
        awardedDate=(now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        validUntil=(now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    award(recipient=dict(ANA), achievement="M102", results=[])
    html = html_page(client, m101)
    assert "<strong>2</strong> learners hold this badge now." in holders_line(html)
    lowered = html.lower()
    for learner in (ANA, BEN, CHLOE, DANA):
        for value in learner.values():
            assert value.lower() not in lowered, value


def test_one_holder_is_said_in_the_singular(client, m101, award: Award) -> None:
    award()
    assert "<strong>1</strong> learner holds this badge now." in holders_line(
        html_page(client, m101)
    )


# -- endorsements --------------------------------------------------------------------------------


@pytest.fixture
def endorsed(client: TestClient, make_token, m101: str) -> dict[str, Any]:
    admin = bearer(make_token("admin", covers_descendants=True))
    create_issuer(client, admin, "state-board", url="https://board.example.gov")
    board = bearer(make_token("endorsements:write", issuer="state-board"))
    response = endorse(client, board, m101.rsplit("/", 1)[1])
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_no_endorsement_is_said_plainly(html) -> None:
    assert "No organisation endorses this badge at present." in html


def test_an_endorsement_in_force_is_shown_with_its_links(client, m101, endorsed) -> None:
    html = html_page(client, m101)
    page = Page(html)
    assert ("h2", "Endorsements") in page.headings
    assert page.link("State Board of Education") == "https://board.example.gov"
    assert f'<blockquote class="endorsement-comment">{escape(COMMENT)}</blockquote>' in html
    endorsed_on = datetime.fromisoformat(endorsed["credential"]["validFrom"])
    assert f">{endorsed_on:%B %-d, %Y}</time>" in html
    credential_url = page.link("The endorsement credential of State Board of Education")
    assert credential_url == endorsed["url"]
    assert client.get(path_of(credential_url)).json()["type"] == [
        "VerifiableCredential",
        "EndorsementCredential",
    ]
    verify = page.link("Verify the endorsement of State Board of Education")
    assert urlsplit(verify).path == "/verify"
    assert parse_qs(urlsplit(verify).query) == {"url": [credential_url]}
    assert Page(client.get(verify).text).verdicts == ["valid"]


def test_a_withdrawn_endorsement_is_not_shown(client, m101, endorsed, make_token) -> None:
    board = bearer(make_token("endorsements:write", issuer="state-board"))
    uid = m101.rsplit("/", 1)[1]
    response = client.delete(
        f"/api/v1/achievements/{uid}/endorsements/{endorsed['id']}", headers=board
    )
    assert response.status_code == 200, response.text
    html = html_page(client, m101)
    assert COMMENT not in html
    assert "No organisation endorses this badge at present." in html


# -- versions ------------------------------------------------------------------------------------


@pytest.fixture
def m101_v2(client: TestClient, make_token, m101: str) -> str:
    data = yaml.safe_load(XQ_CATALOG.read_text(encoding="utf-8"))
    badge = next(badge for badge in data["badges"] if badge["id"] == "M101")
    badge["cpes"][2]["text"] = NEW_101C
    response = client.post(
        "/api/v1/catalogs?issuer=xq",
        content=yaml.safe_dump(data, sort_keys=False).encode(),
        headers={**bearer(make_token("catalog:write")), "content-type": "application/yaml"},
    )
    assert response.status_code == 201, response.text
    return m101


def test_the_current_version_is_shown_by_default(client, m101_v2) -> None:
    html = html_page(client, m101_v2)
    assert "Version 2 (the current one)" in html
    assert f'<span class="code">101c</span> {NEW_101C}' in html


def test_an_older_version_is_shown_when_asked_for(client, m101_v2) -> None:
    response = get(client, m101_v2, BROWSER_ACCEPT, version="1")
    assert response.status_code == 200
    page = Page(response.text)
    assert "Version 1; " in response.text
    assert page.link("the current version is 2") == m101_v2
    assert ("h3", "101c text not yet provided") in page.headings
    assert NEW_101C not in response.text
    assert page.link("This definition as Open Badges 3.0 JSON-LD") == f"{m101_v2}?version=1"
    assert page.meta["og:url"] == f"{m101_v2}?version=1"


def test_the_version_parameter_still_works_for_json_ld(client, m101_v2) -> None:
    assert get(client, m101_v2, None, version="1").json()["version"] == "1"
    assert get(client, m101_v2, None).json()["version"] == "2"


def test_an_unknown_version_is_the_404_page(client, m101) -> None:
    response = get(client, m101, BROWSER_ACCEPT, version="9")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert ("h1", "Not found") in Page(response.text).headings


def test_an_unknown_achievement_is_the_404_page(client) -> None:
    response = client.get(f"/achievements/{UNKNOWN_UID}", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["vary"] == "Accept"
    assert ("h1", "Not found") in Page(response.text).headings


# -- hostile catalog texts -----------------------------------------------------------------------


def import_educator_catalog(
    client: TestClient, make_token, issuer: str = "xq", **changes: Any
) -> None:
    catalog = yaml.safe_load(EDUCATOR_CATALOG.read_text(encoding="utf-8"))
    catalog["badges"][0].update(changes)
    loader = bearer(make_token("catalog:write", issuer=issuer))
    response = client.post(
        f"/api/v1/catalogs?issuer={issuer}",
        content=json.dumps(catalog),
        headers={**loader, "content-type": "application/json"},
    )
    assert response.status_code == 201, response.text


def test_hostile_catalog_texts_are_shown_as_text(client, make_token) -> None:
    import_educator_catalog(
        client,
        make_token,
        title=HOSTILE_TITLE,
        description=HOSTILE_DESCRIPTION,
        cpes=[
            {"code": "emc01a", "text": HOSTILE_CPE, "indicators": [{"code": "i", "text": None}]},
            {"code": "emc01b", "text": None},
        ],
    )
    html = html_page(client, achievement_url(client, "EMC-01"))
    assert ("h1", HOSTILE_TITLE) in Page(html).headings
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert 'href="javascript' not in html
    assert html.count("<script") == 0
