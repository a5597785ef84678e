#!/usr/bin/env bash
# Regenerates the cargo-audit oracle fixtures in crates/cyres/tests/fixtures/cargo-audit/.
#
# Why: `cyres scan` is compared against `cargo audit`, the reference RustSec matcher, on the
# five real Rust lockfiles in the kit. This script pins everything the answer depends on:
#   * cargo-audit 0.22.2 (installed into target/tools when missing),
#   * the kit's native RustSec snapshot (rustsec/advisory-db `main` bf5c0d24...), unpacked into
#     target/cargo-audit/advisory-db and turned into a one-commit git repository with a fixed
#     author and date so the result is byte-for-byte repeatable,
#   * the kit's lockfiles (generated-sboms/rust/cargo-lock-inputs/*.Cargo.lock).
# cargo-audit runs fully offline: --no-fetch (no git fetch of the db), --stale (no age check),
# --no-yanked (the yanked check needs the crates.io index, which is not in the kit), and a private
# empty CARGO_HOME so no user `audit.toml` can change the answer.
# It then writes one normalised JSON per lockfile and db-diff.md (see scripts/rustsec-db-diff.py).
# Idempotent: re-running reuses the tool and the db when they are current.
set -euo pipefail
cd "$(dirname "$0")/.."

audit_version=0.22.2
native_commit=bf5c0d245a92671908518d7e765914d437954ed6
locks=(ripgrep-11.0.0 ripgrep-13.0.0 ripgrep-head tough-develop rust-analyzer)

kit="${CYRES_KIT:-../shared/data}"
if [ ! -f "$kit/README.md" ]; then
  echo "error: the real-data kit was not found at $kit." >&2
  echo "Put the project's shared/data folder next to the checkout (../shared/data) or set CYRES_KIT." >&2
  exit 2
fi

tools="$PWD/target/tools"
audit_bin="$tools/bin/cargo-audit"
work="$PWD/target/cargo-audit"
db="$work/advisory-db"
out="$PWD/crates/cyres/tests/fixtures/cargo-audit"
mkdir -p "$work" "$out"

# (a) the tool -------------------------------------------------------------------------------
if ! "$audit_bin" audit --version 2>/dev/null | grep -qF "$audit_version"; then
  echo "== installing cargo-audit $audit_version into $tools (slow: several minutes on 2 cores)"
  cargo install cargo-audit --version "$audit_version" --locked --root "$tools"
fi

if ! command -v zstd >/dev/null; then
  echo "== installing zstd"
  apt-get install -y zstd >/dev/null
fi

# Unpacks a kit archive into $work/<top folder> unless the stamp says it is already there.
unpack() {
  local archive="$kit/$1" top="$2" sum
  sum=$(sha256sum "$archive" | cut -d' ' -f1)
  if [ -f "$work/$top.sha256" ] && [ "$(cat "$work/$top.sha256")" = "$sum" ] && [ -d "$work/$top" ]; then
    return
  fi
  rm -rf "${work:?}/$top" "$work/$top.sha256"
  zstd -dc "$archive" | tar -x -C "$work"
  echo "$sum" > "$work/$top.sha256"
}

# (b) the advisory database as a git repository ---------------------------------------------
bash scripts/rustsec-db.sh "$kit" "$db"

# (c) the lockfiles, and the OSV export for the database comparison --------------------------
unpack sboms/generated-sboms.tar.zst generated-sboms
unpack advisories/rustsec-osv.tar.zst rustsec-osv
lockdir="$work/generated-sboms/rust/cargo-lock-inputs"

mkdir -p "$work/raw" "$work/cargo-home"
printf '%-16s %6s %9s\n' lockfile vulns warnings
for name in "${locks[@]}"; do
  lock="$lockdir/$name.Cargo.lock"
  raw="$work/raw/$name.json"
  set +e
  (cd "$work" && CARGO_HOME="$work/cargo-home" "$audit_bin" audit \
    --no-fetch --stale --no-yanked --db "$db" --file "$lock" --json) > "$raw" 2> "$work/raw/$name.stderr"
  rc=$?
  set -e
  # Exit code 1 means "vulnerabilities found" only when the JSON report says so; anything else is
  # a real failure (the normaliser below checks that).
  python3 - "$raw" "$rc" "$name" "$audit_version" "$native_commit" > "$work/$name.fixture.json" <<'PY'
import json, sys
raw, rc, name, version, commit = sys.argv[1], int(sys.argv[2]), *sys.argv[3:]
try:
    report = json.load(open(raw, encoding="utf-8"))
except ValueError:
    sys.exit(f"error: cargo audit gave no JSON for {name} (exit {rc}); see {raw[:-5]}.stderr")
found = report["vulnerabilities"]["found"]
if rc not in (0, 1) or (rc == 1) != found:
    sys.exit(f"error: cargo audit exit {rc} for {name}, vulnerabilities.found={found}")
key = lambda e: (e["id"], e["package"], e["version"])
vulns = sorted(
    ({"id": v["advisory"]["id"], "package": v["package"]["name"], "version": v["package"]["version"]}
     for v in report["vulnerabilities"]["list"]),
    key=key,
)
warnings = []
for kind, entries in report["warnings"].items():
    if kind == "yanked":  # needs the crates.io index; disabled with --no-yanked anyway
        continue
    for w in entries:
        warnings.append({"id": w["advisory"]["id"], "package": w["package"]["name"],
                         "version": w["package"]["version"], "kind": w["kind"]})
warnings.sort(key=lambda e: (*key(e), e["kind"]))
doc = {"tool": f"cargo-audit {version}", "advisory_db_commit": commit,
       "lockfile": f"{name}.Cargo.lock", "vulnerabilities": vulns, "warnings": warnings}
print(json.dumps(doc, indent=2))
PY
  mv "$work/$name.fixture.json" "$out/$name.json"
  printf '%-16s %6s %9s\n' "$name" \
    "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["vulnerabilities"]))' "$out/$name.json")" \
    "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["warnings"]))' "$out/$name.json")"
done

# (d) where the OSV export (what cyres uses) and the native db (what cargo-audit uses) differ --
python3 scripts/rustsec-db-diff.py --native "$db" --osv "$work/rustsec-osv" \
  --locks "$lockdir" --fixtures "$out" --sboms "$work/generated-sboms/rust" > "$work/db-diff.md"
mv "$work/db-diff.md" "$out/db-diff.md"
echo "== wrote $out/{$(IFS=,; echo "${locks[*]}")}.json and db-diff.md"
