#!/usr/bin/env bash
# Unpacks the test-data kit's rustsec/advisory-db (advisories/rustsec-native.tar.zst) into DEST
# as a git repository, as cargo-audit and cargo-deny expect their database; does nothing when
# DEST already holds this very archive (a stamp of its SHA-256).
#
# Usage: scripts/rustsec-db.sh KIT DEST
set -euo pipefail
kit="$1" db="$2"
archive="$kit/advisories/rustsec-native.tar.zst"
sum=$(sha256sum "$archive" | cut -d' ' -f1)
if [ -f "$db/.stamp" ] && [ "$(cat "$db/.stamp")" = "$sum" ] && [ -d "$db/.git" ]; then
  exit 0
fi
command -v zstd >/dev/null || apt-get install -y zstd >/dev/null
echo "== unpacking rustsec-native into $db"
rm -rf "$db"
mkdir -p "$db"
zstd -dc "$archive" | tar -x -C "$db" --strip-components=1
# Explicit --git-dir/--work-tree so git can never fall through to the project's own repository;
# no global/system config so the commit id depends only on the files.
g() {
  GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
    GIT_AUTHOR_NAME=cyres GIT_AUTHOR_EMAIL=cyres@invalid GIT_AUTHOR_DATE='2026-08-01T00:00:00Z' \
    GIT_COMMITTER_NAME=cyres GIT_COMMITTER_EMAIL=cyres@invalid GIT_COMMITTER_DATE='2026-08-01T00:00:00Z' \
    git --git-dir="$db/.git" --work-tree="$db" "$@"
}
git init -q --initial-branch=main "$db"
g add -A
g commit -q -m "rustsec/advisory-db (from the cyres test data kit)"
echo "$sum" > "$db/.stamp"
