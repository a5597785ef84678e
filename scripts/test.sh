#!/usr/bin/env bash
# The whole test suite: formatting, lints, and every test, as README.md promises and .ci/run runs.
# Installs the test oracles it needs (Python `packaging`, node `semver`, python-tuf) under
# target/oracles when they are missing; everything else is on a fresh machine of this kind.
set -euo pipefail
cd "$(dirname "$0")/.."

kit="${CYRES_KIT:-../shared/data}"
if [ ! -f "$kit/README.md" ]; then
  echo "error: the real-data kit was not found at $kit." >&2
  echo "Put the project's shared/data folder next to the checkout (../shared/data) or set CYRES_KIT." >&2
  exit 2
fi

for s in scripts/oracles.sh scripts/python-tuf.sh; do
  if [ -f "$s" ]; then
    echo "== $s"
    bash "$s"
  fi
done

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked --no-fail-fast
