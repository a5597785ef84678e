#!/usr/bin/env bash
# Installs python-tuf (the TUF reference implementation) into target/oracles/tuf-venv, for the
# cyres-tuf-client interop tests. Idempotent: does nothing when the venv already imports the
# pinned versions. Uses PyPI through pip only.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="target/oracles/tuf-venv"
tuf_version="7.0.1"
ssl_version="1.6.0"

if [ -x "$venv/bin/python" ] && "$venv/bin/python" - "$tuf_version" "$ssl_version" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
import cryptography  # noqa: F401  (securesystemslib[crypto])
sys.exit(0 if (version("tuf"), version("securesystemslib")) == (sys.argv[1], sys.argv[2]) else 1)
PY
then
  echo "python-tuf $tuf_version already in $venv"
  exit 0
fi

mkdir -p target/oracles
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "tuf==$tuf_version" "securesystemslib[crypto]==$ssl_version"
"$venv/bin/python" -c 'import tuf, securesystemslib; print("python-tuf", tuf.__version__, "installed")'
