#!/usr/bin/env bash
# Speed and memory benchmarks of the matching engine, as documented in README.md:
#   - index build for the whole kit (RustSec, PyPA, Go, GHSA subset, CISA KEV);
#   - `cyres scan` of a synthetic 10,000-component SBOM against that prebuilt index
#     (wall time with hyperfine, peak RSS with /usr/bin/time);
#   - CycloneDX JSON parsing throughput (criterion, `cargo bench -p cyres-sbom --bench parse`).
# The cargo-audit comparison is scripts/bench-vs-cargo-audit.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
kit="${CYRES_KIT:-../shared/data}"
[ -f "$kit/README.md" ] || { echo "error: kit not found at $kit (set CYRES_KIT)" >&2; exit 2; }
command -v hyperfine >/dev/null || apt-get install -y -q hyperfine >/dev/null
[ -x /usr/bin/time ] || apt-get install -y -q time >/dev/null

cargo build --release -q -p cyres
target="${CARGO_TARGET_DIR:-target}"
bin="$target/release/cyres"
work="$target/bench"
mkdir -p "$work"
sources=("$kit/advisories/rustsec-osv.tar.zst" "$kit/advisories/pypa-osv.tar.zst"
         "$kit/advisories/golang-osv.tar.zst" "$kit/advisories/ghsa-osv-subset.tar.zst"
         "$kit/advisories/cisa-kev/known_exploited_vulnerabilities.json")

echo "== index build, whole kit"
hyperfine --warmup 1 --runs 5 -N "$bin advisories index --out $work/kit.idx ${sources[*]}"
"$bin" advisories index --out "$work/kit.idx" "${sources[@]}"

echo "== scan: synthetic 10,000-component SBOM against the whole-kit index"
"$bin" dev synthetic-sbom --components 10000 > "$work/synthetic-10k.cdx.json"
ls -l "$work/synthetic-10k.cdx.json"
hyperfine --warmup 3 --runs 30 -N "$bin scan --index $work/kit.idx --format json -o /dev/null $work/synthetic-10k.cdx.json"
/usr/bin/time -f "peak RSS: %M KiB, wall: %e s" "$bin" scan --index "$work/kit.idx" --format json -o /dev/null "$work/synthetic-10k.cdx.json"

if [ "${1:-}" != "--no-criterion" ]; then
  echo "== CycloneDX JSON parsing throughput (criterion)"
  cargo bench -q -p cyres-sbom --bench parse
fi
