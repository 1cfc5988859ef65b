#!/usr/bin/env bash
# The whole test suite: lint, type-check, then pytest on SQLite and a throw-away PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install.sh
# The interoperability tests run digitalbazaar's Node libraries (installed by the tests with npm ci).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
# The browser tests (tests/pages/test_browser.py) drive Debian's Chromium through Playwright
# (a dev extra); Playwright's own browser downloads are never used.
if ! command -v chromium >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi

pgdir=$(mktemp -d /tmp/xqb-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
XQB_TEST_POSTGRES_URL=$(scripts/postgres.sh start "$pgdir")
export XQB_TEST_POSTGRES_URL

.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
