#!/usr/bin/env bash
# The Debian packages the test suite drives as real programs, installed when missing:
#   chromium, chromium-driver  the web UI's end-to-end test (headless Chromium via chromedriver)
#   poppler-utils              pdftotext, to read the text of generated declaration PDFs
#   gnupg                      gpg, a real OpenPGP peer: verifies the CSAF provider's signatures
#                              as aggregators do, and signs the CSAF lister's test provider
# scripts/test.sh runs this first; run it yourself (as root, or with sudo) to prepare a machine.
# Without root it only checks, and names what is missing.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v gpg >/dev/null 2>&1 || need+=(gnupg)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "error: the test suite needs the Debian packages: ${need[*]} (apt-get install ${need[*]}, or run this script as root)" >&2
  exit 2
fi
echo "== installing ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
