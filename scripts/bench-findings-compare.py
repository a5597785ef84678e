#!/usr/bin/env python3
"""Compares cargo-audit's answer with cyres's on the same Cargo.lock (scripts/bench-findings.sh).

Both answers are reduced to (advisory id, crate, version) with the informational kind (None for
a vulnerability). Every difference is listed with its reason when it is a known, explained one;
an unexplained difference makes the script exit 1.

Known reasons:
  pre-release  cargo-audit decides with semver requirements (`patched = [">= 1.2.3"]`), and a
               requirement matches a pre-release version only when one of its comparators names
               the same major.minor.patch with a pre-release (the `semver` crate's rule, as
               Cargo's). So `1.3.0-alpha` is outside `>= 1.2.3`, and cargo-audit calls it
               vulnerable, while the OSV export (which cyres reads) orders versions by SemVer
               precedence, where 1.2.3 <= 1.3.0-alpha: not affected. Neither is wrong about its
               own data model; real lockfiles rarely pin pre-releases, and the cargo-audit oracle
               on the kit's real lockfiles stays exact.
  duplicate    RUSTSEC-2025-0000 is a stale placeholder only in the OSV export, the same
               advisory as RUSTSEC-2025-0065 (see crates/cyres/tests/fixtures/cargo-audit/db-diff.md).
  same vulnerability
               RustSec has a few advisories filed twice for one vulnerability, both naming the
               same CVE and GHSA (RUSTSEC-2022-0075 and RUSTSEC-2022-0098, wasmtime,
               CVE-2022-39393). cargo-audit lists each; cyres merges records that share an alias
               into one finding per vulnerability (ARCHITECTURE.md, cyres-vuln) and reports it
               under one of the ids, with the shared aliases. Explained when cyres reports, for
               the same crate and version, a finding whose id or aliases meet the advisory's.

Usage: bench-findings-compare.py AUDIT_JSON CYRES_JSON
"""
import json
import re
import sys

PRE = re.compile(r"^\d+\.\d+\.\d+-")


ALIASES = {}   # cargo-audit's advisory id -> its id and aliases
NAMES = {}     # (crate, version) -> ids and aliases of cyres's findings there


def audit(path):
    r = json.load(open(path, encoding="utf-8"))
    out = {}
    for v in r["vulnerabilities"]["list"]:
        ALIASES[v["advisory"]["id"]] = {v["advisory"]["id"], *v["advisory"].get("aliases", [])}
        out[(v["advisory"]["id"], v["package"]["name"], v["package"]["version"])] = None
    for kind, items in r["warnings"].items():
        if kind == "yanked":
            continue
        for w in items:
            adv = w.get("advisory") or {}
            if not adv.get("id"):
                continue
            out[(adv["id"], w["package"]["name"], w["package"]["version"])] = w.get("kind", kind)
    return out


def cyres(path):
    r = json.load(open(path, encoding="utf-8"))
    for f in r["findings"]:
        names = NAMES.setdefault((f["component"]["name"], f["component"]["version"]), set())
        names.update([f["id"], *f.get("aliases", [])])
    return {
        (f["id"], f["component"]["name"], f["component"]["version"]): f.get("informational")
        for f in r["findings"]
    }


def reason(key, only_in):
    ident, _crate, version = key
    if ident == "RUSTSEC-2025-0000" and only_in == "cyres":
        return "duplicate"
    if PRE.match(version):
        return "pre-release"
    if only_in == "cargo-audit" and ALIASES.get(ident, set()) & NAMES.get((_crate, version), set()):
        return "same vulnerability"
    return None


def main():
    theirs, ours = audit(sys.argv[1]), cyres(sys.argv[2])
    count = lambda d, info: sum(1 for k in d.values() if (k is not None) == info)
    print(
        f"  cargo-audit: {count(theirs, False)} vulnerabilities, {count(theirs, True)} warnings; "
        f"cyres: {count(ours, False)} vulnerabilities, {count(ours, True)} informational"
    )
    unexplained = 0
    by_reason = {}
    for only_in, mine, other in (("cargo-audit", theirs, ours), ("cyres", ours, theirs)):
        for key in sorted(set(mine) - set(other)):
            why = reason(key, only_in)
            by_reason.setdefault((only_in, why), []).append(key)
            if why is None:
                unexplained += 1
    for key in sorted(set(theirs) & set(ours)):
        if theirs[key] != ours[key]:
            by_reason.setdefault(("kind differs", None), []).append(key)
            unexplained += 1
    for (only_in, why), keys in sorted(by_reason.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        label = f"only {only_in}" if only_in != "kind differs" else only_in
        print(f"  {label}: {len(keys)} ({why or 'UNEXPLAINED'}), e.g. {', '.join(' '.join(k) for k in keys[:3])}")
    if not by_reason:
        print("  identical")
    if unexplained:
        print(f"  {unexplained} unexplained differences", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
