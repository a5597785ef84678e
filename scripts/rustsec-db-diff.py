#!/usr/bin/env python3
"""Compare the kit's two RustSec snapshots for the five Rust lockfiles in the kit.

Why: `cyres scan` matches against the OSV export of RustSec (branch `osv`), while the
`cargo audit` oracle fixtures are made from the native TOML database (branch `main`). The two
snapshots are different commits, so a disagreement between cyres and cargo-audit can come from
the data rather than from a matcher bug. This script finds such data differences and prints a
Markdown report (crates/cyres/tests/fixtures/cargo-audit/db-diff.md, summarised in the README
there). It also marks which findings `cyres scan` can see in the kit's CycloneDX SBOMs: a
finding whose crate version has no `pkg:cargo` component there cannot be reported.

It evaluates three answers per lockfile and compares them:
  * `audit`  : the cargo-audit fixture (native db, rustsec's own matcher) - the oracle;
  * `osv`    : OSV `affected[].ranges` (SEMVER events) from the OSV export, withdrawn skipped,
               `database_specific.informational` decides vulnerability vs warning;
  * `native` : a plain reading of the native `[versions] patched/unaffected` requirements
               (vulnerable = matches neither), as a cross-check of the fixture.

Usage: rustsec-db-diff.py --native DIR --osv DIR --locks DIR --fixtures DIR --sboms DIR
(DIR = the unpacked `rustsec-native/`, `rustsec-osv/`, `generated-sboms/rust/cargo-lock-inputs/`,
the fixture folder and `generated-sboms/rust/`). Run by scripts/cargo-audit-fixtures.sh. Standard library only (python >= 3.11 for tomllib).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import unquote

LOCKS = ["ripgrep-11.0.0", "ripgrep-13.0.0", "ripgrep-head", "tough-develop", "rust-analyzer"]

# --- SemVer 2.0 precedence (semver.org §11); build metadata is ignored for precedence. ---------


def parse_version(text: str) -> tuple:
    """Return a sortable key for a SemVer version (partial versions are padded with zeros)."""
    core = text.strip().split("+", 1)[0]
    core, _, pre = core.partition("-")
    nums = [int(p) for p in core.split(".")]
    while len(nums) < 3:
        nums.append(0)
    if pre:
        ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
        return (nums[0], nums[1], nums[2], 0, ids)
    return (nums[0], nums[1], nums[2], 1, ())


def has_pre(text: str) -> bool:
    return "-" in text.split("+", 1)[0]


# --- Cargo VersionReq semantics (the `semver` crate / Cargo book "Specifying dependencies"). ---

COMPARATOR = re.compile(r"^\s*(=|>=|<=|>|<|~|\^)?\s*v?(\d+)(?:\.(\d+|\*))?(?:\.(\d+|\*))?(-[0-9A-Za-z.-]+)?\s*$")


def comparator_bounds(text: str):
    """Turn one comparator into (lower, lower_inclusive, upper, upper_inclusive, exact_core)."""
    m = COMPARATOR.match(text)
    if not m:
        raise ValueError(f"unsupported comparator {text!r}")
    op, major, minor, patch, pre = m.groups()
    op = op or "^"
    major = int(major)
    minor = None if minor in (None, "*") else int(minor)
    patch = None if patch in (None, "*") else int(patch)
    pre = pre[1:] if pre else ""

    def v(a, b, c, p=""):
        return parse_version(f"{a}.{b}.{c}" + (f"-{p}" if p else ""))

    lo = hi = None
    lo_inc = hi_inc = True
    if op == "=" or (op == "~" and minor is None):
        if minor is None:
            lo, hi, hi_inc = v(major, 0, 0), v(major + 1, 0, 0, "0"), False
        elif patch is None:
            lo, hi, hi_inc = v(major, minor, 0), v(major, minor + 1, 0, "0"), False
        else:
            lo = hi = v(major, minor, patch, pre)
    elif op == "~":
        lo = v(major, minor, patch or 0, pre)
        hi, hi_inc = v(major, minor + 1, 0, "0"), False
    elif op == "^":
        lo = v(major, minor or 0, patch or 0, pre)
        hi_inc = False
        if major > 0 or minor is None:
            hi = v(major + 1, 0, 0, "0")
        elif minor > 0 or patch is None:
            hi = v(0, minor + 1, 0, "0")
        else:
            hi = v(0, 0, patch + 1, "0")
    elif op == ">=":
        lo = v(major, minor or 0, patch or 0, pre)
    elif op == ">":
        lo_inc = False
        if minor is None:
            lo, lo_inc = v(major + 1, 0, 0, "0"), True
        elif patch is None:
            lo, lo_inc = v(major, minor + 1, 0, "0"), True
        else:
            lo = v(major, minor, patch, pre)
    elif op == "<":
        hi, hi_inc = v(major, minor or 0, patch or 0, (pre or "0") if patch is None else pre), False
    elif op == "<=":
        if minor is None:
            hi, hi_inc = v(major + 1, 0, 0, "0"), False
        elif patch is None:
            hi, hi_inc = v(major, minor + 1, 0, "0"), False
        else:
            hi = v(major, minor, patch, pre)
    core = (major, minor, patch) if pre else None
    return lo, lo_inc, hi, hi_inc, core


def req_matches(req: str, version: str) -> bool:
    """Does `version` satisfy the comma-separated requirement `req` (pre-release rule included)?"""
    key = parse_version(version)
    pre_ok = not has_pre(version)
    for part in req.split(","):
        lo, lo_inc, hi, hi_inc, core = comparator_bounds(part)
        if lo is not None and (key < lo or (key == lo and not lo_inc)):
            return False
        if hi is not None and (key > hi or (key == hi and not hi_inc)):
            return False
        if core is not None and tuple(key[:3]) == core:
            pre_ok = True
    return pre_ok


# --- Loading the two databases. ------------------------------------------------------------


def load_native(root: Path) -> dict:
    out = {}
    for path in sorted((root / "crates").glob("*/RUSTSEC-*.md")):
        text = path.read_text(encoding="utf-8")
        m = re.search(r"```toml\n(.*?)\n```", text, re.S)
        doc = tomllib.loads(m.group(1))
        adv = doc["advisory"]
        vers = doc.get("versions", {})
        out[adv["id"]] = {
            "package": adv["package"],
            "withdrawn": adv.get("withdrawn"),
            "informational": adv.get("informational"),
            "patched": vers.get("patched", []),
            "unaffected": vers.get("unaffected", []),
            "aliases": adv.get("aliases", []),
        }
    return out


def load_osv(root: Path) -> dict:
    out = {}
    for path in sorted((root / "crates").glob("RUSTSEC-*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        affected = rec.get("affected", [])
        out[rec["id"]] = {
            "package": affected[0]["package"]["name"] if affected else None,
            "withdrawn": rec.get("withdrawn"),
            "informational": (affected[0].get("database_specific") or {}).get("informational")
            if affected
            else None,
            "affected": affected,
            "aliases": rec.get("aliases", []),
            "modified": rec.get("modified"),
        }
    return out


def native_vulnerable(adv: dict, version: str) -> bool:
    reqs = adv["patched"] + adv["unaffected"]
    return not any(req_matches(r, version) for r in reqs)


def osv_vulnerable(adv: dict, name: str, version: str) -> bool:
    """OSV `affected[].ranges` evaluation (OSV schema, "Evaluation" section) for SEMVER ranges."""
    key = parse_version(version)
    for aff in adv["affected"]:
        if aff["package"]["name"] != name:
            continue
        if version in (aff.get("versions") or []):
            return True
        for rng in aff.get("ranges", []):
            if rng["type"] != "SEMVER":
                continue
            inside = False
            # Events are ordered; walk them by version so unsorted input still works.
            events = sorted(
                ((parse_version(next(iter(e.values()))), next(iter(e))) for e in rng["events"]),
                key=lambda t: (t[0], t[1] != "introduced"),
            )
            for ev_key, kind in events:
                if ev_key > key:
                    break
                if kind == "introduced":
                    inside = True
                elif kind == "fixed":
                    inside = False
                elif kind == "last_affected":
                    inside = inside and ev_key == key
            if inside:
                return True
    return False


def kind_of(informational) -> str:
    return "vulnerability" if not informational else informational


# --- Per-lockfile answers. -------------------------------------------------------------------


def lock_packages(path: Path):
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    # Every entry, whatever its source: cargo-audit (rustsec 0.33) checks only crates.io entries,
    # but a name/version matcher would not know that; `explain` points out such rows.
    for pkg in doc.get("package", []):
        yield pkg["name"], pkg["version"]


def sbom_packages(path: Path) -> tuple[set, set]:
    """(name, version) of the CycloneDX components with a `pkg:cargo` purl (purl spec: the version
    is percent-decoded, so `%2B` becomes the `+` of SemVer build metadata), and of those without."""
    with_purl, without = set(), set()
    stack = list(json.loads(path.read_text(encoding="utf-8")).get("components", []))
    while stack:
        comp = stack.pop()
        stack.extend(comp.get("components", []))
        purl = comp.get("purl") or ""
        if purl.startswith("pkg:cargo/") and "@" in purl:
            name, _, version = purl[len("pkg:cargo/"):].split("?", 1)[0].split("#", 1)[0].partition("@")
            with_purl.add((unquote(name), unquote(version)))
        else:
            without.add((comp.get("name"), comp.get("version")))
    return with_purl, without


def answers(db: dict, lock: Path, vulnerable) -> set:
    by_pkg: dict[str, list[str]] = {}
    for adv_id, adv in db.items():
        if adv["withdrawn"] or adv["package"] is None:
            continue
        by_pkg.setdefault(adv["package"], []).append(adv_id)
    found = set()
    for name, version in lock_packages(lock):
        for adv_id in by_pkg.get(name, []):
            adv = db[adv_id]
            if adv["informational"] not in (None, "unmaintained", "unsound", "notice"):
                continue
            if vulnerable(adv, name, version):
                found.add((adv_id, name, version, kind_of(adv["informational"])))
    return found


def fixture_answers(path: Path) -> set:
    doc = json.loads(path.read_text(encoding="utf-8"))
    found = {(v["id"], v["package"], v["version"], "vulnerability") for v in doc["vulnerabilities"]}
    found |= {(w["id"], w["package"], w["version"], w["kind"]) for w in doc["warnings"]}
    return found


def explain(adv_id: str, native: dict, osv: dict, row: tuple, lock: Path) -> str:
    n, o = native.get(adv_id), osv.get(adv_id)
    doc = tomllib.loads(lock.read_text(encoding="utf-8"))
    local = any(
        p["name"] == row[1] and p["version"] == row[2] and "source" not in p for p in doc.get("package", [])
    )
    if local:
        return ("not a database difference: the lockfile entry has no `source` (a workspace path crate "
                "built from the project itself); rustsec 0.33 only checks crates.io packages, so "
                "cargo-audit skips it. Both databases call this version affected. In the SBOM the "
                "component has no purl.")
    if n is None:
        return "only in the OSV export (not in native `main`)"
    if o is None:
        return "only in native `main` (not yet in the OSV export)"
    reasons = []
    if bool(n["withdrawn"]) != bool(o["withdrawn"]):
        reasons.append(f"withdrawn native={n['withdrawn']} osv={o['withdrawn']}")
    if n["informational"] != o["informational"]:
        reasons.append(f"informational native={n['informational']} osv={o['informational']}")
    if not reasons:
        reasons.append(
            f"affected ranges differ: native patched={n['patched']} unaffected={n['unaffected']}; "
            f"osv events={[r['events'] for a in o['affected'] for r in a.get('ranges', [])]}"
        )
    return "; ".join(reasons)


def listed(ids, db: dict) -> str:
    return ", ".join("`%s` (%s)" % (i, db[i]["package"]) for i in ids) or "none"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--native", type=Path, required=True)
    ap.add_argument("--osv", type=Path, required=True)
    ap.add_argument("--locks", type=Path, required=True)
    ap.add_argument("--fixtures", type=Path, required=True)
    ap.add_argument("--sboms", type=Path, required=True, help="folder with <name>.cdx.json")
    args = ap.parse_args()

    native = load_native(args.native)
    osv = load_osv(args.osv)
    out = []
    p = out.append

    only_native = sorted(set(native) - set(osv))
    only_osv = sorted(set(osv) - set(native))
    p("# RustSec OSV export vs native database, for the kit's five lockfiles\n")
    p("Generated by `scripts/cargo-audit-fixtures.sh` (via `scripts/rustsec-db-diff.py`); do not edit. "
      "OSV export: rustsec/advisory-db branch `osv` 7fa931cb90251ad2affbddac32885f3ed29a63eb; "
      "native: branch `main` bf5c0d245a92671908518d7e765914d437954ed6.\n")
    p("### Whole-database differences (crate advisories)\n")
    p(f"- native `main`: {len(native)} crate advisories; OSV export: {len(osv)}.")
    p(f"- only in native: {listed(only_native, native)}")
    p(f"- only in OSV: {listed(only_osv, osv)}")
    for i in only_osv:
        twins = sorted(
            j for j in native
            if native[j]["package"] == osv[i]["package"] and set(native[j]["aliases"]) & set(osv[i]["aliases"])
        )
        if twins:
            both = " (also present in the OSV export: a duplicate)" if twins[0] in osv else ""
            p(f"  - `{i}` is the same advisory as native `{twins[0]}`{both}: same crate and aliases "
              f"({', '.join(osv[i]['aliases'])}); a stale placeholder id. A scanner on the OSV export "
              f"reports both ids for `{osv[i]['package']}`; cargo-audit reports only `{twins[0]}`.")
    wd = sorted(i for i in set(native) & set(osv) if bool(native[i]["withdrawn"]) != bool(osv[i]["withdrawn"]))
    inf = sorted(i for i in set(native) & set(osv) if native[i]["informational"] != osv[i]["informational"])
    pk = sorted(i for i in set(native) & set(osv) if native[i]["package"] != osv[i]["package"])
    p(f"- withdrawn in one only: {', '.join(f'`{i}`' for i in wd) or 'none'}")
    inf_text = ", ".join(
        "`%s` (native %s, osv %s)" % (i, native[i]["informational"], osv[i]["informational"]) for i in inf
    )
    p(f"- informational kind differs: {inf_text or 'none'}")
    p(f"- package differs: {', '.join(f'`{i}`' for i in pk) or 'none'}")
    p(f"- withdrawn (either db, never reported): native {sum(1 for a in native.values() if a['withdrawn'])}, "
      f"OSV {sum(1 for a in osv.values() if a['withdrawn'])}")
    p("")

    # Range differences, restricted to crates that occur in the five lockfiles: evaluate both
    # databases at every version that appears in a lockfile or as a bound in either database.
    lock_versions: dict[str, set[str]] = {}
    for name in LOCKS:
        for pkg, ver in lock_packages(args.locks / f"{name}.Cargo.lock"):
            lock_versions.setdefault(pkg, set()).add(ver)
    p("### Range differences for crates in the five lockfiles\n")
    range_diffs = []
    for i in sorted(set(native) & set(osv)):
        crate = native[i]["package"]
        if crate not in lock_versions:
            continue
        probes = set(lock_versions[crate])
        for r in native[i]["patched"] + native[i]["unaffected"]:
            for m in re.finditer(r"\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.-]+)?", r):
                probes.add(m.group(0))
        for a in osv[i]["affected"]:
            for rng in a.get("ranges", []):
                for e in rng["events"]:
                    probes.add(next(iter(e.values())))
        # Pre-release bounds such as `0.3.1-0` are how the export encodes `> 0.3.0`; probing them
        # only exercises the pre-release rule, so keep pre-releases that occur in a lockfile only.
        probes = {v for v in probes if not has_pre(v)} | lock_versions[crate]
        bad = sorted(
            (v for v in probes
             if native_vulnerable(native[i], v) != osv_vulnerable(osv[i], crate, v)),
            key=parse_version,
        )
        if bad:
            range_diffs.append(i)
            hit = sorted(set(bad) & lock_versions[crate])
            p(f"- `{i}` ({crate}): disagree at {', '.join(bad)}"
              f"{' (lockfile versions: ' + ', '.join(hit) + ')' if hit else ' (no lockfile version affected)'}")
    if not range_diffs:
        p("- none: for every advisory on a crate in the lockfiles, both databases give the same answer "
          "at every lockfile version and at every range bound.")
    p("")

    p("### Per lockfile\n")
    p("`audit` = cargo-audit fixture (native db); `osv` = OSV export evaluated with OSV range rules; "
      "`native` = plain reading of native `patched`/`unaffected`; `sbom` = the crate version is a "
      "`pkg:cargo` component of `<name>.cdx.json`, so `cyres scan` on the SBOM can see it. "
      "Rows without a note are in all four.\n")
    for name in LOCKS:
        lock = args.locks / f"{name}.Cargo.lock"
        audit = fixture_answers(args.fixtures / f"{name}.json")
        from_osv = answers(osv, lock, lambda a, n, v: osv_vulnerable(a, n, v))
        from_native = answers(native, lock, lambda a, n, v: native_vulnerable(a, v))
        in_sbom, no_purl = sbom_packages(args.sboms / f"{name}.cdx.json")
        expected = {r for r in from_osv if (r[1], r[2]) in in_sbom}
        n_vuln = sum(1 for x in expected if x[3] == "vulnerability")
        p(f"#### {name}\n")
        p(f"cargo-audit: {sum(1 for x in audit if x[3] == 'vulnerability')} vulnerabilities, "
          f"{sum(1 for x in audit if x[3] != 'vulnerability')} warnings. "
          f"Expected from `cyres scan` on `{name}.cdx.json`: {n_vuln} vulnerabilities, "
          f"{len(expected) - n_vuln} warnings.\n")
        rows = sorted(audit | from_osv | from_native)
        if not rows:
            p("- (no advisory matches)")
        for row in rows:
            notes = [t for t, s in (("audit", audit), ("osv", from_osv), ("native", from_native)) if row not in s]
            notes = [f"not in {t}" for t in notes]
            if (row[1], row[2]) in no_purl:
                notes.append("in the SBOM without a purl (workspace path crate), so not matchable by purl")
            elif (row[1], row[2]) not in in_sbom:
                notes.append("not in the SBOM (dev/build-only dependency chain that cargo-sbom leaves out; "
                             "cargo-audit checks every lockfile entry)")
            p(f"- {row[0]} {row[1]} {row[2]} ({row[3]})" + (f" — {'; '.join(notes)}" if notes else ""))
        diffs = sorted((audit ^ from_osv) | (audit ^ from_native))
        if diffs:
            p("\nDatabase/matcher disagreements:")
            for row in diffs:
                p(f"- {row[0]} {row[1]} {row[2]}: {explain(row[0], native, osv, row, lock)}")
        else:
            p("\nNo database disagreement: audit, osv and native give the same set.")
        p("")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
