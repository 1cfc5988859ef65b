"""The API reference in headless Chromium with every other origin cut off: Swagger UI and ReDoc
must render this service's operations from its own assets, under the pages' CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Route, expect

from tests.pages.conftest import BASE_URL
from tests.pages.test_browser import Tab, browser, tab  # noqa: F401

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


class Offline:
    """What the page tried to fetch from elsewhere, and what the browser complained about."""

    def __init__(self, opened: Tab) -> None:
        self.tab = opened
        self.blocked: list[str] = []
        self.errors: list[str] = []
        opened.page.context.route("**/*", self._route)
        opened.page.on("console", self._console)
        opened.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _route(self, route: Route) -> None:
        if route.request.url.startswith(BASE_URL + "/"):
            route.fallback()
            return
        self.blocked.append(route.request.url)
        route.abort()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)


@pytest.fixture
def offline(tab: Tab) -> Offline:  # noqa: F811
    return Offline(tab)


def test_swagger_ui_renders_the_operations_offline(offline: Offline) -> None:
    offline.tab.open("/docs")
    path = offline.tab.page.locator(".opblock-summary-path", has_text="/api/v1/awards").first
    expect(path).to_be_visible(timeout=15000)
    assert offline.blocked == []
    assert offline.errors == []


# ReDoc's bundle always draws the Redocly logo from its CDN in the menu's footer (and hides it
# when it fails to load). The policy refusing it is the policy working: the only error allowed.
REDOC_LOGO_REFUSED = re.compile(
    r"^Loading the image 'https://cdn\.redoc\.ly/redoc/logo-mini\.svg' violates the following "
    r"Content Security Policy directive: \"img-src 'self' data:\""
)


def test_redoc_renders_the_operations_offline(offline: Offline) -> None:
    offline.tab.open("/redoc")
    operation = offline.tab.page.get_by_role(
        "heading", name=re.compile("Import a badge catalog for an issuer")
    )
    expect(operation).to_be_visible(timeout=15000)
    assert offline.blocked == []
    assert [error for error in offline.errors if not REDOC_LOGO_REFUSED.match(error)] == []
