#!/usr/bin/python3
"""The by-hand half of the release benchmark: pushes one cosign signature, as
cosign's `.sig` tag layout, with nothing but the registry API (one keep-alive
connection, plain HTTP).

Usage: push_signature.py HOST REPOSITORY IMAGE_DIGEST PAYLOAD_FILE SIGNATURE_BASE64_FILE

PAYLOAD_FILE is the simple-signing payload that was signed, stored as the
layer (application/vnd.dev.cosign.simplesigning.v1+json) with the base64 DER
signature in the dev.cosignproject.cosign/signature annotation; the config is
go-containerregistry's (what cosign and berth write: zero time, one history
entry and one diff id per layer, the payload's digest); the manifest goes to
the tag sha256-HEX.sig. It writes a first signature: an existing .sig
manifest (another signer's) would be replaced, not appended to.
"""
import hashlib
import http.client
import json
import sys
from urllib.parse import urlsplit

ZERO = "0001-01-01T00:00:00Z"


def main():
    host, repository, digest, payload_file, signature_file = sys.argv[1:6]
    payload = open(payload_file, "rb").read()
    signature = open(signature_file).read().strip()
    conn = http.client.HTTPConnection(host, timeout=30)

    def request(method, path, body=None, headers=None):
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, response.getheader("Location"), data

    def upload(blob):
        # A monolithic upload: POST for the session, PUT with the digest.
        blob_digest = "sha256:" + hashlib.sha256(blob).hexdigest()
        status, location, data = request("POST", f"/v2/{repository}/blobs/uploads/")
        if status != 202:
            sys.exit(f"POST blobs/uploads: {status} {data[:200]!r}")
        parts = urlsplit(location)
        path = parts.path + "?" + (parts.query + "&" if parts.query else "") + "digest=" + blob_digest
        status, _, data = request("PUT", path, blob, {"Content-Type": "application/octet-stream"})
        if status != 201:
            sys.exit(f"PUT blob {blob_digest}: {status} {data[:200]!r}")
        return {"digest": blob_digest, "size": len(blob)}

    layer = upload(payload)
    config = json.dumps({"architecture": "", "created": ZERO, "history": [{"created": ZERO}], "os": "",
                         "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]}, "config": {}},
                        separators=(",", ":")).encode()
    config_descriptor = upload(config)
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config_descriptor},
        "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", **layer,
                    "annotations": {"dev.cosignproject.cosign/signature": signature}}],
    }, separators=(",", ":")).encode()
    tag = digest.replace(":", "-") + ".sig"
    status, _, data = request("PUT", f"/v2/{repository}/manifests/{tag}", manifest,
                              {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    if status != 201:
        sys.exit(f"PUT manifest {tag}: {status} {data[:200]!r}")


if __name__ == "__main__":
    main()
