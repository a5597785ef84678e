#!/usr/bin/env python3
"""Regenerates examples/portfolio/: the demo's firmware-like product (issue 17 point 10).

"EdgeGate 500", an industrial IoT gateway: an OpenWrt base system (the components of
examples/firmware/openwrt-*.cdx.json, themselves made from the kit by
make-firmware-examples.py) plus a Django management web app and a Go cloud agent, over three
releases, about 300 components each:

  4.0.0  OpenWrt 21.02.0 base, app and agent set OLD
  4.1.0  OpenWrt 22.03.0 base, app and agent set OLD  (same app versions: decisions carry over)
  4.2.0  OpenWrt 22.03.0 base, app and agent set NEW  (some versions bumped: suggestions)

Advisories: every PyPA and Go record in the kit naming one of the app's or agent's packages,
with their real ids, aliases, affected ranges, severities and dates, but none of their prose
(`details` dropped, `summary` rewritten from the record's facts), zipped as advisories.zip;
kev.json is the excerpt of the kit's CISA KEV catalogue whose CVEs those records or the NVD
records of examples/firmware/nvd-openwrt-demo.zip name. Sources and licences: the PyPA
advisory database and the Go vulnerability database (CC-BY-4.0), CISA KEV (CC0-1.0), OpenWrt
Makefiles (facts). The output is deterministic: the same kit gives the same bytes.

Usage: python3 scripts/make-demo-portfolio.py [KIT]   (KIT defaults to ../shared/data)
"""
import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile

KIT = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CYRES_KIT", "../shared/data")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "examples", "portfolio")

# The management web app (PyPI): (name, version in 4.0.0/4.1.0, version in 4.2.0, licence).
PYTHON = [
    ("django", "2.2.10", "3.2.19", "BSD-3-Clause"),
    ("pillow", "6.2.1", "6.2.1", "HPND"),
    ("jinja2", "2.10.1", "2.10.1", "BSD-3-Clause"),
    ("urllib3", "1.24.1", "1.26.5", "MIT"),
    ("requests", "2.19.1", "2.31.0", "Apache-2.0"),
    ("pyyaml", "5.1", "5.4", "MIT"),
    ("cryptography", "2.8", "2.8", "Apache-2.0"),
    ("paramiko", "2.4.1", "2.4.1", "LGPL-2.1-or-later"),
    ("lxml", "4.5.2", "4.5.2", "BSD-3-Clause"),
    ("werkzeug", "0.15.3", "2.2.3", "BSD-3-Clause"),
    ("flask", "1.0", "1.0", "BSD-3-Clause"),
    ("aiohttp", "3.7.3", "3.7.3", "Apache-2.0"),
    ("twisted", "19.10.0", "19.10.0", "MIT"),
    ("sqlparse", "0.4.1", "0.4.4", "BSD-3-Clause"),
    ("certifi", "2019.11.28", "2019.11.28", "MPL-2.0"),
    ("idna", "2.8", "2.8", "BSD-3-Clause"),
    ("setuptools", "41.0.1", "41.0.1", "MIT"),
    ("pip", "19.2.3", "19.2.3", "MIT"),
    ("babel", "2.8.0", "2.8.0", "BSD-3-Clause"),
    ("gunicorn", "19.9.0", "19.9.0", "MIT"),
    ("redis", "3.3.11", "3.3.11", "MIT"),
    ("celery", "4.4.0", "4.4.0", "BSD-3-Clause"),
    ("six", "1.14.0", "1.14.0", "MIT"),
    ("pytz", "2019.3", "2019.3", "MIT"),
    ("chardet", "3.0.4", "3.0.4", "LGPL-2.1-or-later"),
    ("markupsafe", "1.1.1", "1.1.1", "BSD-3-Clause"),
    ("itsdangerous", "1.1.0", "1.1.0", "BSD-3-Clause"),
    ("click", "7.0", "7.0", "BSD-3-Clause"),
    ("asgiref", "3.2.3", "3.2.3", "BSD-3-Clause"),
    ("kombu", "4.6.7", "4.6.7", "BSD-3-Clause"),
    # The fleet-management minion: SaltStack's CVE-2020-11651/11652 are in CISA KEV.
    ("salt", "2019.2.3", "3000.2", "Apache-2.0"),
    ("attrs", "19.3.0", "19.3.0", "MIT"),
    ("packaging", "20.1", "20.1", "Apache-2.0"),
    ("pyparsing", "2.4.6", "2.4.6", "MIT"),
    ("python-dateutil", "2.8.1", "2.8.1", "Apache-2.0"),
    ("decorator", "4.4.1", "4.4.1", "BSD-2-Clause"),
    ("wrapt", "1.11.2", "1.11.2", "BSD-2-Clause"),
    ("cffi", "1.13.2", "1.13.2", "MIT"),
    ("pycparser", "2.19", "2.19", "BSD-3-Clause"),
    ("bcrypt", "3.1.7", "3.1.7", "Apache-2.0"),
    ("pynacl", "1.3.0", "1.3.0", "Apache-2.0"),
    ("psycopg2", "2.8.4", "2.8.4", "LGPL-3.0-or-later"),
    ("sqlalchemy", "1.3.12", "1.3.12", "MIT"),
    ("mako", "1.1.0", "1.1.0", "MIT"),
    ("msgpack", "0.6.2", "0.6.2", "Apache-2.0"),
    ("protobuf", "3.11.2", "3.11.2", "BSD-3-Clause"),
    ("pyzmq", "18.1.1", "18.1.1", "BSD-3-Clause"),
    ("tornado", "5.1.1", "5.1.1", "Apache-2.0"),
    ("pycryptodomex", "3.9.4", "3.9.4", "BSD-2-Clause"),
    ("distro", "1.4.0", "1.4.0", "Apache-2.0"),
    ("websockets", "8.1", "8.1", "BSD-3-Clause"),
    ("zipp", "0.6.0", "0.6.0", "MIT"),
    ("importlib-metadata", "1.3.0", "1.3.0", "Apache-2.0"),
    ("more-itertools", "8.0.2", "8.0.2", "MIT"),
    ("vine", "1.3.0", "1.3.0", "BSD-3-Clause"),
    ("amqp", "2.5.2", "2.5.2", "BSD-3-Clause"),
    ("billiard", "3.6.1.0", "3.6.1.0", "BSD-3-Clause"),
    ("djangorestframework", "3.11.0", "3.11.0", "BSD-3-Clause"),
    ("django-cors-headers", "3.2.0", "3.2.0", "MIT"),
    ("whitenoise", "5.0.1", "5.0.1", "MIT"),
]
# The cloud agent (Go modules): (module, version old, version new, licence).
GO = [
    ("golang.org/x/net", "v0.7.0", "v0.17.0", "BSD-3-Clause"),
    ("golang.org/x/crypto", "v0.0.0-20200622213623-75b288015ac9", "v0.17.0", "BSD-3-Clause"),
    ("golang.org/x/text", "v0.3.5", "v0.3.8", "BSD-3-Clause"),
    ("golang.org/x/sys", "v0.0.0-20200930185726-fdedc70b468f", "v0.13.0", "BSD-3-Clause"),
    ("google.golang.org/grpc", "v1.53.0", "v1.53.0", "Apache-2.0"),
    ("google.golang.org/protobuf", "v1.28.1", "v1.28.1", "BSD-3-Clause"),
    ("github.com/gorilla/websocket", "v1.4.0", "v1.4.0", "BSD-2-Clause"),
    ("github.com/gin-gonic/gin", "v1.6.3", "v1.9.1", "MIT"),
    ("github.com/prometheus/client_golang", "v1.11.0", "v1.11.1", "Apache-2.0"),
    ("gopkg.in/yaml.v2", "v2.2.2", "v2.2.8", "Apache-2.0"),
    ("github.com/dgrijalva/jwt-go", "v3.2.0+incompatible", "v3.2.0+incompatible", "MIT"),
    ("github.com/eclipse/paho.mqtt.golang", "v1.3.5", "v1.3.5", "EPL-2.0"),
    ("github.com/sirupsen/logrus", "v1.8.1", "v1.8.1", "MIT"),
    ("github.com/spf13/cobra", "v1.1.3", "v1.1.3", "Apache-2.0"),
    ("github.com/miekg/dns", "v1.1.25", "v1.1.25", "BSD-3-Clause"),
    ("github.com/hashicorp/go-getter", "v1.4.0", "v1.7.0", "MPL-2.0"),
    ("github.com/containerd/containerd", "v1.4.3", "v1.4.3", "Apache-2.0"),
    ("github.com/opencontainers/runc", "v1.0.0-rc9", "v1.0.0-rc9", "Apache-2.0"),
    ("github.com/docker/distribution", "v2.7.1+incompatible", "v2.7.1+incompatible", "Apache-2.0"),
    ("github.com/ulikunitz/xz", "v0.5.7", "v0.5.8", "BSD-3-Clause"),
    # The Go runtime the agent was built with (its standard library).
    ("stdlib", "1.12.9", "1.20.10", "BSD-3-Clause"),
    ("github.com/google/uuid", "v1.1.1", "v1.1.1", "BSD-3-Clause"),
    ("github.com/pkg/errors", "v0.9.1", "v0.9.1", "BSD-2-Clause"),
    ("github.com/golang/protobuf", "v1.4.3", "v1.4.3", "BSD-3-Clause"),
    ("github.com/json-iterator/go", "v1.1.10", "v1.1.10", "MIT"),
    ("github.com/modern-go/reflect2", "v1.0.1", "v1.0.1", "Apache-2.0"),
    ("github.com/mattn/go-isatty", "v0.0.12", "v0.0.12", "MIT"),
    ("go.uber.org/zap", "v1.16.0", "v1.16.0", "MIT"),
    ("go.uber.org/atomic", "v1.7.0", "v1.7.0", "MIT"),
    ("go.uber.org/multierr", "v1.6.0", "v1.6.0", "MIT"),
    ("github.com/fsnotify/fsnotify", "v1.4.9", "v1.4.9", "BSD-3-Clause"),
    ("github.com/spf13/pflag", "v1.0.5", "v1.0.5", "BSD-3-Clause"),
    ("github.com/spf13/viper", "v1.7.1", "v1.7.1", "MIT"),
    ("github.com/mitchellh/mapstructure", "v1.3.3", "v1.3.3", "MIT"),
    ("github.com/pelletier/go-toml", "v1.8.1", "v1.8.1", "MIT"),
    ("github.com/beorn7/perks", "v1.0.1", "v1.0.1", "MIT"),
    ("github.com/cespare/xxhash/v2", "v2.1.1", "v2.1.1", "MIT"),
    ("github.com/prometheus/common", "v0.26.0", "v0.26.0", "Apache-2.0"),
    ("github.com/prometheus/procfs", "v0.6.0", "v0.6.0", "Apache-2.0"),
    ("github.com/prometheus/client_model", "v0.2.0", "v0.2.0", "Apache-2.0"),
    ("github.com/go-playground/validator/v10", "v10.2.0", "v10.2.0", "MIT"),
    ("github.com/ugorji/go/codec", "v1.1.7", "v1.1.7", "MIT"),
    ("github.com/gogo/protobuf", "v1.3.1", "v1.3.1", "BSD-3-Clause"),
    ("github.com/emicklei/go-restful", "v2.9.5+incompatible", "v2.9.5+incompatible", "MIT"),
    ("github.com/nats-io/nats-server/v2", "v2.1.9", "v2.1.9", "Apache-2.0"),
    ("github.com/tidwall/gjson", "v1.6.0", "v1.6.0", "MIT"),
    ("github.com/satori/go.uuid", "v1.2.0", "v1.2.0", "MIT"),
    ("github.com/labstack/echo/v4", "v4.1.16", "v4.1.16", "MIT"),
    ("github.com/valyala/fasthttp", "v1.16.0", "v1.16.0", "MIT"),
    ("github.com/coreos/etcd", "v3.3.10+incompatible", "v3.3.10+incompatible", "Apache-2.0"),
]

RELEASES = [
    # (version, OpenWrt base, app set index: 0 old, 1 new)
    ("4.0.0", "21.02.0", 0),
    ("4.1.0", "22.03.0", 0),
    ("4.2.0", "22.03.0", 1),
]


def tar_members(archive):
    raw = subprocess.run(["zstd", "-dc", os.path.join(KIT, archive)], check=True,
                         capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            if m.isfile() and (m.name.endswith(".json") or m.name.endswith(".yaml")):
                yield m.name, tar.extractfile(m).read().decode()


def load_yaml(text):
    import yaml  # PyYAML; the PyPA records are YAML
    return yaml.safe_load(text)


def plain(o):
    """JSON for what YAML reads as a time: RFC 3339 in UTC, as OSV writes it."""
    import datetime
    if isinstance(o, datetime.datetime):
        if o.tzinfo is not None:
            o = o.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return o.strftime("%Y-%m-%dT%H:%M:%SZ")
    raise TypeError(f"{type(o).__name__} is not JSON")


def fixed_of(rec):
    for a in rec.get("affected", []):
        for r in a.get("ranges", []):
            for e in r.get("events", []):
                if "fixed" in e:
                    return e["fixed"]
    return None


def rewrite(rec, package):
    """The record without prose; a summary made of its facts."""
    rec = dict(rec)
    rec.pop("details", None)
    rec.pop("database_specific", None)
    ids = [a for a in rec.get("aliases", []) if a.startswith("CVE-")]
    fixed = fixed_of(rec)
    summary = f"Vulnerability in {package}"
    if fixed:
        summary += f", fixed in {fixed}"
    if ids:
        summary += f" ({ids[0]})"
    rec["summary"] = summary
    return rec


def advisories():
    out = {}
    pynames = {p[0] for p in PYTHON}
    for name, text in tar_members("advisories/pypa-osv.tar.zst"):
        parts = name.split("/")
        if len(parts) >= 3 and parts[-3] == "vulns" and parts[-2] in pynames and name.endswith(".yaml"):
            rec = load_yaml(text)
            if rec.get("withdrawn"):
                continue
            out[rec["id"]] = rewrite(rec, parts[-2])
    gonames = {g[0] for g in GO}
    for name, text in tar_members("advisories/golang-osv.tar.zst"):
        if "/data/osv/" not in name or not name.endswith(".json"):
            continue
        rec = json.loads(text)
        pkgs = [a.get("package", {}).get("name") for a in rec.get("affected", [])]
        hit = [p for p in pkgs if p in gonames]
        if hit and not rec.get("withdrawn"):
            out[rec["id"]] = rewrite(rec, hit[0])
    return out


def kev_excerpt(records):
    cves = set()
    for rec in records.values():
        cves.update(a for a in rec.get("aliases", []) if a.startswith("CVE-"))
    with zipfile.ZipFile(os.path.join(ROOT, "examples/firmware/nvd-openwrt-demo.zip")) as z:
        for n in z.namelist():
            data = json.loads(z.read(n))
            for v in data.get("vulnerabilities", []):
                cves.add(v["cve"]["id"])
    with open(os.path.join(KIT, "advisories/cisa-kev/known_exploited_vulnerabilities.json")) as f:
        kev = json.load(f)
    vulns = sorted((v for v in kev["vulnerabilities"] if v["cveID"] in cves),
                   key=lambda v: v["cveID"])
    keep = ("cveID", "vendorProject", "product", "vulnerabilityName", "dateAdded", "dueDate",
            "knownRansomwareCampaignUse")
    return {
        "title": "CISA Catalog of Known Exploited Vulnerabilities (excerpt for the cyres demo)",
        "catalogVersion": kev.get("catalogVersion"),
        "dateReleased": kev.get("dateReleased"),
        "count": len(vulns),
        "vulnerabilities": [{k: v[k] for k in keep if k in v} for v in vulns],
    }


def component(kind, name, version, licence):
    purl = f"pkg:pypi/{name}@{version}" if kind == "pypi" else f"pkg:golang/{name}@{version}"
    return {
        "type": "library",
        "bom-ref": purl,
        "name": name,
        "version": version,
        "licenses": [{"license": {"id": licence}}],
        "purl": purl,
        "supplier": {"name": "EdgeGate web app" if kind == "pypi" else "EdgeGate cloud agent"},
    }


def sbom(version, base, new):
    with open(os.path.join(ROOT, f"examples/firmware/openwrt-{base}.cdx.json")) as f:
        wrt = json.load(f)
    comps = list(wrt["components"])
    app = [component("pypi", n, (o, nv)[new], lic) for n, o, nv, lic in PYTHON]
    agent = [component("golang", n, (o, nv)[new], lic) for n, o, nv, lic in GO]
    comps += app + agent
    root = f"edgegate-500@{version}"
    deps = list(wrt.get("dependencies", []))
    deps = [d for d in deps if d.get("ref") != wrt["metadata"]["component"]["bom-ref"]]
    deps.append({"ref": root, "dependsOn": [c["bom-ref"] for c in wrt["components"]]
                 + ["edgegate-web", "edgegate-agent"]})
    comps.append({"type": "application", "bom-ref": "edgegate-web", "name": "edgegate-web",
                  "version": version, "licenses": [{"license": {"id": "LicenseRef-Proprietary"}}]})
    comps.append({"type": "application", "bom-ref": "edgegate-agent", "name": "edgegate-agent",
                  "version": version, "licenses": [{"license": {"id": "LicenseRef-Proprietary"}}]})
    deps.append({"ref": "edgegate-web", "dependsOn": [c["bom-ref"] for c in app]})
    deps.append({"ref": "edgegate-agent", "dependsOn": [c["bom-ref"] for c in agent]})
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": f"urn:uuid:00000000-0000-4000-8000-0000000{version.replace('.', '')}00"[:45],
        "version": 1,
        "metadata": {
            "timestamp": "2026-12-06T00:00:00Z",
            "tools": {"components": [{"type": "application", "name": "make-demo-portfolio.py", "version": "1"}]},
            "supplier": {"name": "Brightline Industrial"},
            "component": {
                "type": "firmware",
                "bom-ref": root,
                "name": "edgegate-500",
                "version": version,
                # The OpenWrt base as the running-on platform for NVD's AND configurations.
                "cpe": wrt["metadata"]["component"]["cpe"],
            },
        },
        "components": comps,
        "dependencies": deps,
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    recs = advisories()
    buf = os.path.join(OUT, "advisories.zip")
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for rid in sorted(recs):
            info = zipfile.ZipInfo(f"{rid}.json", date_time=(2026, 12, 6, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, json.dumps(recs[rid], sort_keys=True, separators=(",", ":"), default=plain))
    with open(os.path.join(OUT, "kev.json"), "w") as f:
        json.dump(kev_excerpt(recs), f, indent=1, sort_keys=True)
        f.write("\n")
    for version, base, new in RELEASES:
        doc = sbom(version, base, new)
        with open(os.path.join(OUT, f"edgegate-500-{version}.cdx.json"), "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print(f"edgegate-500 {version}: {len(doc['components'])} components")
    print(f"{len(recs)} advisories, kev excerpt written to {OUT}")


if __name__ == "__main__":
    main()
