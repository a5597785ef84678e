#!/usr/bin/env bash
# Findings at full speed: whole-process time and peak memory of `cyres scan` on two inputs that
# stress the finding model and the serializer rather than matching (issue 19, point 4).
#
#   bounds  a CycloneDX SBOM of every crate version at every bound of every RustSec advisory,
#           plus and minus one patch (scripts/bench-findings.py; ~2,850 components, ~4,850
#           findings, 4.4 MB of JSON out), scanned with a prebuilt RustSec index, side by side
#           with cargo-audit on the equivalent Cargo.lock (same packages, native RustSec db from
#           the kit, offline: see scripts/cargo-audit-fixtures.sh);
#   big     a generated CycloneDX SBOM (`cyres dev synthetic-sbom`, default 320,000 components,
#           ~255 MB), same index.
#
# Every row is the whole process (start, index load, SBOM parse, matching, JSON written to
# standard output, discarded), timed with hyperfine (mean ± standard deviation of the wall time, and mean user+system
# CPU time, which says more than the wall time on a busy machine); peak RSS from /usr/bin/time.
# `wall x` and `CPU x`: how many times faster than cargo-audit on bounds.Cargo.lock. The last
# row scans that very Cargo.lock, and scripts/bench-findings-compare.py then lists where the two
# answers differ, with the reason.
#
# Usage: scripts/bench-findings.sh [--runs N] [--big-components N] [--no-big]
#   CYRES_BIN=path  time this cyres (default: the CI scanner, scripts/build-scanner.sh);
#   OLD_BIN=path    also time an older build, and check that both give the same bytes (JSON,
#                   SARIF, table) on both inputs: the before/after comparison.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=10
big_components=320000
big=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift ;;
    --big-components) big_components="$2"; shift ;;
    --no-big) big=0 ;;
    *) echo "usage: $0 [--runs N] [--big-components N] [--no-big]" >&2; exit 2 ;;
  esac
  shift
done

kit="${CYRES_KIT:-../shared/data}"
[ -f "$kit/README.md" ] || { echo "error: the real-data kit was not found at $kit (set CYRES_KIT)" >&2; exit 2; }
kit="$(cd "$kit" && pwd)"
command -v hyperfine >/dev/null || apt-get install -y -q hyperfine >/dev/null
[ -x /usr/bin/time ] || apt-get install -y -q time >/dev/null

work="$PWD/target/bench-findings"
audit_dir="$PWD/target/cargo-audit"
audit_bin="$PWD/target/tools/bin/cargo-audit"
mkdir -p "$work" "$audit_dir/cargo-home"
# cargo-audit 0.22.2 and the kit's native RustSec db as a git repository (idempotent).
if [ ! -x "$audit_bin" ] || [ ! -d "$audit_dir/advisory-db/.git" ]; then
  bash scripts/cargo-audit-fixtures.sh
fi

cyres="${CYRES_BIN:-}"
if [ -z "$cyres" ]; then
  echo "== scripts/build-scanner.sh"
  cyres="$(bash scripts/build-scanner.sh)"
fi
old="${OLD_BIN:-}"

echo "== inputs"
rm -rf "$work/rustsec-osv"
zstd -dc "$kit/advisories/rustsec-osv.tar.zst" | tar -x -C "$work"
python3 scripts/bench-findings.py "$work/rustsec-osv" "$work"
"$cyres" advisories index --out "$work/rustsec.index" "$kit/advisories/rustsec-osv.tar.zst" 2>/dev/null
if [ "$big" = 1 ]; then
  "$cyres" dev synthetic-sbom --components "$big_components" > "$work/big.cdx.json"
fi
ls -l "$work"/*.cdx.json "$work/bounds.Cargo.lock" | awk '{print "  " $5 " bytes  " $NF}'

audit_cmd="env CARGO_HOME=$audit_dir/cargo-home $audit_bin audit --no-fetch --stale --no-yanked --db $audit_dir/advisory-db --file $work/bounds.Cargo.lock --json"
# Timed with the report on standard output, which hyperfine discards, as cargo-audit's is: the
# same treatment for both tools (writing cyres's 4.4 MB to a file cost it ~7 ms of system time).
# The reports themselves are written to files by separate runs, for the checks below.
scan_cmd() { # BIN SBOM
  echo "$1 scan --index $work/rustsec.index --format json $work/$2.cdx.json"
}

# measure NAME RUNS CMD: prints "wall_mean wall_sd cpu_mean peak_rss_kib". Both tools exit 1
# when they find something, so failure exit codes are ignored.
measure() {
  local name="$1" n="$2" cmd="$3" argv
  hyperfine --shell=none --ignore-failure --warmup 1 --runs "$n" --style none \
    --export-json "$work/$name.hyperfine.json" "$cmd" >/dev/null 2>"$work/$name.hyperfine.log"
  read -ra argv <<< "$cmd"
  /usr/bin/time -f %M -o "$work/$name.rss" "${argv[@]}" >/dev/null 2>&1 || true
  python3 - "$work/$name.hyperfine.json" "$(tail -1 "$work/$name.rss")" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.4f %.4f %.4f %s" % (r["mean"], r["stddev"] or 0, r["user"] + r["system"], sys.argv[2]))
PY
}

rows=()
row() { # LABEL WALL SD CPU RSS BASE_WALL BASE_CPU
  local wall_ratio="" cpu_ratio=""
  [ -n "${6:-}" ] && wall_ratio=$(python3 -c "print(f'{$6 / $2:.1f}x')")
  [ -n "${7:-}" ] && cpu_ratio=$(python3 -c "print(f'{$7 / $4:.1f}x')")
  rows+=("$(printf '%-36s %9.1f ± %-7.1f %9.1f %8s %8s %11.1f' "$1" \
    "$(python3 -c "print($2*1000)")" "$(python3 -c "print($3*1000)")" \
    "$(python3 -c "print($4*1000)")" "$wall_ratio" "$cpu_ratio" "$(python3 -c "print($5/1024)")")")
}

echo "== timing ($runs runs each, 1 warm-up; hyperfine)"
"$audit_bin" --version >/dev/null 2>&1 || true
env CARGO_HOME="$audit_dir/cargo-home" "$audit_bin" audit --no-fetch --stale --no-yanked \
  --db "$audit_dir/advisory-db" --file "$work/bounds.Cargo.lock" --json > "$work/audit.bounds.json" || true
python3 - "$work/audit.bounds.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
w = sum(len(v) for k, v in r["warnings"].items() if k != "yanked")
print(f"  cargo-audit: {len(r['vulnerabilities']['list'])} vulnerabilities, {w} warnings")
PY
read -r a_wall a_sd a_cpu a_rss < <(measure audit "$runs" "$audit_cmd")
row "cargo-audit bounds.Cargo.lock" "$a_wall" "$a_sd" "$a_cpu" "$a_rss"

bins=("$cyres")
[ -n "$old" ] && bins=("$old" "$cyres")
inputs=(bounds)
[ "$big" = 1 ] && inputs+=(big)
for sbom in "${inputs[@]}"; do
  n="$runs"
  [ "$sbom" = big ] && n=3
  for bin in "${bins[@]}"; do
    tag=new
    [ "$bin" = "$old" ] && tag=old
    "$bin" scan --index "$work/rustsec.index" --format json -o "$work/$tag.$sbom.json" "$work/$sbom.cdx.json" || true
    read -r wall sd cpu rss < <(measure "$tag.$sbom" "$n" "$(scan_cmd "$bin" "$sbom")")
    base_wall="" base_cpu=""
    [ "$sbom" = bounds ] && base_wall="$a_wall" base_cpu="$a_cpu"
    row "cyres scan $sbom.cdx.json ($tag)" "$wall" "$sd" "$cpu" "$rss" "$base_wall" "$base_cpu"
  done
  echo "  $sbom: $(grep -c '"match_kind"' "$work/new.$sbom.json") findings, $(wc -c < "$work/new.$sbom.json") bytes of JSON"
done

# The very input cargo-audit reads: the lockfile itself (cyres reads Cargo.lock directly).
"$cyres" scan --index "$work/rustsec.index" --format json -o "$work/new.lock.json" "$work/bounds.Cargo.lock" || true
lock_cmd="$cyres scan --index $work/rustsec.index --format json $work/bounds.Cargo.lock"
read -r wall sd cpu rss < <(measure new.lock "$runs" "$lock_cmd")
row "cyres scan bounds.Cargo.lock (new)" "$wall" "$sd" "$cpu" "$rss" "$a_wall" "$a_cpu"
echo "== findings on bounds.Cargo.lock, cyres against cargo-audit"
python3 scripts/bench-findings-compare.py "$work/audit.bounds.json" "$work/new.lock.json"

if [ -n "$old" ]; then
  echo "== output bytes, old against new build"
  for sbom in "${inputs[@]}"; do
    for format in json sarif table; do
      "$old" scan --index "$work/rustsec.index" --format "$format" -o "$work/old.$sbom.$format" "$work/$sbom.cdx.json" || true
      "$cyres" scan --index "$work/rustsec.index" --format "$format" -o "$work/new.$sbom.$format" "$work/$sbom.cdx.json" || true
      if cmp -s "$work/old.$sbom.$format" "$work/new.$sbom.$format"; then
        echo "  $sbom $format: identical ($(wc -c < "$work/new.$sbom.$format") bytes)"
      else
        echo "  $sbom $format: DIFFERENT" >&2
        exit 1
      fi
    done
  done
fi

echo
printf '%-36s %-19s %9s %8s %8s %11s\n' "whole process" "wall [ms]" "CPU [ms]" "wall x" "CPU x" "peak [MiB]"
printf '%s\n' "${rows[@]}"
