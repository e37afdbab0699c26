#!/usr/bin/python3
"""Loopback reverse proxy that adds the OCI referrers API to a registry without one (docker-registry 2.8).

distribution-spec v1.1 "Listing Referrers" and "Pushing Manifests with Subject": a manifest PUT whose body has a
`subject` is forwarded, and when the registry stored it (201) the proxy remembers its descriptor (mediaType, digest,
size, artifactType, or the config's mediaType when it has none, and annotations) under the subject and answers with
`OCI-Subject: <subject digest>`. `GET /v2/<name>/referrers/<digest>[?artifactType=]` is answered here with an OCI
index of those descriptors (with `OCI-Filters-Applied: artifactType` when filtered). Everything else goes to the
registry untouched, so blobs, manifests and tags are the real registry's. Referrers are kept in memory only.

GET /_proxy_stats answers {"requests", "by_method", "referrers": {"<name>@<subject>": n}, "referrers_requests": n}.
"""

import hashlib
import json
import os
import re
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import proxy_core  # noqa: E402

MANIFEST_PUT_RE = re.compile(r"^/v2/(.+)/manifests/([^/]+)$")
REFERRERS_RE = re.compile(r"^/v2/(.+)/referrers/(sha256:[0-9a-f]{64})$")
MAX_MANIFEST = 4 << 20
INDEX_TYPE = "application/vnd.oci.image.index.v1+json"


class ReferrersPolicy(proxy_core.Policy):
    def __init__(self):
        self.lock = threading.Lock()
        self.referrers = {}  # (name, subject) -> [descriptor]
        self.referrers_requests = 0

    def stats(self):
        with self.lock:
            return {"referrers": {"%s@%s" % key: len(value) for key, value in self.referrers.items()},
                    "referrers_requests": self.referrers_requests}

    def add(self, name, subject, descriptor):
        with self.lock:
            listed = self.referrers.setdefault((name, subject), [])
            if all(d["digest"] != descriptor["digest"] for d in listed):
                listed.append(descriptor)

    def listed(self, name, subject, artifact_type):
        with self.lock:
            self.referrers_requests += 1
            found = list(self.referrers.get((name, subject), []))
        if artifact_type:
            found = [d for d in found if d.get("artifactType") == artifact_type]
        return found


class ReferrersHandler(proxy_core.ProxyHandler):
    extra_headers = ()

    def end_headers(self):
        for key, value in self.extra_headers:
            self.send_header(key, value)
        self.extra_headers = ()
        super().end_headers()

    def proxy(self):
        path, _, query = self.path.partition("?")
        policy = self.server.policy
        match = REFERRERS_RE.match(path)
        if match and self.command == "GET":
            artifact_type = ""
            for part in query.split("&"):
                if part.startswith("artifactType="):
                    artifact_type = urllib.parse.unquote(part[len("artifactType="):])
            body = json.dumps({"schemaVersion": 2, "mediaType": INDEX_TYPE,
                               "manifests": policy.listed(match.group(1), match.group(2), artifact_type)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", INDEX_TYPE)
            self.send_header("Content-Length", str(len(body)))
            if artifact_type:
                self.send_header("OCI-Filters-Applied", "artifactType")
            self.end_headers()
            self.wfile.write(body)
            return
        match = MANIFEST_PUT_RE.match(path)
        if not match or self.command != "PUT" or self.request_is_chunked() or self.request_length() > MAX_MANIFEST:
            return super().proxy()
        body = b"".join(self.request_body())
        conn = self.server.connect()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in proxy_core.HOP_BY_HOP and k.lower() != "host"}
        headers["Host"] = self.server.upstream
        headers["Content-Length"] = str(len(body))
        conn.request("PUT", self.path, body=body, headers=headers)
        resp = conn.getresponse()
        try:
            manifest = json.loads(body)
        except ValueError:
            manifest = None
        subject = manifest.get("subject") if isinstance(manifest, dict) else None
        if resp.status == 201 and isinstance(subject, dict) and isinstance(subject.get("digest"), str):
            descriptor = {"mediaType": manifest.get("mediaType") or self.headers.get("Content-Type", ""),
                          "digest": "sha256:" + hashlib.sha256(body).hexdigest(), "size": len(body)}
            artifact_type = manifest.get("artifactType") or (manifest.get("config") or {}).get("mediaType")
            if artifact_type:
                descriptor["artifactType"] = artifact_type
            if manifest.get("annotations"):
                descriptor["annotations"] = manifest["annotations"]
            policy.add(match.group(1), subject["digest"], descriptor)
            self.extra_headers = (("OCI-Subject", subject["digest"]),)
        try:
            self.relay_response(resp)
        finally:
            conn.close()


def main(argv):
    args = proxy_core.common_args(__doc__).parse_args(argv)
    return proxy_core.serve(args, ReferrersPolicy(), "referrers_proxy", ReferrersHandler)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
