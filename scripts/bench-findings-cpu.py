#!/usr/bin/env python3
"""CPU time and page faults of whole `cyres scan` processes, builds interleaved.

On a shared machine the mean of a block of runs of one build mostly measures what the other
jobs did during that block. This runs the builds in turn (old, new, old, new, ...), each run
under `perf stat -e task-clock,page-faults`, so every build sees the same load, and prints
the median and the minimum CPU time per build, the page faults and the load average.

Usage: bench-findings-cpu.py [--runs N] [--out FILE] LABEL=BIN ... -- SCAN ARGS...
  e.g. bench-findings-cpu.py old=target/cyres-old new=target/cyres-new -- \\
         scan --index target/bench-findings/rustsec.index --format json \\
         target/bench-findings/bounds.cdx.json
Standard output of the scans goes to /dev/null unless --out FILE is given (then `-o FILE`).
"""
import os
import statistics
import subprocess
import sys


def main(argv):
    runs, out, builds = 20, None, []
    while argv and argv[0] != "--":
        a = argv.pop(0)
        if a == "--runs":
            runs = int(argv.pop(0))
        elif a == "--out":
            out = argv.pop(0)
        else:
            label, _, path = a.partition("=")
            builds.append((label, path))
    if not argv or not builds:
        sys.exit(__doc__)
    args = argv[1:]
    if out:
        args = args[:1] + ["-o", out] + args[1:]
    stats = {label: ([], []) for label, _ in builds}
    load = [os.getloadavg()[0]]
    for _ in range(runs):
        for label, path in builds:
            r = subprocess.run(
                ["perf", "stat", "-x", ",", "-e", "task-clock,page-faults", path, *args],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            vals = {}
            for line in r.stderr.splitlines():
                f = line.split(",")
                if len(f) > 2 and f[2] in ("task-clock", "page-faults"):
                    vals[f[2]] = float(f[0])
            stats[label][0].append(vals["task-clock"])
            stats[label][1].append(vals["page-faults"])
    load.append(os.getloadavg()[0])
    print(f"{runs} runs each, interleaved; load average {min(load):.1f}-{max(load):.1f}")
    print(f"{'build':<12} {'CPU median [ms]':>16} {'CPU min [ms]':>13} {'page faults':>12}")
    for label, _ in builds:
        cpu, pf = stats[label]
        print(f"{label:<12} {statistics.median(cpu):16.2f} {min(cpu):13.2f} {statistics.median(pf):12.0f}")


if __name__ == "__main__":
    main(sys.argv[1:])
