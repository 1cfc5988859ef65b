#!/usr/bin/env bash
# The W3C conformance suites (VC DI eddsa, VC Data Model 2.0, Bitstring Status List, VC API
# issuer and verifier) against a fresh local xqbadges serving https on 127.0.0.1.
#
#   scripts/conformance.sh [SUITES_DIR]        (or XQB_CONFORMANCE_DIR; default ../shared/conformance/w3c)
#   scripts/conformance.sh --seed [SUITES_DIR] rewrite conformance/expected-failures.json from this run
#
# SUITES_DIR holds the suites' tar.gz snapshots (see its README). They are unpacked and installed
# once into .conformance/ (git-ignored; reinstalled when the snapshots change), then each run
# starts a fresh service (new SQLite database, keys and TLS certificate in a temp dir), registers
# an API client, runs each suite with mocha's JSON reporter and prints its counts.
# Exits non-zero on a failure not listed in conformance/expected-failures.json, on a listed one
# that now passes (take it off the list), and on any request the service answered with a 5xx.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SEED=""
if [[ "${1:-}" == "--seed" ]]; then
    SEED="--seed"
    shift
fi
SUITES_DIR=${1:-${XQB_CONFORMANCE_DIR:-../shared/conformance/w3c}}
SUITES_DIR=$(cd "$SUITES_DIR" && pwd)
if [[ -x "$ROOT/.venv/bin/python" ]]; then
    PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
else
    PYTHON=${PYTHON:-python3}
fi
if ! "$PYTHON" -c 'import uvicorn, cryptography' 2>/dev/null; then
    echo "conformance: $PYTHON cannot import the service's packages; run make install (or set PYTHON)" >&2
    exit 2
fi
EXPECTED=$ROOT/conformance/expected-failures.json
CACHE=$ROOT/.conformance
WORK=$CACHE/suites
SUITE_NAMES=(vc-di-eddsa vc-data-model-2.0 vc-bitstring-status-list vc-api-issuer vc-api-verifier)
declare -A SUITE_FOLDERS=(
    [vc-di-eddsa]=w3c--vc-di-eddsa-test-suite/vc-di-eddsa-test-suite
    [vc-data-model-2.0]=w3c--vc-data-model-2.0-test-suite/vc-data-model-2.0-test-suite
    [vc-bitstring-status-list]=w3c--vc-bitstring-status-list-test-suite/vc-bitstring-status-list-test-suite
    [vc-api-issuer]=w3c-ccg--vc-api-issuer-test-suite/vc-api-issuer-test-suite
    [vc-api-verifier]=w3c-ccg--vc-api-verifier-test-suite/vc-api-verifier-test-suite
)
DEPENDENCIES=(w3c--vc-test-suite-implementations w3c-ccg--vc-test-suite-implementations
    w3c-ccg--data-integrity-test-suite-assertion)
helper() { PYTHONPATH=$ROOT "$PYTHON" "$ROOT/scripts/conformance.py" "$@"; }

started=$(date +%s)

# 1. Unpack and install, unless the snapshots are unchanged since the last time.
stamp=$(cat "$SUITES_DIR"/*.tar.gz | sha256sum | cut -c1-64)
if [[ "$(cat "$CACHE/stamp" 2>/dev/null || true)" != "$stamp" ]]; then
    echo "unpacking and installing the suites into $CACHE (once per snapshot)"
    rm -rf "$WORK" "$CACHE/deps" "$CACHE/stamp"
    mkdir -p "$WORK" "$CACHE/deps" "$CACHE/npm-cache"
    for archive in "$SUITES_DIR"/*.tar.gz; do
        name=$(basename "$archive" .tar.gz)
        mkdir -p "$WORK/$name"
        tar -xzf "$archive" -C "$WORK/$name"
    done
    for name in "${DEPENDENCIES[@]}"; do
        mkdir -p "$CACHE/deps/$name"
        (cd "$WORK/$name"/* && npm pack --silent --ignore-scripts \
            --cache "$CACHE/npm-cache" --pack-destination "$CACHE/deps/$name" >/dev/null)
    done
    helper prepare "$WORK" "$CACHE/deps"
    for suite in "${SUITE_NAMES[@]}"; do
        echo "  npm install: $suite"
        (cd "$WORK/${SUITE_FOLDERS[$suite]}" && npm install --no-audit --no-fund --loglevel=error \
            --cache "$CACHE/npm-cache" >/dev/null)
    done
    echo "$stamp" >"$CACHE/stamp"
fi

# 2. A fresh service: database, keys and certificate in a temp dir, https on a free port.
RUN=$(mktemp -d "${TMPDIR:-/tmp}/xqb-conformance.XXXXXX")
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 40); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.25
        done
        kill -9 "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$RUN"
}
trap cleanup EXIT
PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE_URL=https://localhost:$PORT
export XQB_HOME=$RUN/home
export XQB_DATABASE_URL=sqlite:///$RUN/home/xqbadges.db
export XQB_KEYS_DIR=$RUN/home/keys
export XQB_PUBLIC_BASE_URL=$BASE_URL
export XQB_RATE_LIMITS_ENABLED=false
export XQB_FETCH_TRUSTED_HOSTS="[\"localhost:$PORT\"]"
mkdir -p "$XQB_HOME"
helper cert "$RUN"
LOG=$RUN/service.log
# Python itself in the background (not through a function), so $! is the server's pid.
SSL_CERT_FILE=$RUN/tls-cert.pem PYTHONPATH=$ROOT "$PYTHON" "$ROOT/scripts/conformance.py" serve \
    --host 127.0.0.1 --port "$PORT" --ssl-keyfile "$RUN/tls-key.pem" \
    --ssl-certfile "$RUN/tls-cert.pem" >"$LOG" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
    if curl -sk -o /dev/null "$BASE_URL/"; then break; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "the service did not start:" >&2
        cat "$LOG" >&2
        exit 2
    fi
    sleep 0.5
done
client=$(PYTHONPATH=$ROOT "$PYTHON" -m app.cli clients create --issuer xq --scopes "awards:write" \
    --name "conformance suites" --json)
issuer_did=$(PYTHONPATH=$ROOT "$PYTHON" -m app.cli issuers list --json \
    | "$PYTHON" -c 'import json, sys; print(next(i["did"] for i in json.load(sys.stdin) if i["slug"] == "xq"))')
client_id=$(echo "$client" | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["client_id"])')
export XQB_CONFORMANCE_CLIENT_SECRET
XQB_CONFORMANCE_CLIENT_SECRET=$(echo "$client" | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["client_secret"])')
helper config "$WORK" "$BASE_URL" "$issuer_did" "$client_id"
echo "service: $BASE_URL, issuer $issuer_did"

# 3. The suites, one after the other, with mocha's JSON reporter.
RESULTS=$CACHE/results
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
for suite in "${SUITE_NAMES[@]}"; do
    suite_started=$(date +%s)
    (cd "$WORK/${SUITE_FOLDERS[$suite]}" && NODE_TLS_REJECT_UNAUTHORIZED=0 npx --no-install mocha tests \
        --reporter json --reporter-option "output=$RESULTS/$suite.json" \
        --timeout 15000 --preserve-symlinks >"$RESULTS/$suite.out" 2>&1) || true
    (cd "$WORK/${SUITE_FOLDERS[$suite]}" && npx --no-install mocha tests --dry-run \
        --reporter json --reporter-option "output=$RESULTS/$suite.dry.json" >/dev/null 2>&1) || true
    echo "  ran $suite in $(($(date +%s) - suite_started))s" >&2
done
cp "$LOG" "$RESULTS/service.log"

# 4. Counts, the expectations and the service's 5xx answers.
status=0
helper report $SEED "$RESULTS" "$EXPECTED" "$LOG" || status=$?
echo "wall time: $(($(date +%s) - started))s (results and the service log in $RESULTS)"
exit "$status"
