#!/usr/bin/env bash
# Wall-time comparison: `cargo audit` (the RustSec reference matcher) on the kit's five Rust
# lockfiles versus `cyres scan` on the matching CycloneDX SBOMs.
#
# Why: cyres claims to be a practical replacement for cargo-audit in CI; this keeps that claim
# measured on real inputs. Both sides run offline on the same kind of data: cargo-audit on the
# native RustSec db (target/cargo-audit/advisory-db, see scripts/cargo-audit-fixtures.sh), cyres
# on an index built once from the kit's OSV export of RustSec. The index build is timed on its
# own line, because cargo-audit re-reads its database on every run while cyres does not.
#
# Usage: scripts/bench-vs-cargo-audit.sh [--audit-only] [--runs N]
#   --audit-only  skip the release build and time cargo-audit alone.
#   CYRES_BIN=path  time an already built cyres (e.g. target/release/cyres, the full binary)
#                   instead of the CI scanner built by scripts/build-scanner.sh.
# Uses hyperfine when present (installed with apt-get when possible), else a date(1) loop
# (forced with NO_HYPERFINE=1).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=10
audit_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --audit-only) audit_only=1 ;;
    --runs) runs="$2"; shift ;;
    *) echo "usage: $0 [--audit-only] [--runs N]" >&2; exit 2 ;;
  esac
  shift
done

kit="${CYRES_KIT:-../shared/data}"
if [ ! -f "$kit/README.md" ]; then
  echo "error: the real-data kit was not found at $kit (set CYRES_KIT)." >&2
  exit 2
fi
kit="$(cd "$kit" && pwd)"

locks=(ripgrep-11.0.0 ripgrep-13.0.0 ripgrep-head tough-develop rust-analyzer)
work="$PWD/target/cargo-audit"
db="$work/advisory-db"
audit_bin="$PWD/target/tools/bin/cargo-audit"
sboms="$work/generated-sboms/rust"
bench="$work/bench"

# cargo-audit, its db and the unpacked SBOMs come from the fixture script (idempotent, cheap when
# everything is current).
if [ ! -x "$audit_bin" ] || [ ! -d "$db/.git" ] || [ ! -d "$sboms" ]; then
  bash scripts/cargo-audit-fixtures.sh
fi
mkdir -p "$bench" "$work/cargo-home"
export CARGO_HOME_AUDIT="$work/cargo-home"

if [ -z "${NO_HYPERFINE:-}" ] && ! command -v hyperfine >/dev/null && [ "$(id -u)" = 0 ] \
  && command -v apt-get >/dev/null; then
  apt-get install -y hyperfine >/dev/null 2>&1 || true
fi
use_hyperfine=0
if [ -z "${NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null; then use_hyperfine=1; fi

cyres=""
if [ "$audit_only" = 0 ]; then
  if [ -n "${CYRES_BIN:-}" ]; then
    cyres="$CYRES_BIN"
  else
    echo "== scripts/build-scanner.sh (the CI scanner: no platform, static-PIE)"
    cyres="$(bash scripts/build-scanner.sh)"
  fi
  if ! "$cyres" scan --help >/dev/null 2>&1; then
    echo "warning: $cyres has no 'scan' subcommand yet; timing cargo-audit only" >&2
    cyres=""
  fi
fi

audit_cmd() {
  echo "env CARGO_HOME=$CARGO_HOME_AUDIT $audit_bin audit --no-fetch --stale --no-yanked --db $db --file $work/generated-sboms/rust/cargo-lock-inputs/$1.Cargo.lock --json"
}
scan_cmd() {
  echo "$cyres scan --index $bench/rustsec.index --format json $sboms/$1.cdx.json"
}

# mean_seconds NAME CMD: prints "mean stddev" in seconds. Failure exit codes are expected (both
# tools exit non-zero when they find vulnerabilities), so they are ignored here; each command is
# checked once for output before timing.
mean_seconds() {
  local name="$1" cmd="$2"
  if [ "$use_hyperfine" = 1 ]; then
    hyperfine --shell=none --ignore-failure --warmup 1 --runs "$runs" --style none \
      --export-json "$bench/$name.json" "$cmd" >/dev/null 2>"$bench/$name.hyperfine.log"
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.4f %.4f" % (r["mean"], r["stddev"] or 0))' "$bench/$name.json"
  else
    local i t0 t1 times=() argv
    read -ra argv <<< "$cmd"
    "${argv[@]}" >/dev/null 2>&1 || true
    for ((i = 0; i < runs; i++)); do
      t0=$(date +%s.%N); "${argv[@]}" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
      times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
    done
    printf '%s\n' "${times[@]}" | awk '{s+=$1; q+=$1*$1; n++} END {m=s/n; v=q/n-m*m; if (v<0) v=0; printf "%.4f %.4f\n", m, sqrt(v)}'
  fi
}

if [ -n "$cyres" ]; then
  echo "== cyres advisories index (built once, timed separately)"
  "$cyres" advisories index --out "$bench/rustsec.index" "$kit/advisories/rustsec-osv.tar.zst"
  read -r index_mean index_sd < <(mean_seconds index \
    "$cyres advisories index --out $bench/rustsec.index.tmp $kit/advisories/rustsec-osv.tar.zst")
fi

echo "== timing ($runs runs each, 1 warm-up; $([ "$use_hyperfine" = 1 ] && echo hyperfine || echo 'date loop'))"
rows=()
for name in "${locks[@]}"; do
  # Sanity: each command must produce a JSON report before its time means anything.
  read -ra argv <<< "$(audit_cmd "$name")"
  "${argv[@]}" > "$bench/$name.audit.out" 2>/dev/null || true
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$bench/$name.audit.out" \
    || { echo "error: cargo audit gave no JSON for $name" >&2; exit 1; }
  read -r a_mean a_sd < <(mean_seconds "$name.audit" "$(audit_cmd "$name")")
  if [ -n "$cyres" ]; then
    read -ra argv <<< "$(scan_cmd "$name")"
    "${argv[@]}" > "$bench/$name.cyres.out" 2>/dev/null || true
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$bench/$name.cyres.out" \
      || { echo "error: cyres scan gave no JSON for $name" >&2; exit 1; }
    read -r c_mean c_sd < <(mean_seconds "$name.cyres" "$(scan_cmd "$name")")
    ratio=$(python3 -c "print(f'{$a_mean / $c_mean:.1f}x')")
    rows+=("$(printf '%-16s %8s ± %-7s %8s ± %-7s %11s' "$name" "$a_mean" "$a_sd" "$c_mean" "$c_sd" "$ratio")")
  else
    rows+=("$(printf '%-16s %8s ± %-7s' "$name" "$a_mean" "$a_sd")")
  fi
done

echo
if [ -n "$cyres" ]; then
  printf '%-16s %-18s %-18s %11s\n' lockfile "cargo-audit [s]" "cyres scan [s]" "audit/cyres"
else
  printf '%-16s %-18s\n' lockfile "cargo-audit [s]"
fi
printf '%s\n' "${rows[@]}"
if [ -n "$cyres" ]; then
  printf 'cyres index build: %s s ±%s (once per db update, not in the rows above)\n' "$index_mean" "$index_sd"
fi
