from __future__ import annotations

import pytest

from app.credentials.iris import is_absolute_iri, is_blank_node_id


@pytest.mark.parametrize(
    "value",
    [
        "https://example.com/a",
        "urn:uuid:2d4b8d4e-5e6f-4a0b-9c1d-2e3f4a5b6c7d",
        "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "mailto:someone@example.com",
        "tag:example.com,2024:x",
    ],
)
def test_absolute_iris(value):
    assert is_absolute_iri(value)


@pytest.mark.parametrize(
    "value",
    ["", "a/b", "/a", "//example.com/a", "#x", "?q", "_:b0", "1http://x", "https://a b"],
)
def test_not_absolute_iris(value):
    assert not is_absolute_iri(value)


def test_blank_node_ids():
    assert is_blank_node_id("_:b0")
    assert not is_blank_node_id("_:")
    assert not is_blank_node_id("b0")
