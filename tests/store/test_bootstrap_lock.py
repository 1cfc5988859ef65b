"""Replicas bootstrapping one fresh database at once: one does the work, the others wait for it
and find it done; none crashes on a unique constraint."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func, select

from app.bootstrap import BootstrapReport, bootstrap
from app.runtime import Runtime
from app.settings import Settings
from app.store.models import Achievement, Issuer

REPLICAS = 4


def test_replicas_starting_together_bootstrap_once(empty_database_url: str, tmp_path: Path) -> None:
    settings = Settings(
        database_url=empty_database_url, keys_dir=tmp_path / "keys", key_passphrase=None
    )
    runtimes = [Runtime.from_settings(settings) for _ in range(REPLICAS)]
    start = threading.Barrier(REPLICAS)
    reports: list[BootstrapReport] = []
    errors: list[BaseException] = []

    def replica(runtime: Runtime) -> None:
        start.wait()
        try:
            reports.append(bootstrap(runtime))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=replica, args=(runtime,)) for runtime in runtimes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    try:
        assert errors == []
        assert sorted(report.issuer_created for report in reports) == [False] * 3 + [True]
        assert sorted(report.catalog_loaded for report in reports) == [False] * 3 + [True]
        with runtimes[0].sessions() as session:
            assert session.scalar(select(func.count(Issuer.id))) == 1
            assert session.scalar(select(func.count(Achievement.id))) == 23
    finally:
        for runtime in runtimes:
            runtime.close()
