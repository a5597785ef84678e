"""Reads a `cyres repo` repository with python-tuf's ngclient (for the cyres repo_cli test).

Usage: ngclient_bins.py PUBLISHED_DIR TRUSTED_ROOT WORKDIR PARENT_ROLE TARGET...

Serves PUBLISHED_DIR on a loopback port of its own, refreshes (bootstrapping from TRUSTED_ROOT
only when WORKDIR holds no trusted metadata yet, so a second run checks rollback against the
first), downloads every TARGET and prints a JSON summary: per target its length, custom data
and the bin python-tuf's SuccinctRoles assigns it; the bit length of PARENT_ROLE's succinct
delegation; and which bin metadata files python-tuf fetched. Exits non-zero on any failure.
"""

import functools
import http.server
import json
import os
import sys
import threading

from tuf.api.metadata import Metadata
from tuf.ngclient import Updater


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main(published, trusted_root, workdir, parent, names):
    handler = functools.partial(QuietHandler, directory=published)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    meta_dir = os.path.join(workdir, "metadata")
    tgt_dir = os.path.join(workdir, "targets")
    first_run = not os.path.exists(os.path.join(meta_dir, "root.json"))
    os.makedirs(meta_dir, exist_ok=True)
    os.makedirs(tgt_dir, exist_ok=True)
    bootstrap = None
    if first_run:
        with open(trusted_root, "rb") as f:
            bootstrap = f.read()
    updater = Updater(
        metadata_dir=meta_dir,
        metadata_base_url=base + "/metadata/",
        target_dir=tgt_dir,
        target_base_url=base + "/targets/",
        bootstrap=bootstrap,
    )
    updater.refresh()
    out = {"downloads": {}}
    for name in names:
        info = updater.get_targetinfo(name)
        if info is None:
            raise SystemExit(f"target {name} not found")
        path = updater.download_target(info)
        with open(path, "rb") as f:
            content = f.read().decode()
        out["downloads"][name] = {"length": info.length, "custom": info.custom, "content": content}
    out["missing_is_none"] = updater.get_targetinfo("security/not-there.img") is None
    parent_md = Metadata.from_file(os.path.join(meta_dir, f"{parent}.json"))
    succinct = parent_md.signed.delegations.succinct_roles
    out["bit_length"] = succinct.bit_length
    out["bin_of"] = {name: succinct.get_role_for_target(name) for name in names}
    out["bins_fetched"] = sorted(
        f[: -len(".json")] for f in os.listdir(meta_dir) if f.startswith(succinct.name_prefix)
    )
    server.shutdown()
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
