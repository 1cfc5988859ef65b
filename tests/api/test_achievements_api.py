"""The XQ catalog published as Open Badges 3.0 Achievements."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from fastapi.testclient import TestClient

from app.credentials.document_loader import default_document_loader
from app.credentials.jsonld import expand_strict
from app.credentials.schema_validation import validate_against, validate_definition
from tests.api.test_problems import assert_problem
from tests.helpers import bearer

XQ_CODES = [
    "M100", "M101", "M102", "M103", "M104", "M111", "M112", "M113", "M151", "M152", "M153",
    "M154", "M155", "M201", "M202", "M203", "M204", "M205", "M211", "M212", "M213", "M214",
    "M215",
]  # fmt: skip


def all_achievements(client: TestClient, **params: str) -> list[dict]:
    found: list[dict] = []
    cursor = None
    while True:
        query = {"limit": "10", **params, **({"cursor": cursor} if cursor else {})}
        page = client.get("/achievements", params=query).json()
        found.extend(page["achievements"])
        cursor = page["next"]
        if cursor is None:
            return found


def test_the_23_xq_badges_are_published_page_by_page(client: TestClient) -> None:
    codes = [item["humanCode"] for item in all_achievements(client, issuer="xq")]
    assert codes == XQ_CODES


def test_every_achievement_expands_with_the_pinned_contexts(client: TestClient) -> None:
    loader = default_document_loader()
    for achievement in all_achievements(client):
        expanded = expand_strict(achievement, loader)
        assert expanded, achievement["humanCode"]


def test_every_achievement_validates_against_the_ob3_schema(client: TestClient) -> None:
    for achievement in all_achievements(client):
        body = {key: value for key, value in achievement.items() if key != "@context"}
        assert validate_definition(body, "Achievement") == [], achievement["humanCode"]


def test_a_code_is_a_page_holding_that_one_achievement(client: TestClient) -> None:
    page = client.get("/achievements", params={"issuer": "xq", "code": "M101"}).json()
    assert page["next"] is None
    assert [item["humanCode"] for item in page["achievements"]] == ["M101"]


def test_the_listed_achievement_id_dereferences_to_that_achievement(client: TestClient) -> None:
    listed = client.get("/achievements", params={"code": "M101"}).json()["achievements"][0]
    assert client.get(listed["id"].removeprefix("http://127.0.0.1:8000")).json() == listed


def test_the_readme_shows_the_code_filter_answering_a_page() -> None:
    """README's first steps promised the Achievement itself where the API answers a page."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    line = next(line for line in readme.splitlines() if "/achievements?" in line)
    assert "code=M101" in line
    assert '{"achievements": [the M101 badge as an OB3 Achievement], "next": null}' in line


def test_achievement_creator_is_the_issuer_profile(client: TestClient) -> None:
    achievement = all_achievements(client, code="M101")[0]
    assert achievement["creator"] == {
        key: value for key, value in client.get("/issuers/xq").json().items() if key != "@context"
    }


def test_m101_carries_its_cpes_as_result_descriptions(client: TestClient) -> None:
    achievement = all_achievements(client, code="M101")[0]
    names = [item["name"] for item in achievement["resultDescription"]]
    assert len(names) == 4
    assert names[0].startswith("101a: Reason about and solve one-variable equations")
    assert "not yet provided" in names[2]
    assert {item["targetCode"] for item in achievement["alignment"]} == {"A-CED", "A-SSE", "A-APR"}


def test_achievement_is_served_at_its_id_as_json_ld(client: TestClient) -> None:
    listed = all_achievements(client, code="M152")[0]
    response = client.get(listed["id"].replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    assert response.json() == listed


def test_unknown_achievement_is_a_404_problem(client: TestClient) -> None:
    assert_problem(
        client.get("/achievements/00000000-0000-4000-8000-000000000000"), 404, "not-found"
    )


def test_badge_image_is_an_accessible_svg(client: TestClient) -> None:
    achievement = all_achievements(client, code="M101")[0]
    response = client.get(achievement["image"]["id"].replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(response.content)
    assert root.get("role") == "img"
    assert "M101" in response.text


def test_profile_expands_and_validates_against_the_profile_schema(client: TestClient) -> None:
    profile = client.get("/issuers/xq").json()
    assert expand_strict(profile, default_document_loader())
    assert validate_against(profile, "ob3.profile") == []


@pytest.fixture
def changed_xq_catalog(tmp_path: Path) -> bytes:
    source = Path("app/catalog/data/xq-math.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(source)
    m100 = next(badge for badge in data["badges"] if badge["id"] == "M100")
    m100["cpes"][0]["text"] = "Reason quantitatively with units and measurement"
    return yaml.safe_dump(data, sort_keys=False).encode()


def test_reimporting_a_changed_badge_bumps_only_its_version(
    client: TestClient, make_token, changed_xq_catalog: bytes
) -> None:
    response = client.post(
        "/api/v1/catalogs?issuer=xq",
        content=changed_xq_catalog,
        headers={**bearer(make_token("catalog:write")), "content-type": "application/yaml"},
    )
    assert response.status_code == 201, response.text
    summary = response.json()
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 1, 22)
    m100 = all_achievements(client, code="M100")[0]
    assert m100["version"] == "2"
    assert m100["resultDescription"][0]["name"].startswith("100a: Reason quantitatively")
    assert all_achievements(client, code="M101")[0]["version"] == "1"


def test_older_versions_stay_retrievable(
    client: TestClient, make_token, changed_xq_catalog: bytes
) -> None:
    client.post(
        "/api/v1/catalogs?issuer=xq",
        content=changed_xq_catalog,
        headers={**bearer(make_token("catalog:write")), "content-type": "application/yaml"},
    )
    path = all_achievements(client, code="M100")[0]["id"].replace("http://127.0.0.1:8000", "")
    versions = client.get(f"{path}/versions").json()
    assert [row["version"] for row in versions] == [1, 2]
    first = client.get(path, params={"version": 1}).json()
    assert first["version"] == "1"
    assert "not yet provided" in first["resultDescription"][0]["name"]
    assert_problem(client.get(path, params={"version": 3}), 404, "not-found")
