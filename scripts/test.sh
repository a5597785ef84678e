#!/usr/bin/env bash
# The whole test suite: formatting, lints, and every test, as README.md promises and .ci/run runs.
# Installs the test oracles it needs (Python `packaging`, node `semver`, python-tuf, the BSI CSAF
# validator library, the SBOM validators) under target/oracles when they are missing, and starts
# a throwaway PostgreSQL cluster (scripts/pg.sh) for the storage tests; everything else is on a
# fresh machine of this kind.
set -euo pipefail
cd "$(dirname "$0")/.."

kit="${CYRES_KIT:-../shared/data}"
if [ ! -f "$kit/README.md" ]; then
  echo "error: the real-data kit was not found at $kit." >&2
  echo "Put the project's shared/data folder next to the checkout (../shared/data) or set CYRES_KIT." >&2
  exit 2
fi

for s in scripts/oracles.sh scripts/python-tuf.sh scripts/csaf-validator.sh scripts/sbom-validators.sh; do
  if [ -f "$s" ]; then
    echo "== $s"
    bash "$s"
  fi
done

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
echo "== cargo deny (licences, advisories from the kit, sources, duplicates)"
bash scripts/deny.sh

# --- fuzz targets -------------------------------------------------------------------------
# fuzz/ is its own workspace (run by scripts/fuzz.sh on nightly); check here, on the stable
# toolchain and in the shared target/, that its targets still compile against the crates'
# current APIs and are lint-clean. About a second when nothing changed.
echo "== cargo clippy (fuzz targets)"
cargo clippy --manifest-path fuzz/Cargo.toml --target-dir target --locked --bins -- -D warnings
# ------------------------------------------------------------------------------------------
# The storage and server suites run on SQLite and on PostgreSQL: start a throwaway
# PostgreSQL 15 cluster (as the `postgres` user, on a free loopback port) unless the caller
# already points CYRES_TEST_PG_URL at one.
if [ -z "${CYRES_TEST_PG_URL:-}" ]; then
  echo "== starting a throwaway PostgreSQL cluster"
  eval "$(bash scripts/pg.sh start)"
  trap 'bash scripts/pg.sh stop "$CYRES_PG_DIR"' EXIT
  echo "   $CYRES_TEST_PG_URL"
fi
export CYRES_TEST_PG_URL

# The programs the browser and PDF tests drive (chromium, chromedriver, pdftotext).
echo "== scripts/system-packages.sh"
bash scripts/system-packages.sh

echo "== cargo test"
cargo test --workspace --locked --no-fail-fast
