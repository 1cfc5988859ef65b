#!/usr/bin/env bash
# The whole test suite: lint, type-check, then pytest on SQLite and a throw-away PostgreSQL.
#
# Needs: Python 3.11 with venv, make, and PyPI (the .venv). It also needs PostgreSQL's server,
# Node.js with npm (the digitalbazaar interop tests), Chromium (the browser tests) and curl (the
# README walkthrough test); whichever is missing is installed from Debian's archive with apt-get,
# which needs root.
# Uses 127.0.0.1:$XQB_TEST_POSTGRES_PORT (default 54329) for the throw-away PostgreSQL; the
# tests' own servers take free ports the system hands out.
# Arguments go to pytest: scripts/test.sh -k issuers
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
command -v chromium >/dev/null || missing+=(chromium)
command -v curl >/dev/null || missing+=(curl)
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "make test needs these Debian packages: ${missing[*]}" >&2
    echo "install them (sudo apt-get install --no-install-recommends ${missing[*]}) or run as root" >&2
    exit 2
  fi
  echo "installing from Debian's archive: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

scripts/install.sh dev

pgdir=$(mktemp -d /tmp/xqb-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
XQB_TEST_POSTGRES_URL=$(scripts/postgres.sh start "$pgdir")
export XQB_TEST_POSTGRES_URL

.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
