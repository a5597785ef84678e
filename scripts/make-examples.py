#!/usr/bin/env python3
"""Regenerates examples/advisories/ from the real-data kit.

The example advisories keep the real ids, aliases, affected ranges, severities and dates of
their sources, but none of their prose: `details` is dropped and `summary` is replaced by the
text below, written for cyres. Sources and licences: RustSec (CC0-1.0), the Go vulnerability
database (CC-BY-4.0), the PyPA advisory database (CC-BY-4.0), the GitHub Advisory Database
(CC-BY-4.0), CISA KEV (CC0-1.0).

Usage: python3 scripts/make-examples.py [KIT]   (KIT defaults to ../shared/data)
"""
import io
import json
import os
import sys
import tarfile
import subprocess

KIT = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CYRES_KIT", "../shared/data")
OUT = os.path.join(os.path.dirname(__file__), "..", "examples", "advisories")

# (archive, path inside it, our own summary)
PICKS = [
    ("advisories/rustsec-osv.tar.zst", "rustsec-osv/crates/RUSTSEC-2022-0013.json",
     "Compiling a regular expression with many repeated empty sub-expressions takes very long, "
     "so untrusted patterns can stall a service."),
    ("advisories/golang-osv.tar.zst", "golang-osv/data/osv/GO-2023-2102.json",
     "An HTTP/2 server keeps working on streams a client has already reset, so a client that "
     "opens and cancels streams quickly can exhaust it."),
    ("advisories/ghsa-osv-subset.tar.zst", "ghsa-subset/advisories/GHSA-qppj-fm5r-hxr3.json",
     "HTTP/2 'Rapid Reset': a client that opens and immediately cancels many streams makes the "
     "server do unbounded work (denial of service); exploited in the wild in 2023."),
    ("advisories/ghsa-osv-subset.tar.zst", "ghsa-subset/advisories/GHSA-c9hw-wf7x-jp9j.json",
     "The AJP connector trusts the requests it receives too far: an attacker who reaches it can "
     "read files of the web application and, where uploads are allowed, run code ('Ghostcat')."),
    ("advisories/pypa-osv.tar.zst", "pypa-osv/vulns/pillow/PYSEC-2023-175.yaml",
     "Wheels ship a bundled libwebp with a heap buffer overflow that crafted WebP images reach."),
    ("advisories/pypa-osv.tar.zst", "pypa-osv/vulns/jinja2/PYSEC-2019-217.yaml",
     "Templates running in the sandbox can escape it through str.format_map and run code."),
    ("advisories/pypa-osv.tar.zst", "pypa-osv/vulns/urllib3/PYSEC-2019-132.yaml",
     "An attacker who controls part of a request (such as a query parameter) can inject "
     "CR/LF characters and so add headers or split the HTTP request."),
]

KEV = {
    "CVE-2023-44487": "HTTP/2 Rapid Reset denial of service",
    "CVE-2020-1938": "Apache Tomcat AJP file read and inclusion (Ghostcat)",
    "CVE-2023-4863": "libwebp heap buffer overflow",
}


def read_member(archive, member):
    raw = subprocess.run(["zstd", "-dc", os.path.join(KIT, archive)], check=True,
                         capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        return tar.extractfile(member).read().decode()


def main():
    os.makedirs(OUT, exist_ok=True)
    for archive, member, summary in PICKS:
        text = read_member(archive, member)
        name = os.path.basename(member)
        if name.endswith(".yaml"):
            # Drop the prose lines of the YAML record and put our summary in front; the rest is
            # structure (ids, ranges, versions), copied as is.
            out, skipping = [], False
            for line in text.splitlines():
                if line.startswith("details:") or line.startswith("summary:"):
                    skipping = True
                    continue
                if skipping and line.startswith("  "):
                    continue
                skipping = False
                out.append(line)
            body = "summary: " + json.dumps(summary) + "\n" + "\n".join(out) + "\n"
        else:
            record = json.loads(text)
            record.pop("details", None)
            record["summary"] = summary
            body = json.dumps(record, indent=2, sort_keys=True) + "\n"
        with open(os.path.join(OUT, name), "w") as f:
            f.write(body)
    kev = json.load(open(os.path.join(KIT, "advisories/cisa-kev/known_exploited_vulnerabilities.json")))
    keep = []
    for v in kev["vulnerabilities"]:
        if v["cveID"] in KEV:
            keep.append({k: v[k] for k in ("cveID", "vendorProject", "product", "dateAdded",
                                          "dueDate", "knownRansomwareCampaignUse", "cwes")
                         if k in v} | {"vulnerabilityName": KEV[v["cveID"]]})
    out = {"title": "CISA KEV (excerpt for the cyres examples)",
           "catalogVersion": kev["catalogVersion"], "dateReleased": kev["dateReleased"],
           "count": len(keep), "vulnerabilities": keep}
    with open(os.path.join(OUT, "..", "kev.json"), "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
