#!/usr/bin/env bash
# Benchmarks of issue #7 (secure updates):
#  1. refresh + verify + download one target from a 1,000-target repository, cyres-tuf-client
#     against python-tuf's ngclient on the same repository, served by the same loopback HTTP
#     server (python3 -m http.server), fresh client metadata every run.
# The cyres-agent's size and memory (with TLS): scripts/bench-agent.sh.
#
# Usage: bash scripts/bench-tuf.sh            (RUNS=10 N=1000 by default)
# Needs python3 and PyPI access once (scripts/python-tuf.sh). Uses only loopback networking.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-10}"
N="${N:-1000}"
target_dir="${CARGO_TARGET_DIR:-target}"

bash scripts/python-tuf.sh >/dev/null
py="target/oracles/tuf-venv/bin/python"

echo "== building (release)" >&2
cargo build --release -q -p cyres-tuf-client
cargo build --release -q -p cyres-tuf --example bench_repo
client="$target_dir/release/cyres-tuf-client"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$target_dir/release/examples/bench_repo" "$work/repo" "$N" >&2
root="$work/repo/published/metadata/1.root.json"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
python3 -m http.server --bind 127.0.0.1 "$port" --directory "$work/repo/published" \
  >/dev/null 2>&1 &
server_pid=$!
url="http://127.0.0.1:$port"
for _ in $(seq 50); do
  curl -sf "$url/metadata/timestamp.json" >/dev/null 2>&1 && break
  python3 -c "import urllib.request,sys; urllib.request.urlopen('$url/metadata/timestamp.json')" \
    2>/dev/null && break
  sleep 0.1
done
target="security/gw-1.500.0.img"

ratio() { awk "BEGIN {printf \"%.1f\", $1 / ($2 > 0 ? $2 : 1)}"; }

echo "== cyres-tuf-client: $RUNS runs" >&2
# Wall time and CPU time (getrusage of the child, microsecond resolution) per run.
read -r cyres_med cyres_cpu < <(python3 - "$client" "$url" "$root" "$work/c" "$target" "$RUNS" \
  "$work/repo/staged/targets" <<'PY'
import os, resource, statistics, subprocess, sys, time
client, url, root, work, target, runs, staged = sys.argv[1:8]
wall, cpu = [], []
for i in range(int(runs)):
    d = f"{work}{i}"
    subprocess.run([client, "--metadata-dir", f"{d}/meta", "init", root], check=True,
                   stderr=subprocess.DEVNULL)
    r0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run([client, "--metadata-dir", f"{d}/meta", "--metadata-url", f"{url}/metadata",
                    "--target-name", target, "--target-base-url", f"{url}/targets",
                    "--target-dir", f"{d}/targets", "download"], check=True,
                   stderr=subprocess.DEVNULL)
    t1, r1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    assert open(f"{d}/targets/{target}", "rb").read() == open(f"{staged}/{target}", "rb").read()
    wall.append((t1 - t0) * 1000)
    cpu.append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000)
print(round(statistics.median(wall), 1), round(statistics.median(cpu), 1))
PY
)

echo "== python-tuf ngclient (new process per run): $RUNS runs" >&2
read -r py_med py_cpu < <(python3 - "$py" "$url" "$root" "$work/p" "$target" "$RUNS" <<'PY'
import resource, statistics, subprocess, sys, time
py, url, root, work, target, runs = sys.argv[1:7]
script = "crates/cyres-tuf-client/tests/interop/ngclient_download.py"
wall, cpu = [], []
for i in range(int(runs)):
    r0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run([py, script, f"{url}/metadata", f"{url}/targets", root, f"{work}{i}", target],
                   check=True, stdout=subprocess.DEVNULL)
    t1, r1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    wall.append((t1 - t0) * 1000)
    cpu.append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000)
print(round(statistics.median(wall), 1), round(statistics.median(cpu), 1))
PY
)

echo "== python-tuf ngclient (in one warm process, imports excluded): $RUNS runs" >&2
py_warm=$("$py" - "$url" "$root" "$work/w" "$target" "$RUNS" <<'PY'
import os, statistics, sys, time
from tuf.ngclient import Updater
url, root, work, target, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
boot = open(root, "rb").read()
times, cpu = [], []
for i in range(runs):
    meta, tgt = f"{work}/{i}/meta", f"{work}/{i}/targets"
    os.makedirs(meta); os.makedirs(tgt)
    t0, c0 = time.perf_counter(), time.process_time()
    u = Updater(metadata_dir=meta, metadata_base_url=f"{url}/metadata/", target_dir=tgt,
                target_base_url=f"{url}/targets/", bootstrap=boot)
    u.refresh()
    u.download_target(u.get_targetinfo(target))
    times.append((time.perf_counter() - t0) * 1000)
    cpu.append((time.process_time() - c0) * 1000)
print(round(statistics.median(times), 1), round(statistics.median(cpu), 1))
PY
)

read -r py_warm py_warm_cpu <<<"$py_warm"

cat <<EOF

TUF benchmark ($N targets in the security role, consistent snapshots, loopback HTTP, $RUNS runs)
  refresh + verify + download $target, fresh metadata dir each run, medians:
                                               wall          CPU (user+sys)
    cyres-tuf-client (process)                 ${cyres_med} ms   ${cyres_cpu} ms
    python-tuf 7.0.1 ngclient (process)        ${py_med} ms   ${py_cpu} ms   -> $(ratio "$py_med" "$cyres_med")x wall, $(ratio "$py_cpu" "$cyres_cpu")x CPU
    python-tuf ngclient (warm, in-process)     ${py_warm} ms   ${py_warm_cpu} ms   -> $(ratio "$py_warm" "$cyres_med")x wall, $(ratio "$py_warm_cpu" "$cyres_cpu")x CPU
  (wall includes python3 -m http.server's latency, the same for both clients; the warm
   in-process python figure leaves out interpreter start and imports, which a device pays)
(cyres-agent size and memory: bash scripts/bench-agent.sh)
EOF
