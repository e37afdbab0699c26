#!/usr/bin/python3
"""Write a tiny single-layer OCI image layout (oci-layout, index.json, blobs) for the self-test.

Usage: make_oci_image.py DIR [--tag TAG] [--payload TEXT] [--size BYTES]
Prints the manifest digest. The layer is a tar compressed like `gzip -n` (no name, mtime 0), so equal inputs give
equal digests.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile


def write_blob(root, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(root, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return "sha256:" + digest


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--tag", default="latest")
    p.add_argument("--payload", default="hello from berth's registry self-test\n")
    p.add_argument("--size", type=int, default=0, help="extra pseudo-random bytes in a second file")
    a = p.parse_args(argv)
    os.makedirs(os.path.join(a.dir, "blobs", "sha256"), exist_ok=True)

    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.PAX_FORMAT) as tar:
        files = [("hello.txt", a.payload.encode())]
        if a.size:
            seed = hashlib.sha256(a.payload.encode()).digest()
            out, block = bytearray(), seed
            while len(out) < a.size:
                block = hashlib.sha256(block).digest()
                out += block
            files.append(("data.bin", bytes(out[:a.size])))
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    raw = tar_bytes.getvalue()
    layer = gzip.compress(raw, mtime=0)

    config = {
        "architecture": "amd64", "os": "linux",
        "config": {"Cmd": ["/hello.txt"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]},
        "history": [{"created_by": "make_oci_image.py"}],
    }
    config_bytes = json.dumps(config, separators=(",", ":")).encode()
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": write_blob(a.dir, config_bytes), "size": len(config_bytes)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": write_blob(a.dir, layer), "size": len(layer)}],
    }
    manifest_bytes = json.dumps(manifest, separators=(",", ":")).encode()
    manifest_digest = write_blob(a.dir, manifest_bytes)
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [{"mediaType": manifest["mediaType"], "digest": manifest_digest,
                            "size": len(manifest_bytes),
                            "annotations": {"org.opencontainers.image.ref.name": a.tag}}]}
    with open(os.path.join(a.dir, "index.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(a.dir, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    print(manifest_digest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
