#!/usr/bin/env bash
# Load benchmark of the findings API (issue #4, "Speed"): GET /api/v1/findings?product=… must
# serve >= 5,000 requests/s with p99 < 20 ms on a 2-core machine, load from a second process
# (wrk) on loopback.
#
#   bash scripts/bench-platform.sh                       # SQLite in a fresh data dir
#   bash scripts/bench-platform.sh --pg ADMIN_URL        # PostgreSQL (a fresh database in it)
#   CYRES_BENCH_PG_URL=postgres://… bash scripts/bench-platform.sh --pg
#
# Options (environment): DURATION (default 20s), THREADS (2), CONNECTIONS (32), RELEASES
# (seeded releases, default 10), RUNS (wrk runs, default 3), CARGO_TARGET_DIR (build dir),
# CYRES_BIN (use this binary instead of building one), PERF_OUT (record a `perf` profile of the
# server during the last run into this file; read it with `perf report -i FILE`), PROBE=1
# (first measure, for comparison, /healthz (no database), the same request with limit=1 (one
# row: the fixed cost of a request, token lookup included) and /api/v1/products (one small
# query), 10 s each).
#
# What it does: builds `cyres` in release, starts `cyres serve` on a free loopback port with a
# fresh data dir and the first admin from CYRES_ADMIN_EMAIL/CYRES_ADMIN_PASSWORD, imports
# examples/advisories and examples/kev.json through the API as the admin session, creates a
# product with RELEASES releases and uploads the example router SBOM to each (4 findings each,
# 2 actively exploited), creates a viewer API token, checks the request answers 200 with the
# expected findings, then runs wrk RUNS times and prints requests/s and p99 of each run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

pg_url=""
if [ "${1:-}" = "--pg" ]; then
  pg_url=${2:-${CYRES_BENCH_PG_URL:-${CYRES_TEST_PG_URL:-}}}
  [ -n "$pg_url" ] || { echo "error: --pg needs an admin URL (argument, CYRES_BENCH_PG_URL or CYRES_TEST_PG_URL)" >&2; exit 2; }
fi
DURATION=${DURATION:-20s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
RELEASES=${RELEASES:-10}
RUNS=${RUNS:-3}

for tool in wrk curl jq; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing (Debian: apt-get install -y $tool)" >&2; exit 2; }
done

if [ -z "${CYRES_BIN:-}" ]; then
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
  cargo build --release -p cyres --bin cyres >&2
  CYRES_BIN=$CARGO_TARGET_DIR/release/cyres
fi

work=$(mktemp -d /tmp/cyres-bench-platform.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
base=http://127.0.0.1:$port
server_pid=""
pg_db=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$pg_db" ]; then psql_admin "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

psql_admin() {
  if command -v psql >/dev/null; then
    psql "$pg_url" -v ON_ERROR_STOP=1 -qAtc "$1"
  else
    local p
    for p in /usr/lib/postgresql/*/bin/psql; do break; done
    "$p" "$pg_url" -v ON_ERROR_STOP=1 -qAtc "$1"
  fi
}

db_args=()
engine=SQLite
if [ -n "$pg_url" ]; then
  pg_db=cyres_bench_http_$$
  psql_admin "CREATE DATABASE $pg_db"
  db_args=(--database-url "${pg_url%/*}/$pg_db")
  engine=PostgreSQL
fi

export CYRES_ADMIN_EMAIL=bench@example.org
export CYRES_ADMIN_PASSWORD=bench-password-0123456789
export CYRES_ADMIN_ORG="Bench manufacturer"
RUST_LOG=${RUST_LOG:-warn} "$CYRES_BIN" serve --data-dir "$work/data" --listen "127.0.0.1:$port" \
  "${db_args[@]}" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fs "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
curl -fs "$base/readyz" >/dev/null || { echo "server did not become ready" >&2; cat "$work/server.log" >&2; exit 1; }

# Admin session: cookie jar plus the CSRF token every state change must echo.
jar=$work/cookies
csrf=$(curl -fsS -c "$jar" -H 'content-type: application/json' \
  -d "{\"email\":\"$CYRES_ADMIN_EMAIL\",\"password\":\"$CYRES_ADMIN_PASSWORD\"}" \
  "$base/api/v1/session" | jq -r .csrf_token)
api() { # METHOD PATH [curl args…]
  local m=$1 p=$2; shift 2
  curl -fsS -X "$m" -b "$jar" -H "x-csrf-token: $csrf" "$@" "$base/api/v1$p"
}

for f in examples/advisories/* examples/kev.json; do
  api POST "/advisories/import?filename=$(basename "$f")" --data-binary "@$f" >/dev/null
done
pid=$(api POST /products -H 'content-type: application/json' \
  -d '{"name":"AX3000 router","description":"Wi-Fi 6 router","catalogue_entries":["annex3-class1-12"],"member_states":["DE"]}' | jq .id)
for i in $(seq 1 "$RELEASES"); do
  rid=$(api POST "/products/$pid/releases" -H 'content-type: application/json' -d "{\"version\":\"2.4.$i\"}" | jq .id)
  api POST "/releases/$rid/sbom?filename=router-fw-2.4.1.cdx.json" \
    --data-binary @examples/sboms/router-fw-2.4.1.cdx.json >/dev/null
done
token=$(api POST /tokens -H 'content-type: application/json' -d '{"name":"bench","role":"viewer"}' | jq -r .secret)

url="$base/api/v1/findings?product=$pid"
n=$(curl -fsS -H "Authorization: Bearer $token" "$url" | jq length)
bytes=$(curl -fsS -H "Authorization: Bearer $token" "$url" | wc -c)
expected=$((RELEASES * 4))
[ "$expected" -gt 100 ] && expected=100
if [ "$n" != "$expected" ]; then
  echo "error: GET $url answered $n findings, expected $expected" >&2
  exit 1
fi

echo "engine: $engine; product $pid with $RELEASES releases; response: $n findings, $bytes bytes"
echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (runs: $RUNS)"
echo
probe() { # NAME URL
  local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d10s --latency -H "Authorization: Bearer $token" "$2")
  echo "| probe: $1 | $(awk '/^Requests\/sec:/ {print $2}' <<<"$out") | $(awk '$1 == "50%" {print $2}' <<<"$out") | $(awk '$1 == "99%" {print $2}' <<<"$out") | $(awk '/Non-2xx/ {print $NF}' <<<"$out") | $(cut -d' ' -f1 /proc/loadavg) |"
}
echo "| run | requests/s | p50 | p99 | non-2xx | load avg after |"
echo "|---|---|---|---|---|---|"
if [ "${PROBE:-0}" = 1 ]; then
  probe "/healthz (no database)" "$base/healthz"
  probe "/api/v1/products (token + 1 small query)" "$base/api/v1/products"
  probe "findings?product=…&limit=1 (token + 1 row)" "$url&limit=1"
fi
for run in $(seq 1 "$RUNS"); do
  perf_pid=""
  if [ -n "${PERF_OUT:-}" ] && [ "$run" = "$RUNS" ]; then
    perf record -F 999 -g -p "$server_pid" -o "$PERF_OUT" -- sleep "${DURATION%s}" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $token" "$url")
  echo "$out" >"$work/wrk-$run.txt"
  if [ -n "$perf_pid" ]; then wait "$perf_pid" || true; fi
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  echo "| $run | $rps | $p50 | $p99 | ${non2xx:-0} | $(cut -d' ' -f1 /proc/loadavg) |"
done
echo
echo "full wrk output of the last run:"
cat "$work/wrk-$RUNS.txt"
