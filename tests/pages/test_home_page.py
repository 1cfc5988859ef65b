"""The front door at /: a page for browsers naming what this service is and where to go, and a
small JSON index of the same links for machine clients."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.api.pages import PAGE_HEADERS
from tests.api.test_problems import assert_problem
from tests.pages.conftest import BROWSER_ACCEPT, Page, html_page, path_of


def test_a_browser_gets_a_page_saying_what_this_is(client: TestClient) -> None:
    page = Page(html_page(client, "/"))
    assert ("h1", "XQ Math Badges") in page.headings


def test_the_page_links_to_verify_the_docs_and_the_achievements(client: TestClient) -> None:
    page = Page(html_page(client, "/"))
    assert page.link("Check that a badge is genuine") == "/verify"
    assert page.link("API reference") == "/docs"
    assert page.link("Badges as Open Badges 3.0 JSON") == "/achievements"


def test_the_page_lists_the_badges_linking_to_their_pages(client: TestClient) -> None:
    page = Page(html_page(client, "/"))
    url = page.link("Linear Equations: Concepts and Skills")
    assert "Linear Equations: Concepts and Skills" in html_page(client, path_of(url))


def test_the_page_sends_the_pages_security_headers(client: TestClient) -> None:
    response = client.get("/", headers={"Accept": BROWSER_ACCEPT})
    for name, value in PAGE_HEADERS.items():
        assert response.headers[name] == value


def test_a_client_asking_for_json_gets_an_index_of_links(client: TestClient) -> None:
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.headers["content-type"] == "application/json"
    links = response.json()["links"]
    assert {name: client.get(href).status_code for name, href in links.items()} == {
        name: 200 for name in links
    }


def test_other_types_are_a_406(client: TestClient) -> None:
    assert_problem(client.get("/", headers={"Accept": "image/png"}), 406, "not-acceptable")
