"""The API reference at /docs (Swagger UI) and /redoc (ReDoc) needs nothing from another origin:
its pages reference only assets this service serves, with their proper types, and the pages'
Content-Security-Policy lets those in and nothing else."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

ASSET_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
}


class References(HTMLParser):
    """Every URL a page makes the browser load: scripts, stylesheets, icons."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            if found.get("src"):
                self.urls.append(found["src"] or "")
            else:
                self.inline_scripts += 1
        elif tag == "link" and found.get("rel") in ("stylesheet", "icon"):
            self.urls.append(found.get("href") or "")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_page_loads_only_same_origin_assets(client: TestClient, page: str) -> None:
    urls = References(client.get(page).text).urls
    assert urls
    assert all(url.startswith("/") and not url.startswith("//") for url in urls), urls


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_every_asset_the_page_loads_answers_with_its_type(client: TestClient, page: str) -> None:
    for url in References(client.get(page).text).urls:
        response = client.get(url)
        assert response.status_code == 200, url
        suffix = url[url.rindex(".") :]
        assert response.headers["content-type"] == ASSET_TYPES[suffix], url
        assert len(response.content) > 0, url


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_csp_admits_same_origin_scripts_and_no_inline_ones(
    client: TestClient, page: str
) -> None:
    response = client.get(page)
    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert References(response.text).inline_scripts == 0


def test_swagger_ui_reads_the_openapi_document_of_this_service(client: TestClient) -> None:
    assert 'data-openapi="/openapi.json"' in client.get("/docs").text
    assert client.get("/openapi.json").json()["info"]["title"] == "xqbadges"


def test_an_unknown_docs_asset_is_not_found(client: TestClient) -> None:
    assert client.get("/docs/assets/core.py").status_code == 404
