#!/usr/bin/env bash
# Create .venv and install the project into it (editable), quick when already done:
#   scripts/install.sh       the service and its runtime dependencies only (make run)
#   scripts/install.sh dev   plus the test, lint and browser-driving tools (make test)
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  "") spec=. ; kind=run ;;
  dev) spec='.[dev]' ; kind=dev ;;
  *) echo "usage: $0 [dev]" >&2; exit 2 ;;
esac

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
fingerprint=$(cat pyproject.toml setup.py | sha256sum | cut -c1-16)
stamp=.venv/.installed-$fingerprint-$kind
if [ -e "$stamp" ] || { [ "$kind" = run ] && [ -e ".venv/.installed-$fingerprint-dev" ]; }; then
  exit 0
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e "$spec"
rm -f .venv/.installed-*
touch "$stamp"
