from __future__ import annotations

import pytest

from app.credentials.json_path import child_path, json_path


@pytest.mark.parametrize(
    ("steps", "path"),
    [
        ([], "$"),
        (["credentialSubject", "achievement", "name"], "$.credentialSubject.achievement.name"),
        (["type", 1], "$.type[1]"),
        (["@context", 0], "$['@context'][0]"),
        (["_:b0"], "$['_:b0']"),
        (["it's"], "$['it\\'s']"),
        (["back\\slash"], "$['back\\\\slash']"),
        (["1EdTechRevocationList"], "$['1EdTechRevocationList']"),
        (["snake_case"], "$.snake_case"),
    ],
)
def test_spells_paths(steps, path):
    assert json_path(steps) == path


def test_child_path_extends_a_path():
    assert child_path("$.issuer", "id") == "$.issuer.id"
