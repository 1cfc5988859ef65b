"""Helpers for the public-page tests: awarding through the API and reading pages back."""

from __future__ import annotations

import copy
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

BASE_URL = "http://127.0.0.1:8000"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

Award = Callable[..., dict[str, Any]]


def path_of(url: str) -> str:
    """The path of one of our URLs: ids use the configured base, not the test server's."""
    assert url.startswith(BASE_URL), url
    return url.removeprefix(BASE_URL)


@pytest.fixture
def awarded(award: Award) -> dict[str, Any]:
    return award()


def tampered(credential: dict[str, Any]) -> dict[str, Any]:
    """The credential with one result changed after signing."""
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["result"][0]["status"] = "InProgress"
    return changed


def html_page(client: TestClient, url: str) -> str:
    response = client.get(
        path_of(url) if url.startswith("http") else url, headers={"Accept": BROWSER_ACCEPT}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response.text


class Page(HTMLParser):
    """The parts of a page the tests look at: meta tags, links, headings, verdicts."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.links: list[tuple[str, str]] = []
        self.headings: list[tuple[str, str]] = []
        self.verdicts: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self._open_link: list[str] | None = None
        self._link_text: list[str] = []
        self._open_heading: str | None = None
        self._heading_text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "meta":
            key = found.get("property") or found.get("name")
            if key:
                self.meta[key] = found.get("content") or ""
        elif tag == "a":
            self._open_link = [found.get("href") or ""]
            self._link_text = []
        elif tag in ("h1", "h2", "h3", "h4"):
            self._open_heading, self._heading_text = tag, []
        elif tag == "img":
            self.images.append(found)
        if "data-verdict" in found:
            self.verdicts.append(found["data-verdict"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open_link is not None:
            self.links.append((self._open_link[0], "".join(self._link_text).strip()))
            self._open_link = None
        elif tag == self._open_heading:
            self.headings.append((tag, " ".join("".join(self._heading_text).split())))
            self._open_heading = None

    def handle_data(self, data: str) -> None:
        if self._open_link is not None:
            self._link_text.append(data)
        if self._open_heading is not None:
            self._heading_text.append(data)

    def link(self, text: str) -> str:
        """The href of the link whose text is ``text``."""
        matches = [href for href, label in self.links if label == text]
        assert len(matches) == 1, (text, self.links)
        return matches[0]
