"""Builds a small TUF repository with python-tuf's Metadata API, for the cyres interop test.

Usage: make_repo.py OUTDIR

Writes OUTDIR/metadata (1.root.json, 2.root.json after a root key rotation, versioned
targets/delegated/snapshot files, timestamp.json) and OUTDIR/targets (hash-prefixed files, as
consistent snapshots require). Top-level targets delegates `security/*` to a role `security`
with its own key. Prints a JSON summary on stdout.
"""

import json
import os
import sys
from datetime import datetime, timedelta, timezone

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    MetaFile,
    Metadata,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer


def main(out):
    meta_dir = os.path.join(out, "metadata")
    tgt_dir = os.path.join(out, "targets")
    os.makedirs(meta_dir, exist_ok=True)
    expires = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=30)
    signers = {r: CryptoSigner.generate_ed25519() for r in ("root", "targets", "snapshot", "timestamp", "security")}
    ser = JSONSerializer(compact=False)

    root = Metadata(Root(expires=expires, consistent_snapshot=True))
    for role in ("root", "targets", "snapshot", "timestamp"):
        root.signed.add_key(signers[role].public_key, role)
    root.sign(signers["root"])
    root.to_file(os.path.join(meta_dir, "1.root.json"), ser)

    # Root v2: rotate the root key; v2 is signed by the old and the new key.
    new_root_signer = CryptoSigner.generate_ed25519()
    root.signed.revoke_key(signers["root"].public_key.keyid, "root")
    root.signed.add_key(new_root_signer.public_key, "root")
    root.signed.version = 2
    root.signatures.clear()
    root.sign(signers["root"], append=True)
    root.sign(new_root_signer, append=True)
    root.to_file(os.path.join(meta_dir, "2.root.json"), ser)

    files = {
        "readme.txt": b"made by python-tuf\n",
        "security/gw-1.0.1.bin": b"security fix from python-tuf",
    }

    def write_target(path, data, tf):
        for h in tf.hashes.values():
            d, _, base = path.rpartition("/")
            full = os.path.join(tgt_dir, d, f"{h}.{base}")
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(data)

    sec = Metadata(Targets(expires=expires))
    tf = TargetFile.from_data("security/gw-1.0.1.bin", files["security/gw-1.0.1.bin"], ["sha256", "sha512"])
    tf.unrecognized_fields["custom"] = {"product": "gw", "hardware": "rev-b", "version": "1.0.1", "channel": "security",
                 "fixes": ["CVE-2024-3094"], "min_version": "1.0.0"}
    sec.signed.targets[tf.path] = tf
    write_target(tf.path, files[tf.path], tf)
    sec.sign(signers["security"])
    sec.to_file(os.path.join(meta_dir, "1.security.json"), ser)

    targets = Metadata(Targets(expires=expires))
    tf = TargetFile.from_data("readme.txt", files["readme.txt"], ["sha256"])
    targets.signed.targets[tf.path] = tf
    write_target(tf.path, files[tf.path], tf)
    key = signers["security"].public_key
    targets.signed.delegations = Delegations(
        keys={key.keyid: key},
        roles={"security": DelegatedRole("security", [key.keyid], 1, True, paths=["security/*"])},
    )
    targets.sign(signers["targets"])
    targets.to_file(os.path.join(meta_dir, "1.targets.json"), ser)

    snapshot = Metadata(Snapshot(expires=expires))
    snapshot.signed.meta["targets.json"] = MetaFile(1)
    snapshot.signed.meta["security.json"] = MetaFile(1)
    snapshot.sign(signers["snapshot"])
    snapshot.to_file(os.path.join(meta_dir, "1.snapshot.json"), ser)

    with open(os.path.join(meta_dir, "1.snapshot.json"), "rb") as f:
        snap_bytes = f.read()
    timestamp = Metadata(Timestamp(expires=expires))
    timestamp.signed.snapshot_meta = MetaFile(1, length=len(snap_bytes), hashes=None)
    timestamp.sign(signers["timestamp"])
    timestamp.to_file(os.path.join(meta_dir, "timestamp.json"), ser)

    print(json.dumps({"root_version": 2, "targets": sorted(files)}))


if __name__ == "__main__":
    main(sys.argv[1])
