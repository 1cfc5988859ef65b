"""The public pages in a real browser: headless Chromium (Debian's, through Playwright) against
the app under uvicorn. Each test leaves a full-page screenshot in test-artifacts/screenshots/.

The browser believes it is at the configured public base URL (http://127.0.0.1:8000, which is
what credential ids and page links use): every request to that origin is answered by the live
server on its own port, so links, images, forms and the pages' Content-Security-Policy behave
as they do in production. Only SQLite is used here; the HTTP-level page tests cover both
databases.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from playwright.sync_api import (
    Browser,
    Dialog,
    Page,
    Route,
    ViewportSize,
    expect,
    sync_playwright,
)

from app.issuer.issuers import IssuerDraft, create_issuer
from app.runtime import Runtime
from tests.helpers import bearer
from tests.pages.conftest import BASE_URL, Award, path_of, tampered

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
CATALOG = REPO_ROOT / "examples" / "educator-microcredentials.yaml"
HOSTILE_TITLE = "Calibration <script>alert(1)</script> & Co"
BADGE_NAME = "Linear Equations: Concepts and Skills"
PROOF_FAILURE = "the signature does not match the document and proof options"
PHONE = ViewportSize(width=360, height=800)
DESKTOP = ViewportSize(width=1280, height=900)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium package "
            "(scripts/test.sh installs it with apt-get; never `playwright install`)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _screenshot_path(request: pytest.FixtureRequest) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', request.node.name).strip('_')}.png"


class Tab:
    """One browser page at the public base URL, recording any dialog it opens."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, url: str) -> None:
        response = self.page.goto(url if url.startswith("http") else BASE_URL + url)
        assert response is not None

    def verdict(self) -> Any:
        return self.page.locator("[data-verdict]")


def _make_tab(
    browser: Browser, live_server: str, request: pytest.FixtureRequest, viewport: ViewportSize
) -> Iterator[Tab]:
    context = browser.new_context(viewport=viewport)

    def to_live_server(route: Route) -> None:
        served = route.fetch(url=live_server + path_of(route.request.url), max_redirects=0)
        route.fulfill(response=served)

    context.route(f"{BASE_URL}/**", to_live_server)
    tab = Tab(context.new_page())
    try:
        yield tab
    finally:
        # Chromium cannot measure a full page of a bare SVG document: just its viewport then.
        is_html = tab.page.evaluate("document.documentElement instanceof HTMLElement")
        tab.page.screenshot(path=_screenshot_path(request), full_page=is_html)
        context.close()


@pytest.fixture
def tab(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Tab]:
    yield from _make_tab(browser, live_server, request, DESKTOP)


@pytest.fixture
def phone(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Tab]:
    yield from _make_tab(browser, live_server, request, PHONE)


def scroll_width(tab: Tab) -> int:
    return int(tab.page.evaluate("document.documentElement.scrollWidth"))


# -- the credential page -------------------------------------------------------------------------


def test_the_credential_page_shows_the_badge_and_valid(tab: Tab, awarded) -> None:
    tab.open(awarded["publicUrl"])
    expect(tab.page.get_by_role("heading", name=BADGE_NAME, level=1)).to_be_visible()
    expect(tab.verdict()).to_have_text("Valid")
    expect(tab.page).to_have_title(f"M101: {BADGE_NAME} · XQ Math Badges")


def test_the_badge_image_loads_under_the_pages_security_policy(tab: Tab, awarded) -> None:
    tab.open(awarded["publicUrl"])
    image = tab.page.locator("img.badge-image")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")


def test_a_revoked_credential_says_revoked_after_a_reload(tab: Tab, awarded, revoke) -> None:
    tab.open(awarded["publicUrl"])
    expect(tab.verdict()).to_have_text("Valid")
    revoke(awarded["id"])
    tab.page.reload()
    expect(tab.verdict()).to_have_text("Revoked")
    expect(tab.page.locator(".status")).to_contain_text("the issuer has revoked this credential")


def test_the_verify_link_verifies_the_same_credential(tab: Tab, awarded) -> None:
    tab.open(awarded["publicUrl"])
    tab.page.get_by_role("link", name="Verify it independently").click()
    expect(tab.page.get_by_role("heading", name="Verify a badge", level=1)).to_be_visible()
    expect(tab.verdict()).to_have_text("Valid")
    expect(tab.page.get_by_label("Credential URL")).to_have_value(awarded["publicUrl"])


def test_every_image_on_the_credential_page_has_alt_text(tab: Tab, awarded) -> None:
    tab.open(awarded["publicUrl"])
    alts = tab.page.locator("img").evaluate_all("images => images.map(i => i.getAttribute('alt'))")
    assert alts
    assert all(alts), alts


def test_tab_first_focuses_the_skip_link(tab: Tab, awarded) -> None:
    tab.open(awarded["publicUrl"])
    tab.page.keyboard.press("Tab")
    skip = tab.page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()


def test_the_skip_link_moves_focus_to_the_content(tab: Tab, awarded) -> None:
    tab.open(awarded["publicUrl"])
    tab.page.keyboard.press("Tab")
    tab.page.keyboard.press("Enter")
    expect(tab.page.locator("main#main")).to_be_focused()


CONTRAST = """
(elements) => {
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const linear = [r, g, b].map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  };
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const color = rgb(getComputedStyle(node).backgroundColor);
      if (color.length < 4 || color[3] > 0) return color.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return elements.map((element) => {
    const a = luminance(rgb(getComputedStyle(element).color));
    const b = luminance(background(element));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    return [element.textContent.trim().slice(0, 40), ratio];
  });
}
"""


def test_text_has_at_least_aa_contrast(tab: Tab, awarded) -> None:
    tab.open(awarded["publicUrl"])
    tab.page.get_by_text("How this was checked").click()
    selector = "main p, main li, main a, main h1, main h2, main h3, .verdict, .outcome, .level"
    ratios = tab.page.locator(selector).evaluate_all(CONTRAST)
    assert ratios
    low = [(text, round(ratio, 2)) for text, ratio in ratios if ratio < 4.5]
    assert low == []


# -- the verify page -----------------------------------------------------------------------------


def test_a_pasted_tampered_credential_is_not_valid_and_says_why(tab: Tab, awarded) -> None:
    tab.open("/verify")
    tab.page.get_by_label("JSON or VC-JWT").fill(json.dumps(tampered(awarded["credential"])))
    tab.page.get_by_role("button", name="Verify").click()
    expect(tab.verdict()).to_have_text("Not valid")
    reason = tab.page.locator("li.check-failed")
    expect(reason).to_be_hidden()
    tab.page.get_by_text("How this was checked").click()
    expect(reason).to_be_visible()
    expect(reason).to_contain_text(f"Signature: failed. {PROOF_FAILURE}")


def test_an_uploaded_baked_png_is_valid(tab: Tab, client: TestClient, awarded) -> None:
    png = client.get(path_of(awarded["publicUrl"] + "/badge.png")).content
    tab.open("/verify")
    tab.page.get_by_label("Baked PNG or SVG, or a credential file").set_input_files(
        files=[{"name": "badge.png", "mimeType": "image/png", "buffer": png}]
    )
    tab.page.get_by_role("button", name="Verify").click()
    expect(tab.verdict()).to_have_text("Valid")
    expect(tab.page.get_by_role("heading", name=BADGE_NAME, level=2)).to_be_visible()


def test_a_url_given_in_the_form_is_verified(tab: Tab, awarded) -> None:
    tab.open("/verify")
    tab.page.get_by_label("Credential URL").fill(awarded["publicUrl"])
    tab.page.get_by_role("button", name="Verify").click()
    expect(tab.verdict()).to_have_text("Valid")


def test_garbage_shows_the_error_as_an_alert(tab: Tab) -> None:
    tab.open("/verify")
    tab.page.get_by_label("JSON or VC-JWT").fill("not a credential at all")
    tab.page.get_by_role("button", name="Verify").click()
    expect(tab.page.get_by_role("alert")).to_contain_text("Nothing could be verified")


# -- small screens -------------------------------------------------------------------------------


def test_the_credential_page_does_not_scroll_sideways_at_360px(phone: Tab, awarded) -> None:
    phone.open(awarded["publicUrl"])
    phone.page.get_by_text("How this was checked").click()
    expect(phone.verdict()).to_have_text("Valid")
    assert scroll_width(phone) <= PHONE["width"]


def test_the_verify_page_does_not_scroll_sideways_at_360px(phone: Tab) -> None:
    phone.open("/verify")
    expect(phone.page.get_by_role("button", name="Verify")).to_be_visible()
    assert scroll_width(phone) <= PHONE["width"]


def test_a_verify_result_does_not_scroll_sideways_at_360px(phone: Tab, awarded) -> None:
    phone.open("/verify")
    phone.page.get_by_label("JSON or VC-JWT").fill(json.dumps(tampered(awarded["credential"])))
    phone.page.get_by_role("button", name="Verify").click()
    phone.page.get_by_text("How this was checked").click()
    expect(phone.verdict()).to_have_text("Not valid")
    assert scroll_width(phone) <= PHONE["width"]


# -- hostile catalog texts -----------------------------------------------------------------------


@pytest.fixture
def hostile(client: TestClient, runtime: Runtime, make_token, award: Award) -> dict[str, Any]:
    """An award of a badge whose catalog title carries a script tag."""
    with runtime.sessions() as session:
        draft = IssuerDraft(slug="wake", name="Wake County Public Schools", parent_slug="xq")
        create_issuer(session, runtime.keystore, draft)
        session.commit()
    catalog = yaml.safe_load(CATALOG.read_text())
    catalog["badges"][0]["title"] = HOSTILE_TITLE
    loader = bearer(make_token("catalog:write", issuer="wake"))
    response = client.post(
        "/api/v1/catalogs?issuer=wake",
        content=json.dumps(catalog),
        headers={**loader, "content-type": "application/json"},
    )
    assert response.status_code == 201, response.text
    writer = bearer(make_token("awards:write", issuer="wake"))
    return award(headers=writer, achievement="EMC-01", results=[])


def test_a_script_in_a_badge_name_is_shown_as_text(tab: Tab, hostile) -> None:
    tab.open(hostile["publicUrl"])
    heading = tab.page.get_by_role("heading", level=1)
    expect(heading).to_have_text(HOSTILE_TITLE)
    expect(tab.verdict()).to_have_text("Valid")
    assert tab.page.locator("script").count() == 1
    assert tab.dialogs == []


def test_a_script_in_a_badge_name_does_not_run_on_the_verify_page(tab: Tab, hostile) -> None:
    tab.open("/verify")
    tab.page.get_by_label("JSON or VC-JWT").fill(json.dumps(hostile["credential"]))
    tab.page.get_by_role("button", name="Verify").click()
    expect(tab.page.get_by_role("heading", level=2, name=HOSTILE_TITLE)).to_be_visible()
    assert tab.dialogs == []


def test_a_script_in_a_badge_name_does_not_run_in_the_baked_svg(tab: Tab, hostile) -> None:
    tab.open(hostile["publicUrl"] + "/badge.svg")
    expect(tab.page.locator("svg")).to_be_visible()
    assert tab.dialogs == []


# -- the achievement page ------------------------------------------------------------------------


@pytest.fixture
def m101_page(client: TestClient) -> str:
    response = client.get("/achievements", params={"code": "M101", "issuer": "xq"})
    assert response.status_code == 200, response.text
    return str(response.json()["achievements"][0]["id"])


def test_the_achievement_page_shows_the_badge_and_its_image(tab: Tab, m101_page: str) -> None:
    tab.open(m101_page)
    expect(tab.page.get_by_role("heading", name=BADGE_NAME, level=1)).to_be_visible()
    cpes = tab.page.get_by_role("heading", name="Content and practice expectations")
    expect(cpes).to_be_visible()
    image = tab.page.locator("img.badge-image")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")


def test_the_achievement_page_does_not_scroll_sideways_at_360px(phone: Tab, m101_page: str) -> None:
    phone.open(m101_page)
    expect(phone.page.get_by_role("heading", name="Standards alignments")).to_be_visible()
    assert scroll_width(phone) <= PHONE["width"]
