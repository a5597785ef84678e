#!/usr/bin/env bash
# Installs the version-order test oracles that crates/cyres-version's oracle tests compare
# against, under target/oracles/ (outside any CARGO_TARGET_DIR, shared by all builds):
#   target/oracles/py    a Python venv with `packaging` from PyPI (PEP 440 reference)
#   target/oracles/node  `npm install semver` (node-semver, npm's reference)
# dpkg (`dpkg --compare-versions`) comes from the machine. Idempotent: does nothing when the
# oracles are already there. Tests find them here or under $CYRES_ORACLES.
set -euo pipefail
cd "$(dirname "$0")/.."
root="${CYRES_ORACLES:-$PWD/target/oracles}"
mkdir -p "$root"

if ! "$root/py/bin/python" -c 'import packaging.version' 2>/dev/null; then
  echo "oracles: creating Python venv with packaging in $root/py"
  python3 -m venv "$root/py"
  "$root/py/bin/python" -m pip install --quiet 'packaging>=24'
fi

if [ ! -f "$root/node/node_modules/semver/package.json" ]; then
  echo "oracles: installing node semver in $root/node"
  mkdir -p "$root/node"
  (cd "$root/node" && [ -f package.json ] || echo '{"name":"cyres-oracles","private":true}' > package.json)
  (cd "$root/node" && npm install --silent --no-save semver@7)
fi

command -v dpkg >/dev/null || { echo "oracles: dpkg is missing (apt-get install dpkg)" >&2; exit 1; }
"$root/py/bin/python" -c 'import packaging; print("oracles: packaging", packaging.__version__)'
node -e "console.log('oracles: semver', require('$root/node/node_modules/semver/package.json').version)"
