"""The transcript page in headless Chromium: what a person sees and what the browser prints.

Printing is checked the way a reader would: Chromium's own print-to-PDF at A4 and US Letter,
with print media, must fit a learner's handful of badges on one clean page, without the site's
navigation or the buttons."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from tests.pages.conftest import Award
from tests.pages.test_browser import (  # noqa: F401
    SCREENSHOTS,
    Tab,
    browser,
    phone,
    scroll_width,
    tab,
)

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PDF_PAGE = re.compile(rb"/Type\s*/Page(?![s\w])")


@pytest.fixture
def transcript_path(client: TestClient, award: Award, writer: dict[str, str], revoke) -> str:
    """Ana's public transcript: four current badges on three pathways and a revoked one."""
    first = award(
        results=[
            {"cpe": "101a", "level": "demonstrated"},
            {"cpe": "101b", "level": "not-yet"},
        ]
    )
    for code in ("M102", "M111", "M151"):
        award(achievement=code, results=[])
    revoke(award(achievement="M152", results=[])["id"])
    learner = first["learnerId"]
    response = client.put(
        f"/api/v1/learners/{learner}/profile", json={"public": True}, headers=writer
    )
    assert response.status_code == 200, response.text
    return f"/learners/{learner}/transcript"


def pdf_pages(tab: Tab, paper: str) -> int:  # noqa: F811
    tab.page.emulate_media(media="print")
    document: Any = tab.page.pdf(format=paper, print_background=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"transcript-{paper}.pdf").write_bytes(document)
    return len(PDF_PAGE.findall(document))


def test_the_transcript_lists_the_badges_by_pathway(tab: Tab, transcript_path) -> None:  # noqa: F811
    tab.open(transcript_path)
    expect(tab.page.get_by_role("heading", level=1)).to_have_text(
        "Ana Lopez: math badges transcript"
    )
    pathways = tab.page.get_by_role("heading", level=2)
    expect(pathways).to_have_text(["Algebra and Modeling", "Data and Probability", "Geometry"])
    expect(tab.page.locator("tr[data-badge]")).to_have_count(4)


def test_the_print_button_opens_the_print_dialog(tab: Tab, transcript_path) -> None:  # noqa: F811
    tab.open(transcript_path)
    tab.page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    tab.page.get_by_role("button", name="Print this transcript").click()
    expect(tab.page.locator("body")).to_have_attribute("data-printed", "yes")


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_transcript_prints_on_one_page(tab: Tab, transcript_path, paper: str) -> None:  # noqa: F811
    tab.open(transcript_path)
    assert pdf_pages(tab, paper) == 1


def test_printing_leaves_out_the_site_chrome_and_buttons(tab: Tab, transcript_path) -> None:  # noqa: F811
    tab.open(transcript_path)
    tab.page.emulate_media(media="print")
    expect(tab.page.locator("header.site")).to_be_hidden()
    expect(tab.page.locator("footer.site")).to_be_hidden()
    expect(tab.page.get_by_role("button", name="Print this transcript")).to_be_hidden()
    expect(tab.page.locator(".print-only").first).to_be_visible()


def test_each_verify_link_verifies_its_badge(tab: Tab, transcript_path) -> None:  # noqa: F811
    tab.open(transcript_path)
    tab.page.get_by_role("link", name="Verify M101").click()
    expect(tab.page.locator("[data-verdict]")).to_have_text("Valid")


def test_the_transcript_does_not_scroll_sideways_at_360px(phone: Tab, transcript_path) -> None:  # noqa: F811
    phone.open(transcript_path)
    assert scroll_width(phone) <= 360
