#!/usr/bin/env bash
# Checks that two builds of `cyres scan` write the same bytes: the guard for speed work on the
# matcher, the index and the writers (issue 19 point 4: "output bytes unchanged").
#
# Usage: scripts/scan-bytes-compare.sh OLD_BIN NEW_BIN [EXTRA_SBOM...]
#
# Inputs, all from the real-data kit (CYRES_KIT, default ../shared/data) unpacked into
# target/scan-bytes: every generated SBOM and lockfile (Rust, PyPI), the OpenWrt firmware SBOMs,
# the CycloneDX example SBOMs (JSON), plus any EXTRA_SBOM given (e.g. target/bench-findings/bounds.cdx.json
# from scripts/bench-findings.sh). Advisory data: the kit's OSV archives (RustSec, GHSA subset,
# Go, PyPA), the NVD firmware subset and CISA KEV, one index built by each binary (so an index
# format change between the two builds is fine). Every SBOM is scanned in JSON, SARIF and table
# form; standard output, standard error and the exit code must be identical.
# Exit 0 when everything is equal, 1 when something differs (listed), 2 on bad usage.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: $0 OLD_BIN NEW_BIN [EXTRA_SBOM...]" >&2; exit 2; }
old="$(realpath "$1")" new="$(realpath "$2")"
shift 2
kit="${CYRES_KIT:-../shared/data}"
[ -f "$kit/README.md" ] || { echo "error: the real-data kit was not found at $kit (set CYRES_KIT)" >&2; exit 2; }

work="$PWD/target/scan-bytes"
mkdir -p "$work/in" "$work/out"
for a in sboms/generated-sboms sboms/cyclonedx-bom-examples firmware/openwrt-firmware-sboms firmware/nvd-firmware-subset; do
  [ -d "$work/in/$(basename "$a")" ] || zstd -dc "$kit/$a.tar.zst" | tar -x -C "$work/in"
done
nvd="$work/in/nvd-firmware-subset/nvd-api-2.0"
sources=("$kit"/advisories/{rustsec-osv,ghsa-osv-subset,golang-osv,pypa-osv}.tar.zst
  "$nvd/nvd-cve-2.0-converted-from-1.1-feeds.json" "$nvd/nvd-cve-2.0-fkie-abridged.json"
  "$kit/advisories/cisa-kev/known_exploited_vulnerabilities.json")
"$old" advisories index --out "$work/old.index" "${sources[@]}" 2>/dev/null
"$new" advisories index --out "$work/new.index" "${sources[@]}" 2>/dev/null

# The CycloneDX examples are many (hundreds, mostly without findings): only their SBOM folder's
# JSON documents are taken.
mapfile -t sboms < <( (find "$work/in/generated-sboms" "$work/in/openwrt-firmware-sboms" -type f \
  \( -name '*.json' -o -name '*.xml' -o -name '*.lock' -o -name '*.txt' \) ! -name '*facts.json' \
  ! -name '*mentions.json'; find "$work/in/cyclonedx-bom-examples/SBOM" -type f -name '*.json') | sort)
sboms+=("$@")
same=0 differ=0
for sbom in "${sboms[@]}"; do
  for format in json sarif table; do
    for side in old new; do
      bin="$old"; [ "$side" = new ] && bin="$new"
      code=0
      "$bin" scan --index "$work/$side.index" --format "$format" "$sbom" \
        >"$work/out/$side.stdout" 2>"$work/out/$side.stderr" || code=$?
      echo "$code" >"$work/out/$side.code"
    done
    if cmp -s "$work/out/old.stdout" "$work/out/new.stdout" \
      && cmp -s "$work/out/old.stderr" "$work/out/new.stderr" \
      && cmp -s "$work/out/old.code" "$work/out/new.code"; then
      same=$((same + 1))
    else
      differ=$((differ + 1))
      echo "DIFFERS: $format ${sbom#"$work/in/"}"
    fi
  done
done
echo "$same identical, $differ different (${#sboms[@]} inputs x json, sarif, table)"
[ "$differ" = 0 ]
