#!/usr/bin/env bash
# The whole test suite: lint, type-check, then pytest on SQLite and a throw-away PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install.sh

pgdir=$(mktemp -d /tmp/xqb-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
XQB_TEST_POSTGRES_URL=$(scripts/postgres.sh start "$pgdir")
export XQB_TEST_POSTGRES_URL

.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
