#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster for the storage tests and prints its URL.
#
#   eval "$(bash scripts/pg.sh start)"   # exports CYRES_TEST_PG_URL and CYRES_PG_DIR
#   bash scripts/pg.sh stop "$CYRES_PG_DIR"
#
# The server refuses to run as root, so when we are root the cluster belongs to the
# `postgres` user (created by Debian's postgresql packages). It listens on a free loopback
# port with trust authentication for local connections only, and lives in a temporary
# directory that `stop` removes.
set -euo pipefail

find_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  local c
  for c in /usr/lib/postgresql/*/bin/"$name"; do
    if [ -x "$c" ]; then echo "$c"; return; fi
  done
  echo "error: PostgreSQL's $name was not found. Install the server (Debian: apt-get install postgresql-15) or set CYRES_TEST_PG_URL to an existing server." >&2
  exit 2
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
      echo "error: running as root and there is no 'postgres' user to own the test cluster" >&2
      exit 2
    fi
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}

cmd=${1:-start}
case "$cmd" in
  start)
    initdb=$(find_bin initdb)
    pg_ctl=$(find_bin pg_ctl)
    dir=$(mktemp -d /tmp/cyres-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    as_pg "'$initdb' -D '$dir/data' -A trust -U postgres -E UTF8 --no-locale >'$dir/initdb.log' 2>&1" || {
      cat "$dir/initdb.log" >&2; exit 2; }
    as_pg "'$pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300\" start >/dev/null" || {
      cat "$dir/server.log" >&2; exit 2; }
    echo "export CYRES_PG_DIR='$dir'"
    echo "export CYRES_TEST_PG_URL='postgres://postgres@127.0.0.1:$port/postgres'"
    ;;
  stop)
    dir=${2:?usage: pg.sh stop DIR}
    pg_ctl=$(find_bin pg_ctl)
    as_pg "'$pg_ctl' -D '$dir/data' -m immediate stop >/dev/null 2>&1" || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg.sh start | stop DIR" >&2
    exit 2
    ;;
esac
