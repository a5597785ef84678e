#!/usr/bin/env bash
# Installs the BSI CSAF validator library (npm @secvisogram/csaf-validator-lib, pinned) under
# target/oracles/csaf-validator/, the oracle that crates/cyres-csaf's tests run every generated
# CSAF document through (scripts/csaf-validate.mjs: schema + mandatory tests, optional tests as
# warnings). Idempotent: does nothing when the pinned version is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
version=2.0.10
root="${CYRES_ORACLES:-$PWD/target/oracles}/csaf-validator"
pkg="$root/node_modules/@secvisogram/csaf-validator-lib/package.json"
command -v node >/dev/null || { echo "csaf-validator: node is missing (apt-get install nodejs npm)" >&2; exit 1; }
if ! grep -q "\"version\": \"$version\"" "$pkg" 2>/dev/null; then
  echo "csaf-validator: installing @secvisogram/csaf-validator-lib@$version in $root"
  mkdir -p "$root"
  (cd "$root" && { [ -f package.json ] || echo '{"name":"cyres-csaf-validator","private":true}' > package.json; } \
    && npm install --silent --no-save "@secvisogram/csaf-validator-lib@$version")
fi
node -e "console.log('csaf-validator: @secvisogram/csaf-validator-lib', require('$pkg').version)"
