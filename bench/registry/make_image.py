#!/usr/bin/python3
"""Writes an OCI image layout for the registry benchmark: N layers of SIZE
pseudo-random bytes each (incompressible, so no tool can take a shortcut),
a config and a manifest, tagged TAG. Prints the manifest digest. Layers are
labelled tar+gzip so that skopeo --preserve-digests moves them as they are
(registries never look inside a layer).

Usage: make_image.py DIR --layers N --layer-size BYTES [--tag TAG] [--seed S]
"""
import argparse
import hashlib
import json
import os
import random


def write_blob(root, data=None, path=None):
    blobs = os.path.join(root, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    if path is None:
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(blobs, digest), "wb") as f:
            f.write(data)
        return "sha256:" + digest, len(data)
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    os.replace(path, os.path.join(blobs, digest))
    return "sha256:" + digest, os.path.getsize(os.path.join(blobs, digest))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--layer-size", type=int, required=True)
    p.add_argument("--tag", default="v1")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    rng = random.Random(a.seed)
    layers, diff_ids = [], []
    for i in range(a.layers):
        tmp = os.path.join(a.dir, "layer.tmp")
        with open(tmp, "wb") as f:
            left = a.layer_size
            while left > 0:
                n = min(left, 1 << 22)
                f.write(rng.randbytes(n))
                left -= n
        digest, size = write_blob(a.dir, path=tmp)
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest, "size": size})
        diff_ids.append(digest)
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    cdigest, csize = write_blob(a.dir, config)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cdigest, "size": csize},
                           "layers": layers}).encode()
    mdigest, msize = write_blob(a.dir, manifest)
    with open(os.path.join(a.dir, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mdigest,
                   "size": msize, "annotations": {"org.opencontainers.image.ref.name": a.tag}}]}, f)
    with open(os.path.join(a.dir, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    print(mdigest)


if __name__ == "__main__":
    main()
