#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the test suite, on a local port and a private socket dir.
#   scripts/postgres.sh start DIR   -> prints the SQLAlchemy URL on stdout
#   scripts/postgres.sh stop DIR
# Installs Debian's postgresql package when no server binaries are present.
set -euo pipefail

action=${1:?start or stop}
dir=${2:?directory for the cluster}
port=${XQB_TEST_POSTGRES_PORT:-54329}

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    bin=$(find_bin)
    if [ -z "$bin" ]; then
      echo "installing PostgreSQL from Debian's packages..." >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2
      apt-get install -y -qq --no-install-recommends postgresql >&2
      bin=$(find_bin)
    fi
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
      useradd --system --no-create-home postgres
    fi
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U xqb -E UTF8 >"$dir/initdb.log" 2>&1
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >&2
    echo "postgresql+psycopg://xqb@127.0.0.1:$port/postgres"
    ;;
  stop)
    bin=$(find_bin)
    if [ -n "$bin" ] && [ -d "$dir/data" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >&2 || true
    fi
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
