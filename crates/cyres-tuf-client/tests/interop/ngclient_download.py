"""Drives python-tuf's ngclient.Updater against a repository (for the cyres interop test).

Usage: ngclient_download.py METADATA_URL TARGETS_URL TRUSTED_ROOT WORKDIR TARGET...

Bootstraps from TRUSTED_ROOT (python-tuf 7's `bootstrap`), refreshes, downloads each TARGET into
WORKDIR/targets and prints a JSON summary (trusted versions, downloaded paths, custom data).
Exits non-zero on any failure.
"""

import json
import os
import sys

from tuf.ngclient import Updater


def main(metadata_url, targets_url, trusted_root, workdir, names):
    meta_dir = os.path.join(workdir, "metadata")
    tgt_dir = os.path.join(workdir, "targets")
    os.makedirs(meta_dir, exist_ok=True)
    os.makedirs(tgt_dir, exist_ok=True)
    with open(trusted_root, "rb") as f:
        root_bytes = f.read()
    updater = Updater(
        metadata_dir=meta_dir,
        metadata_base_url=metadata_url.rstrip("/") + "/",
        target_dir=tgt_dir,
        target_base_url=targets_url.rstrip("/") + "/",
        bootstrap=root_bytes,
    )
    updater.refresh()
    out = {"downloads": {}}
    for name in names:
        info = updater.get_targetinfo(name)
        if info is None:
            raise SystemExit(f"target {name} not found")
        path = updater.download_target(info)
        out["downloads"][name] = {"path": path, "custom": info.custom, "length": info.length}
    out["versions"] = {}
    for role in ("root", "timestamp", "snapshot", "targets"):
        with open(os.path.join(meta_dir, f"{role}.json")) as f:
            out["versions"][role] = json.load(f)["signed"]["version"]
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
