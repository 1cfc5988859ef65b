"""The public transcript at /learners/{id}/transcript: off until the profile is public, then the
learner's current badges by pathway with dates, CPE results and verification links."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_awards_api import ANA
from tests.pages.conftest import BROWSER_ACCEPT, Award, Page


@pytest.fixture
def badges(award: Award, revoke) -> dict[str, dict[str, Any]]:
    awarded = {
        "M101": award(
            results=[
                {"cpe": "101a", "level": "demonstrated"},
                {"cpe": "101b", "level": "not-yet"},
            ]
        ),
        "M111": award(achievement="M111", results=[]),
        "M102": award(achievement="M102", results=[]),
    }
    revoke(awarded["M102"]["id"])
    return awarded


@pytest.fixture
def learner_id(badges) -> str:
    return str(badges["M101"]["learnerId"])


def make_public(client: TestClient, writer: dict[str, str], learner: str) -> None:
    response = client.put(
        f"/api/v1/learners/{learner}/profile", json={"public": True}, headers=writer
    )
    assert response.status_code == 200, response.text


def transcript(client: TestClient, learner: str) -> Any:
    return client.get(f"/learners/{learner}/transcript", headers={"Accept": BROWSER_ACCEPT})


@pytest.fixture
def page(client, writer, learner_id) -> str:
    make_public(client, writer, learner_id)
    response = transcript(client, learner_id)
    assert response.status_code == 200, response.text
    return str(response.text)


def test_the_transcript_is_not_found_until_the_profile_is_public(client, learner_id) -> None:
    response = transcript(client, learner_id)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_the_transcript_lists_current_badges_by_pathway(page) -> None:
    headings = [text for tag, text in Page(page).headings if tag == "h2"]
    assert headings == ["Algebra and Modeling", "Data and Probability"]
    assert 'data-badge="M102"' not in page


def test_each_badge_links_to_its_page_and_its_verification(page, badges) -> None:
    links = dict(Page(page).links)
    assert any(href == badges["M101"]["publicUrl"] for href in links)
    assert any(href.startswith("http://127.0.0.1:8000/verify?url=") for href in links)


def test_the_cpe_results_are_shown(page) -> None:
    assert "101a</span> demonstrated: Reason about and solve" in page
    assert "101b</span> not yet demonstrated" in page


def test_the_transcript_never_shows_the_email_or_student_id(page) -> None:
    assert ANA["email"].lower() not in page.lower()
    assert ANA["studentId"] not in page


def test_the_learner_page_links_to_the_transcript(client, writer, learner_id) -> None:
    make_public(client, writer, learner_id)
    html = client.get(f"/learners/{learner_id}", headers={"Accept": BROWSER_ACCEPT}).text
    assert (
        f"http://127.0.0.1:8000/learners/{learner_id}/transcript",
        "Printable transcript",
    ) in Page(html).links
