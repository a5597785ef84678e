#!/usr/bin/env bash
# cyres-agent size and memory with TLS on (issue #19): the `release-agent` profile binary
# (`cargo build --profile release-agent -p cyres-agent`), stripped size; peak RSS of one `once`
# cycle over HTTPS (the first installs an update, the next finds nothing new) measured with
# /usr/bin/time -v; and the resident `run` loop's RSS. The repository (bench_repo example, N
# targets in the security channel) is served over HTTPS on loopback by Python's ssl module with
# a CA and server certificate made for the run (python-tuf's venv brings `cryptography`); the
# agent pins that CA (`ca_file`) and sends its state reports, with its token, to the same server.
#
# Usage: bash scripts/bench-agent.sh        (N=1000 by default). Loopback networking only.
set -euo pipefail
cd "$(dirname "$0")/.."

N="${N:-1000}"
target_dir="${CARGO_TARGET_DIR:-target}"
bash scripts/python-tuf.sh >/dev/null
py="target/oracles/tuf-venv/bin/python"

echo "== building (release-agent profile)" >&2
cargo build -q --profile release-agent -p cyres-agent
cargo build -q -p cyres-tuf --example bench_repo
agent="$target_dir/release-agent/cyres-agent"

work="$(mktemp -d)"
server_pid=""
agent_pid=""
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$target_dir/debug/examples/bench_repo" "$work/repo" "$N" >&2
mkdir -p "$work/tls"
"$py" - "$work/repo/published" "$work/tls" <<'PY' &
import datetime, functools, http.server, ipaddress, ssl, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

root, out = sys.argv[1], sys.argv[2]
now = datetime.datetime.now(datetime.timezone.utc)
def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
def cert(subject, issuer, key, signer, extensions):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(days=1))
         .not_valid_after(now + datetime.timedelta(days=7)))
    for ext, critical in extensions:
        b = b.add_extension(ext, critical=critical)
    return b.sign(signer, hashes.SHA256())
ca_key = ec.generate_private_key(ec.SECP256R1())
ca = cert(name("bench CA"), name("bench CA"), ca_key, ca_key,
          [(x509.BasicConstraints(ca=True, path_length=None), True)])
key = ec.generate_private_key(ec.SECP256R1())
leaf = cert(name("localhost"), ca.subject, key, ca_key, [
    (x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                  x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False),
    (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)])
pem = serialization.Encoding.PEM
open(f"{out}/ca.pem", "wb").write(ca.public_bytes(pem))
open(f"{out}/leaf.pem", "wb").write(leaf.public_bytes(pem))
open(f"{out}/key.pem", "wb").write(key.private_bytes(
    pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))

class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        auth = self.headers.get("Authorization") == "Bearer bench-token"
        with open(f"{out}/posts", "a") as f:
            f.write("token\n" if auth else "no-token\n")
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(f"{out}/leaf.pem", f"{out}/key.pem")
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(f"{out}/port.tmp", "w").write(str(srv.server_address[1]))
import os; os.rename(f"{out}/port.tmp", f"{out}/port")
srv.serve_forever()
PY
server_pid=$!
for _ in $(seq 100); do [ -f "$work/tls/port" ] && break; sleep 0.1; done
url="https://localhost:$(cat "$work/tls/port")"

mkdir -p "$work/device"
cat >"$work/device/config.toml" <<EOF
metadata_url = "$url/metadata"
targets_url = "$url/targets"
trusted_root = "$work/repo/published/metadata/1.root.json"
state_dir = "$work/device/state"
ca_file = "$work/tls/ca.pem"
server_url = "$url"
device_id = "bench-1"
device_token = "bench-token"
product = "gw"
hardware = "rev-b"
current_version = "1.0.0"
check_interval_secs = 1
jitter_secs = 0
[installer]
type = "command"
command = ["cp", "{file}", "$work/device/installed.img"]
EOF
cp -r "$work/device" "$work/device-once"
sed -i "s|$work/device/|$work/device-once/|g" "$work/device-once/config.toml"

peak() { /usr/bin/time -v "$agent" --config "$work/device-once/config.toml" once 2>&1 |
  awk -F': ' '/Maximum resident set size/ {print $2}'; }
once_first=$(peak)
once_idle=$(peak)
grep -q '"installed_version": "1.999.0"' "$work/device-once/state/state.json"
"$agent" --config "$work/device/config.toml" run 2>"$work/agent.log" &
agent_pid=$!
sleep 6
rss_kib=$(awk '/^VmRSS/ {print $2}' "/proc/$agent_pid/status")
kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=""
cycles=$(grep -c "up to date at 1.999.0" "$work/agent.log" || true)
reports=$(grep -c "^token$" "$work/tls/posts" || true)
size=$(stat -c %s "$agent")

cat <<EOF

cyres-agent with TLS (rustls + aws-lc-rs), release-agent profile ($N targets, HTTPS on loopback)
  stripped binary                      $size bytes ($(awk "BEGIN {printf \"%.2f\", $size / 1048576}") MiB)
  one cycle (once), peak RSS           first (installs 1.999.0) ${once_first} KiB, next ${once_idle} KiB
  run loop after 6 s (1 s interval)    VmRSS ${rss_kib} KiB ($cycles idle cycles, in child processes)
  state reports received over TLS with the device token: $reports
EOF
