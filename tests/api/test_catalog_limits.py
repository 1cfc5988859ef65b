"""A catalog is bounded in bytes and in counts, refused before anything is checked or stored."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.runtime import Runtime
from tests.api.test_catalogs_api import post_catalog, stored_rows
from tests.api.test_event_loop_free import large_catalog
from tests.api.test_problems import assert_problem


@pytest.fixture
def small_limits(runtime: Runtime) -> Runtime:
    runtime.settings = runtime.settings.model_copy(
        update={
            "catalog_max_bytes": 200_000,
            "catalog_max_badges": 5,
            "catalog_max_cpes_per_badge": 3,
            "catalog_max_indicators_per_cpe": 4,
        }
    )
    return runtime


@pytest.mark.parametrize(
    ("catalog", "status", "words"),
    [
        (large_catalog(30), 413, "bytes; at most 200000"),
        (large_catalog(6, cpes=1, indicators=1), 422, "6 badges; at most 5"),
        (large_catalog(2, cpes=4, indicators=1), 422, "badges[0] has 4 CPEs; at most 3"),
        (large_catalog(2, cpes=1, indicators=5), 422, "badges[0].cpes[0] has 5 indicators"),
    ],
)
def test_a_catalog_beyond_its_limits_is_refused_and_nothing_stored(
    small_limits: Runtime, make_token, catalog: str, status: int, words: str
) -> None:
    before = stored_rows(small_limits)
    with TestClient(create_app(runtime=small_limits)) as client:
        response = post_catalog(client, make_token("catalog:write"), catalog.encode(), "xq")
    body = assert_problem(response, status, "catalog-too-large")
    assert words in body["detail"]
    assert stored_rows(small_limits) == before


def test_a_catalog_within_its_limits_is_imported(small_limits: Runtime, make_token) -> None:
    with TestClient(create_app(runtime=small_limits)) as client:
        catalog = large_catalog(5, cpes=3, indicators=4).encode()
        response = post_catalog(client, make_token("catalog:write"), catalog, "xq")
    assert response.status_code == 201, response.text
    assert response.json()["created"] == 5
