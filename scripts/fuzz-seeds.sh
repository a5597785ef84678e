#!/usr/bin/env bash
# Builds the fuzz seed corpora, fuzz/corpus/<target>/ (git-ignored), from the real-data kit
# plus the small hand-made seeds committed under fuzz/seeds/<target>/. Idempotent: existing
# corpus files (including what earlier fuzzing found) are kept; seeds are added by content hash.
#
#   scripts/fuzz-seeds.sh            # kit at $CYRES_KIT or ../shared/data
#
# Large kit files are left out (over 64 KiB): libFuzzer mutates small inputs far faster, and
# the parsers' handling of size is covered by their own tests.
set -euo pipefail
cd "$(dirname "$0")/.."

kit="${CYRES_KIT:-../shared/data}"
if [ ! -f "$kit/README.md" ]; then
  echo "error: the real-data kit was not found at $kit (set CYRES_KIT)." >&2
  exit 2
fi
kit="$(cd "$kit" && pwd)"

unpacked=fuzz/target/kit
if [ ! -f "$unpacked/.done" ]; then
  echo "== unpacking the kit into $unpacked"
  rm -rf "$unpacked"
  mkdir -p "$unpacked"
  find "$kit" -name '*.tar.zst' -print0 | while IFS= read -r -d '' a; do
    zstd -q -dc "$a" | tar -x -C "$unpacked"
  done
  touch "$unpacked/.done"
fi

mkdir -p fuzz/corpus
python3 - "$unpacked" "$kit" fuzz/corpus fuzz/seeds <<'PY'
import hashlib, io, json, os, random, sys, tarfile, zipfile, subprocess

kit_dir, kit_root, out_root, seeds_root = sys.argv[1:5]
MAX = 64 * 1024
rng = random.Random(13)  # the same seeds on every run
counts = {}

def add(target, data):
    if isinstance(data, str):
        data = data.encode()
    if not data or len(data) > MAX:
        return
    d = os.path.join(out_root, target)
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, hashlib.sha1(data).hexdigest())
    if not os.path.exists(p):
        with open(p, "wb") as f:
            f.write(data)
    counts[target] = counts.get(target, 0) + 1

def files(sub, *exts):
    base = os.path.join(kit_dir, sub)
    for root, _, names in os.walk(base):
        for n in sorted(names):
            if n.lower().endswith(exts):
                yield os.path.join(root, n)

def read(p):
    with open(p, "rb") as f:
        return f.read()

def sample(paths, n):
    paths = sorted(paths)
    return paths if len(paths) <= n else rng.sample(paths, n)

def load_json(p):
    try:
        return json.loads(read(p))
    except Exception:
        return None

# --- SBOMs -----------------------------------------------------------------------------
sbom_dirs = ["cyclonedx-bom-examples", "spdx-examples", "osv-scanner-sboms",
             "generated-sboms", "openwrt-firmware-sboms"]
for d in sbom_dirs:
    for p in files(d, ".json"):
        data = read(p)
        if b'"bomFormat"' in data:
            add("sbom_cyclonedx_json", data)
        elif b'"spdxVersion"' in data:
            add("sbom_spdx_json", data)
    for p in files(d, ".xml"):
        data = read(p)
        if b"cyclonedx" in data:
            add("sbom_cyclonedx_xml", data)
    for p in files(d, ".spdx", ".tv", ".txt"):
        data = read(p)
        if b"SPDXVersion:" in data:
            add("sbom_spdx_tag_value", data)
    for p in files(d, ".yaml", ".yml"):
        add("sbom_spdx_yaml", read(p))
# Large real SBOMs cut down to their first components, so real shapes stay in the corpus.
for d in sbom_dirs:
    for p in files(d, ".json"):
        doc = load_json(p)
        if not isinstance(doc, dict):
            continue
        for key, target in (("components", "sbom_cyclonedx_json"), ("packages", "sbom_spdx_json")):
            if isinstance(doc.get(key), list) and len(doc[key]) > 20:
                small = dict(doc)
                small[key] = doc[key][:20]
                small.pop("dependencies", None)
                small.pop("relationships", None)
                add(target, json.dumps(small, indent=1))

# --- advisories ------------------------------------------------------------------------
osv_json = (sample(files("rustsec-osv", ".json"), 150) + sample(files("golang-osv", ".json"), 150)
            + sample(files("ghsa-subset", ".json"), 100) + list(files("osv-schema", ".json"))
            + list(files("redhat-csaf-real", ".json")))
for p in osv_json:
    add("osv_json", read(p))
osv_yaml = sample(files("pypa-osv", ".yaml"), 300)
for p in osv_yaml:
    add("osv_yaml", read(p))

kev = load_json(os.path.join(kit_root, "advisories/cisa-kev/known_exploited_vulnerabilities.json"))
kev_docs = []
if kev:
    vulns = kev["vulnerabilities"]
    head = {k: v for k, v in kev.items() if k != "vulnerabilities"}
    for i in range(0, min(len(vulns), 600), 3):
        doc = dict(head, vulnerabilities=vulns[i:i + 3])
        kev_docs.append(json.dumps(doc, indent=2))
        add("kev", kev_docs[-1])

nvd_docs = []
for p in files("nvd-firmware-subset/nvd-api-2.0", ".json"):
    doc = load_json(p)
    if not isinstance(doc, dict):
        continue
    head = {k: v for k, v in doc.items() if k != "vulnerabilities"}
    for item in doc.get("vulnerabilities", [])[:300]:
        nvd_docs.append(json.dumps(dict(head, vulnerabilities=[item]), indent=1))
        add("nvd", nvd_docs[-1])
        for node in (c for conf in item.get("cve", {}).get("configurations", [])
                     for c in conf.get("nodes", [])):
            for m in node.get("cpeMatch", []):
                if "criteria" in m:
                    add("cpe", m["criteria"])
for p in files("openwrt-firmware-sboms", ".json"):
    doc = load_json(p) or {}
    for c in doc.get("components", []) if isinstance(doc, dict) else []:
        if isinstance(c, dict) and c.get("cpe"):
            add("cpe", c["cpe"])
        if isinstance(c, dict) and c.get("purl"):
            add("purl", c["purl"])

# Archives of a few small advisories each, in every format the importer reads.
small = [read(p) for p in osv_json[:60] if len(read(p)) < 6000]
small_yaml = [read(p) for p in osv_yaml[:60] if len(read(p)) < 6000]
def members(i):
    out = [(f"osv/{i}-a.json", small[i % len(small)]), (f"osv/{i}-b.yaml", small_yaml[i % len(small_yaml)])]
    if i % 3 == 0 and kev_docs:
        out.append(("kev.json", kev_docs[i % len(kev_docs)].encode()))
    if i % 4 == 0 and nvd_docs:
        out.append(("nvd/cve.json", nvd_docs[i % len(nvd_docs)].encode()))
    return out
def tar_bytes(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()
if small and small_yaml:
    for i in range(20):
        entries = members(i)
        z = io.BytesIO()
        with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED if i % 2 else zipfile.ZIP_STORED) as f:
            for name, data in entries:
                f.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)
        add("archive_zip", z.getvalue())
        t = tar_bytes(entries)
        add("archive_tar", t)
        gz = io.BytesIO()
        import gzip
        with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0) as g:
            g.write(t)
        add("archive_tar_gz", gz.getvalue())
        add("archive_tar_zst", subprocess.run(["zstd", "-q", "-c", "-19"], input=t,
                                               capture_output=True, check=True).stdout)

# --- TUF -------------------------------------------------------------------------------
role_byte = {"root": 0, "targets": 1, "snapshot": 2, "timestamp": 3}
for p in files("tuf-static", ".json"):
    data = read(p)
    doc = load_json(p)
    add("tuf_cjson", data)
    if isinstance(doc, dict) and isinstance(doc.get("signed"), dict):
        b = role_byte.get(doc["signed"].get("_type"))
        if b is not None:
            add("tuf_metadata", bytes([b]) + data)

# --- purl, versions, vers --------------------------------------------------------------
for p in files("purl-spec", ".json"):
    doc = load_json(p)
    tests = doc.get("tests", []) if isinstance(doc, dict) else doc if isinstance(doc, list) else []
    for t in tests:
        if not isinstance(t, dict):
            continue
        for k in ("input", "expected_output", "purl", "canonical_purl"):
            if isinstance(t.get(k), str):
                add("purl", t[k])

# The first byte picks the order (fuzz/src/lib.rs `order_for`).
order_byte = {"semver": 0, "pub": 4, "pypi": 5, "maven": 6, "nuget": 7, "rubygems": 8,
              "debian": 9, "alpine": 10, "redhat": 11, "packagist": 12, "cran": 13, "hackage": 14}
for p in files("osv-scalibr-semantic", ".txt"):
    eco = os.path.basename(p).split("-versions")[0]
    if eco not in order_byte:
        continue
    for line in read(p).decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in ("<", ">", "="):
            add("version_order", bytes([order_byte[eco]]) + f"{parts[0]}\0{parts[2]}".encode())
for p in files("vers-spec/tests", ".json"):
    doc = load_json(p) or {}
    for t in doc.get("tests", []):
        inp = t.get("input")
        if isinstance(inp, dict) and isinstance(inp.get("vers"), str):
            extra = inp.get("version") or ""
            add("vers", f"{inp['vers']}\0{extra}" if extra else inp["vers"])
        if isinstance(t.get("expected_output"), str) and t["expected_output"].startswith("vers:"):
            add("vers", t["expected_output"])
        if isinstance(inp, dict) and isinstance(inp.get("input_scheme"), str):
            versions = inp.get("versions") or []
            if len(versions) >= 2 and all(isinstance(v, str) for v in versions[:3]):
                add("version_order", bytes([15]) + "\0".join(versions[:3]).encode())

# --- committed hand-made seeds ---------------------------------------------------------
for target in sorted(os.listdir(seeds_root)):
    for root, _, names in os.walk(os.path.join(seeds_root, target)):
        for n in names:
            add(target, read(os.path.join(root, n)))

for target in sorted(counts):
    print(f"{target:22} {counts[target]:5} seeds")
PY
