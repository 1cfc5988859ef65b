"""A key file others can read stops signing at once, not only readiness (README: Health)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.runtime import Runtime
from app.store.models import Award, StatusList
from app.store.repositories import KeyRepository
from tests.api.test_awards_api import award_body, post
from tests.api.test_problems import assert_problem


def _counts(runtime: Runtime) -> tuple[int, int]:
    with runtime.sessions() as session:
        awards = session.scalar(select(func.count(Award.id))) or 0
        positions = session.scalar(select(func.coalesce(func.sum(StatusList.next_index), 0)))
        return int(awards), int(positions or 0)


def test_a_group_readable_key_file_stops_signing_until_it_is_private_again(
    client, runtime: Runtime, writer
) -> None:
    assert post(client, writer, award_body(sourceAwardId="before")).status_code == 201
    with runtime.sessions() as session:
        key_files = [key.private_key_file for key in KeyRepository(session).all()]
    before = _counts(runtime)
    for name in key_files:
        (runtime.settings.keys_dir / name).chmod(0o644)

    refused = post(client, writer, award_body(sourceAwardId="during"))
    body = assert_problem(refused, 503, "signing-key-unsafe")
    assert "chmod 600" in body["detail"]
    assert refused.headers["Retry-After"]
    assert _counts(runtime) == before

    for name in key_files:
        (runtime.settings.keys_dir / name).chmod(0o600)
    assert post(client, writer, award_body(sourceAwardId="during")).status_code == 201
    assert _counts(runtime) == (before[0] + 1, before[1] + 1)
