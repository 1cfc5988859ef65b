"""A learner's public badge page at /learners/{id}: off until made public through the API, then
the learner's current badges by pathway, each linking to its credential page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.issuer.issuers import IssuerDraft, create_issuer
from app.runtime import Runtime
from tests.api.test_awards_api import ANA
from tests.api.test_problems import assert_problem
from tests.helpers import bearer
from tests.pages.conftest import BROWSER_ACCEPT, Award, Page

UNKNOWN_LEARNER = "NoSuchLearner0123456"


@pytest.fixture
def badges(award: Award, revoke) -> dict[str, dict[str, Any]]:
    """Four awards to Ana on three pathways; the fourth is revoked."""
    awarded = {
        "M101": award(),
        "M102": award(achievement="M102", results=[]),
        "M111": award(achievement="M111", results=[]),
        "M151": award(achievement="M151", results=[]),
    }
    revoke(awarded["M102"]["id"])
    assert len({item["learnerId"] for item in awarded.values()}) == 1
    return awarded


@pytest.fixture
def learner_id(badges) -> str:
    return str(badges["M101"]["learnerId"])


def set_public(client: TestClient, headers: dict[str, str], learner: str, body: Any) -> Any:
    return client.put(f"/api/v1/learners/{learner}/profile", json=body, headers=headers)


def learner_page(client: TestClient, learner: str) -> Any:
    return client.get(f"/learners/{learner}", headers={"Accept": BROWSER_ACCEPT})


@pytest.fixture
def public_page(client, writer, learner_id) -> Page:
    assert set_public(client, writer, learner_id, {"public": True}).status_code == 200
    response = learner_page(client, learner_id)
    assert response.status_code == 200, response.text
    return Page(response.text)


def test_a_learner_page_is_not_found_until_made_public(client, learner_id) -> None:
    response = learner_page(client, learner_id)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert ("h1", "Not found") in Page(response.text).headings


def test_making_it_public_answers_where_the_page_is(client, writer, learner_id) -> None:
    response = set_public(client, writer, learner_id, {"public": True})
    assert response.status_code == 200
    assert response.json() == {
        "learnerId": learner_id,
        "public": True,
        "profileUrl": f"http://127.0.0.1:8000/learners/{learner_id}",
    }


def test_a_public_page_is_served_with_a_content_security_policy(client, writer, learner_id) -> None:
    set_public(client, writer, learner_id, {"public": True})
    response = learner_page(client, learner_id)
    assert response.status_code == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_the_page_groups_badges_by_pathway(public_page) -> None:
    assert [text for tag, text in public_page.headings if tag == "h2"] == [
        "Algebra and Modeling",
        "Data and Probability",
        "Geometry",
    ]


def test_the_page_is_headed_with_the_learners_name(public_page) -> None:
    assert ("h1", "Ana Lopez's badges") in public_page.headings


def test_each_current_badge_links_to_its_credential_page(public_page, badges) -> None:
    links = dict(public_page.links)
    for code in ("M101", "M111", "M151"):
        assert links[badges[code]["publicUrl"]].startswith(f"{code}: ")


def test_a_revoked_badge_is_not_listed(public_page, badges) -> None:
    hrefs = [href for href, _ in public_page.links]
    assert badges["M102"]["publicUrl"] not in hrefs
    assert not any(text.startswith("M102") for _, text in public_page.links)


def test_the_page_never_shows_the_email_or_student_id(client, writer, learner_id) -> None:
    set_public(client, writer, learner_id, {"public": True})
    html = learner_page(client, learner_id).text.lower()
    assert ANA["email"].lower() not in html
    assert ANA["studentId"].lower() not in html


def test_every_image_has_an_alt_attribute(public_page) -> None:
    assert public_page.images
    assert all("alt" in image for image in public_page.images)


def test_making_it_private_again_hides_the_page(client, writer, learner_id) -> None:
    set_public(client, writer, learner_id, {"public": True})
    response = set_public(client, writer, learner_id, {"public": False})
    assert response.json()["public"] is False
    assert learner_page(client, learner_id).status_code == 404


def test_an_unknown_learner_page_is_not_found(client) -> None:
    assert learner_page(client, UNKNOWN_LEARNER).status_code == 404


def test_making_an_unknown_learner_public_is_a_404_problem(client, writer) -> None:
    response = set_public(client, writer, UNKNOWN_LEARNER, {"public": True})
    assert_problem(response, 404, "not-found")


def test_another_issuers_client_cannot_change_the_profile(
    client, make_token, runtime: Runtime, learner_id
) -> None:
    with runtime.sessions() as session:
        draft = IssuerDraft(slug="wake", name="Wake County", parent_slug="xq")
        create_issuer(session, runtime.keystore, draft)
        session.commit()
    other = bearer(make_token("awards:write", issuer="wake"))
    assert_problem(set_public(client, other, learner_id, {"public": True}), 404, "not-found")
    assert learner_page(client, learner_id).status_code == 404


def test_changing_the_profile_needs_awards_write(client, make_token, learner_id) -> None:
    reader = bearer(make_token("awards:read"))
    assert_problem(set_public(client, reader, learner_id, {"public": True}), 403, "forbidden")


@pytest.mark.parametrize(
    "body", [{}, {"public": "maybe"}, {"public": True, "colour": "blue"}, [True]]
)
def test_a_bad_profile_body_is_a_422_problem(client, writer, learner_id, body) -> None:
    assert_problem(set_public(client, writer, learner_id, body), 422, "validation-error")


def test_a_reissued_badge_is_listed_once_at_its_new_address(
    client, writer, learner_id, badges
) -> None:
    response = client.post(
        f"/api/v1/awards/{badges['M111']['id']}/reissue",
        json={"narrative": "Corrected narrative.", "reason": "typo"},
        headers=writer,
    )
    assert response.status_code == 201, response.text
    set_public(client, writer, learner_id, {"public": True})
    hrefs = [href for href, _ in Page(learner_page(client, learner_id).text).links]
    assert response.json()["publicUrl"] in hrefs
    assert badges["M111"]["publicUrl"] not in hrefs


def test_a_badge_past_its_valid_until_is_not_listed(
    client, writer, award: Award, learner_id
) -> None:
    now = datetime.now(UTC)
    lapsed = award(
        achievement="M152",
        results=[],
        awardedDate=(now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        validUntil=(now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    set_public(client, writer, learner_id, {"public": True})
    hrefs = [href for href, _ in Page(learner_page(client, learner_id).text).links]
    assert lapsed["publicUrl"] not in hrefs
    assert len(hrefs) > 3
