#!/usr/bin/env python3
"""Regenerates the demo's router data from the real-data kit (issue 20, point 7):

- examples/firmware/openwrt-<release>.cdx.json: the kit's CycloneDX SBOMs of a TP-Link
  Archer C7 v2 image at OpenWrt 19.07.0, 21.02.0, 22.03.0 and 23.05.0 (facts from GPL-2.0 build
  recipes, see the kit's firmware/README.md), written compactly;
- examples/firmware/nvd-openwrt-demo.zip (one JSON file): the kit's NVD CVE API 2.0 records (US public
  domain) that name a vendor:product of those SBOMs (under any name of cyres's CPE alias
  table), abridged: configurations that name none of them are dropped, only the first CVSS vector of
  each version is kept, (they cannot give a
  finding on these SBOMs), so are references and non-English descriptions. Linux kernel records
  are left out (about 4,000 of them; the demo stays small).

Usage: python3 scripts/make-firmware-examples.py [KIT_UNPACKED_DIR] (default target/testdata,
where the tests unpack the kit).
"""
import glob
import json
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "target/testdata"
here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(here)
sboms = sorted(glob.glob(f"{root}/openwrt-firmware-sboms/openwrt-firmware-sboms/*.cdx.json"))
assert len(sboms) == 4, sboms

# cyres_version::cpe_alias, by group (keep in step with crates/cyres-version/src/cpe_alias.rs).
GROUPS = [
    ["dropbear_ssh_project:dropbear_ssh", "matt_johnston:dropbear_ssh_server", "matt_johnston:dropbear_ssh"],
    ["zlib:zlib", "gnu:zlib"],
    ["miniupnp_project:miniupnpd", "miniupnp.free:miniupnpd"],
    ["arm:mbed_tls", "arm:mbedtls", "polarssl:polarssl", "arm:polarssl", "trustedfirmware:mbed_tls", "trustedfirmware:mbedtls"],
    ["point-to-point_protocol_project:point-to-point_protocol", "samba:ppp", "ppp_project:ppp"],
    ["openbsd:openssh", "openssh:openssh"],
    ["libexpat_project:libexpat", "libexpat:expat", "expat_project:expat", "libexpat:libexpat"],
    ["json-c:json-c", "json-c_project:json-c"],
    ["haxx:curl", "haxx:libcurl"],
]

names = set()
out_dir = os.path.join(repo, "examples/firmware")
os.makedirs(out_dir, exist_ok=True)
for path in sboms:
    doc = json.load(open(path))
    release = os.path.basename(path).split("-")[1]
    with open(os.path.join(out_dir, f"openwrt-{release}.cdx.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"), ensure_ascii=False)
        f.write("\n")
    for c in doc.get("components", []) + [doc["metadata"]["component"]]:
        cpe = c.get("cpe")
        if cpe:
            p = cpe.split(":")
            names.add(f"{p[3]}:{p[4]}")
for g in GROUPS:
    if names & set(g):
        names |= set(g)
names.discard("linux:linux_kernel")


def named(criteria):
    p = criteria.split(":")
    return len(p) > 4 and f"{p[3]}:{p[4]}" in names


records = {}
for f in ["nvd-cve-2.0-converted-from-1.1-feeds.json", "nvd-cve-2.0-fkie-abridged.json"]:
    doc = json.load(open(f"{root}/nvd-firmware-subset/nvd-firmware-subset/nvd-api-2.0/{f}"))
    for item in doc["vulnerabilities"]:
        cve = item["cve"]
        configs = [
            c for c in cve.get("configurations", [])
            if any(named(m["criteria"]) for n in c.get("nodes", []) for m in n.get("cpeMatch", []))
        ]
        if not configs:
            continue
        slim = {k: cve[k] for k in ("id", "published", "lastModified", "vulnStatus") if k in cve}
        # Only the first vector of each CVSS version (what cyres reads).
        slim["metrics"] = {
            k: [{"cvssData": {"vectorString": v[0]["cvssData"]["vectorString"]}}]
            for k, v in cve.get("metrics", {}).items()
            if v and "cvssData" in v[0]
        }
        slim["descriptions"] = [d for d in cve.get("descriptions", []) if d.get("lang") == "en"][:1]
        slim["references"] = []
        slim["configurations"] = configs
        records[cve["id"]] = {"cve": slim}

out = {
    "format": "NVD_CVE",
    "version": "2.0",
    "totalResults": len(records),
    "vulnerabilities": [records[k] for k in sorted(records)],
}
# Zipped (deflate, fixed time stamp: the same input gives the same bytes): the JSON is 2 MB.
import zipfile

text = json.dumps(out, separators=(",", ":")) + "\n"
with zipfile.ZipFile(os.path.join(repo, "examples/firmware/nvd-openwrt-demo.zip"), "w") as z:
    info = zipfile.ZipInfo("nvd-openwrt-demo.json", date_time=(2026, 12, 6, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, text, compresslevel=9)
print(f"{len(records)} NVD records, {len(names)} vendor:product names")
