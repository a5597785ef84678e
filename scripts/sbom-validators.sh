#!/usr/bin/env bash
# Installs the validators that crates/cyres-sbom's writer tests check generated SBOMs with,
# under target/oracles/sbom (or $CYRES_ORACLES/sbom): a Python venv with
#   cyclonedx-python-lib[json-validation]  the official CycloneDX JSON schemas (bom-1.6) + jsonschema
#   spdx-tools                             the SPDX project's parser and SPDX 2.3 validator
# Idempotent: does nothing when they are already there. scripts/sbom-validate.py runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
root="${CYRES_ORACLES:-$PWD/target/oracles}"
venv="$root/sbom"
if ! "$venv/bin/python" -c 'import cyclonedx.validation.json, spdx_tools.spdx.validation.document_validator, jsonschema' 2>/dev/null; then
  echo "sbom validators: creating Python venv in $venv"
  mkdir -p "$root"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet 'cyclonedx-python-lib[json-validation]>=8' 'spdx-tools>=0.8'
fi
"$venv/bin/python" -c 'import importlib.metadata as m; print("sbom validators: cyclonedx-python-lib", m.version("cyclonedx-python-lib"), "spdx-tools", m.version("spdx-tools"))'
