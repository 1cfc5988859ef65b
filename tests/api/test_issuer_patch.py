"""PATCH /api/v1/issuers/{slug}: changing an issuer's details, and where the change shows."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.issuer.issuers import IssuerDraft, create_issuer
from app.runtime import Runtime
from tests.api.test_problems import assert_problem
from tests.helpers import bearer
from tests.pages.conftest import Page, html_page

MERGE_PATCH = "application/merge-patch+json"


@pytest.fixture
def editor(make_token) -> dict[str, str]:
    return bearer(make_token("issuers:write"))


def patch(client: TestClient, headers: dict[str, str], body: Any, slug: str = "xq", **kw: str):  # type: ignore[no-untyped-def]
    return client.patch(
        f"/api/v1/issuers/{slug}",
        json=body,
        headers={**headers, "content-type": kw.get("media_type", MERGE_PATCH)},
    )


def add_issuer(runtime: Runtime, slug: str, parent: str | None) -> None:
    with runtime.sessions() as session:
        create_issuer(
            session, runtime.keystore, IssuerDraft(slug=slug, name=slug.title(), parent_slug=parent)
        )
        session.commit()


def test_a_patch_changes_the_served_profile(client: TestClient, editor) -> None:
    response = patch(
        client,
        editor,
        {
            "name": "XQ Institute of Learning",
            "email": "badges@xq.example.org",
            "description": "Rethinking high school",
            "imageUrl": "https://xq.example.org/logo.png",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["email"] == "badges@xq.example.org"
    profile = client.get("/issuers/xq").json()
    assert profile["name"] == "XQ Institute of Learning"
    assert profile["email"] == "badges@xq.example.org"
    assert profile["description"] == "Rethinking high school"
    assert profile["image"] == {"id": "https://xq.example.org/logo.png", "type": "Image"}
    assert profile["url"] == "https://xqsuperschool.org"


def test_null_clears_an_optional_field(client: TestClient, editor) -> None:
    response = patch(client, editor, {"url": None})
    assert response.status_code == 200, response.text
    assert "url" not in client.get("/issuers/xq").json()


def test_plain_json_is_accepted_too(client: TestClient, editor) -> None:
    response = patch(client, editor, {"name": "XQ"}, media_type="application/json")
    assert response.status_code == 200, response.text
    assert client.get("/issuers/xq").json()["name"] == "XQ"


def test_the_ob2_issuer_appears_once_the_email_is_set(client: TestClient, editor) -> None:
    assert_problem(client.get("/ob2/issuers/xq"), 404, "ob2-unavailable")
    patch(client, editor, {"email": "badges@xq.example.org"})
    assert client.get("/ob2/issuers/xq").json()["email"] == "badges@xq.example.org"


def test_the_cached_credential_page_gains_its_ob2_links(client: TestClient, editor, award) -> None:
    awarded = award()

    def ob2_labels() -> list[str]:
        links = Page(html_page(client, awarded["publicUrl"])).links
        return [label for _, label in links if "Open Badges 2.0" in label]

    assert ob2_labels() == []
    patch(client, editor, {"email": "badges@xq.example.org"})
    assert ob2_labels() == [
        "Open Badges 2.0 assertion",
        "Open Badges 2.0 badge image (PNG)",
    ]


def test_an_unknown_field_is_a_422_naming_it(client: TestClient, editor) -> None:
    body = assert_problem(patch(client, editor, {"slug": "other"}), 422, "validation-error")
    assert [item["location"] for item in body["errors"]] == ["$.slug"]
    assert client.get("/issuers/xq").status_code == 200


def test_a_bad_email_is_a_422_naming_it(client: TestClient, editor) -> None:
    body = assert_problem(patch(client, editor, {"email": "not-an-email"}), 422, "validation-error")
    assert body["errors"] == [{"location": "$.email", "message": "is not an email address"}]


def test_a_bad_url_is_a_422_naming_it(client: TestClient, editor) -> None:
    body = assert_problem(patch(client, editor, {"url": "xq.example.org"}), 422, "validation-error")
    assert body["errors"][0]["location"] == "$.url"


def test_the_name_cannot_be_cleared(client: TestClient, editor) -> None:
    body = assert_problem(patch(client, editor, {"name": None}), 422, "validation-error")
    assert body["errors"][0]["location"] == "$.name"


def test_a_refused_patch_changes_nothing(client: TestClient, editor) -> None:
    patch(client, editor, {"name": "Renamed", "email": "nope"})
    assert client.get("/issuers/xq").json()["name"] == "XQ Institute"


def test_a_body_that_is_not_an_object_is_a_422(client: TestClient, editor) -> None:
    assert_problem(patch(client, editor, ["name"]), 422, "validation-error")


def test_another_media_type_is_a_415(client: TestClient, editor) -> None:
    response = client.patch(
        "/api/v1/issuers/xq", content=b"name=X", headers={**editor, "content-type": "text/plain"}
    )
    assert_problem(response, 415, "unsupported-media-type")


def test_a_patch_needs_the_issuers_write_scope(client: TestClient, make_token) -> None:
    response = patch(client, bearer(make_token("catalog:write")), {"name": "X"})
    assert "issuers:write" in assert_problem(response, 403, "forbidden")["detail"]


def test_admin_may_patch(client: TestClient, make_token) -> None:
    assert patch(client, bearer(make_token("admin")), {"name": "X"}).status_code == 200


def test_a_client_may_not_patch_another_issuer(
    client: TestClient, runtime: Runtime, make_token
) -> None:
    add_issuer(runtime, "idaho", parent=None)
    response = patch(client, bearer(make_token("issuers:write")), {"name": "X"}, slug="idaho")
    assert "idaho" in assert_problem(response, 403, "forbidden")["detail"]


def test_a_client_may_not_patch_an_issuer_below_without_descendants(
    client: TestClient, runtime: Runtime, make_token
) -> None:
    add_issuer(runtime, "boise", parent="xq")
    response = patch(client, bearer(make_token("issuers:write")), {"name": "X"}, slug="boise")
    assert_problem(response, 403, "forbidden")


def test_a_client_with_descendants_may_patch_an_issuer_below(
    client: TestClient, runtime: Runtime, make_token
) -> None:
    add_issuer(runtime, "boise", parent="xq")
    headers = bearer(make_token("issuers:write", covers_descendants=True))
    response = patch(client, headers, {"name": "Boise SD"}, slug="boise")
    assert response.status_code == 200, response.text
    assert response.json()["parent"] == "xq"
    assert client.get("/issuers/boise").json()["name"] == "Boise SD"


def test_an_unknown_issuer_is_a_404(client: TestClient, editor) -> None:
    assert_problem(patch(client, editor, {"name": "X"}, slug="nobody"), 404, "not-found")


def test_a_patch_needs_a_token(client: TestClient) -> None:
    assert_problem(patch(client, {}, {"name": "X"}), 401, "unauthenticated")
