#!/usr/bin/python3
"""A hostile registry: sends berth's registry client to another origin.

Two listeners on 127.0.0.1: the "registry" (Basic auth, user alice) and a
"foreign" origin on a second port that records every request it receives,
with the Authorization header it came with. The registry plays one trick
(--trick) following the OCI distribution spec's shapes, as a compromised
registry or a man in the middle of plain HTTP could:

  upload-location    POST /v2/<name>/blobs/uploads/ -> 202, Location on the foreign origin
  tags-link          GET /v2/<name>/tags/list -> Link: <foreign origin>; rel="next"
  blob-redirect      GET|HEAD /v2/<name>/blobs/<d> -> 307 to the foreign origin, which serves
                     --blob-file's bytes (what storage redirects look like)
  blob-redirect-401  the same redirect, but the foreign origin answers 401 with its own
                     Bearer realm (on itself), hoping to be sent the registry's password
  manifest           GET /v2/<name>/manifests/<ref> -> --blob-file's bytes as an OCI manifest,
                     with Docker-Content-Digest: --digest-header (any algorithm, right or wrong)

With --tls both listeners speak TLS, each with its own throw-away CA (the
ready line names the registry's), so a client that verified only the
registry, or skipped verification for it, is caught following a redirect.
With --tls --foreign-plain the foreign origin speaks plain HTTP: a way down
from https to http.

Usage: hostile_registry.py --trick T --password P [--blob-file F] [--digest-header D] [--tls [--foreign-plain]]
                           [--exit-on-stdin-eof]
Ready line: {"port", "host", "url", "foreign_url", "registry_ca_file", "pid"}.
GET journal_url (no auth; on the registry, or on the foreign origin when only that is
plain HTTP) returns the foreign origin's requests.
"""

import argparse
import base64
import json
import os
import ssl
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers", "registry"))


def tls_context(directory, name):
    import pki
    ca_key, ca_cert = pki.make_ca("hostile " + name + " CA")
    key, cert = pki.make_leaf(ca_key, ca_cert, "127.0.0.1", ip_addresses=["127.0.0.1"])
    cert_file, key_file, ca_file = (os.path.join(directory, name + suffix) for suffix in ("-cert.pem", "-key.pem", "-ca.pem"))
    pki.write_cert(cert_file, cert)
    pki.write_key(key_file, key)
    pki.write_cert(ca_file, ca_cert)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, ca_file


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trick", required=True,
                        choices=["upload-location", "tags-link", "blob-redirect", "blob-redirect-401", "manifest"])
    parser.add_argument("--password", required=True)
    parser.add_argument("--blob-file")
    parser.add_argument("--digest-header", default="")
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--foreign-plain", action="store_true")
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()
    blob = open(args.blob_file, "rb").read() if args.blob_file else b""
    expected_auth = "Basic " + base64.b64encode(("alice:" + args.password).encode()).decode()
    journal = []
    scheme = "https" if args.tls else "http"
    foreign_scheme = "http" if args.foreign_plain or not args.tls else "https"

    class Base(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            sys.stderr.write("hostile-registry: " + (fmt % a) + "\n")

        def reply(self, status, body=b"", headers=()):
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def drain(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)

    class Foreign(Base):
        def handle_any(self):
            self.drain()
            if self.path == "/_journal":
                return self.reply(200, json.dumps({"journal": journal}).encode(), [("Content-Type", "application/json")])
            journal.append({"method": self.command, "path": self.path,
                            "authorization": self.headers.get("Authorization", "")})
            if self.path.startswith("/storage/") and args.trick == "blob-redirect":
                return self.reply(200, blob, [("Content-Type", "application/octet-stream")])
            if self.path.startswith("/storage/") and args.trick == "blob-redirect-401":
                realm = "%s://127.0.0.1:%d/token" % (foreign_scheme, foreign.server_address[1])
                return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"storage wants a token"}]}',
                                  [("WWW-Authenticate", 'Bearer realm="%s",service="storage"' % realm)])
            if self.path.startswith("/token"):
                return self.reply(200, json.dumps({"token": "storage-token-0123456789"}).encode(),
                                  [("Content-Type", "application/json")])
            return self.reply(404, b'{"errors":[{"code":"NAME_UNKNOWN","message":"nothing here"}]}')

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = handle_any

    class Registry(Base):
        def handle_any(self):
            self.drain()
            if self.path == "/_journal":
                return self.reply(200, json.dumps({"journal": journal}).encode(), [("Content-Type", "application/json")])
            if self.headers.get("Authorization", "") != expected_auth:
                return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                                  [("WWW-Authenticate", 'Basic realm="hostile"')])
            foreign_url = "%s://127.0.0.1:%d" % (foreign_scheme, foreign.server_address[1])
            path = self.path.split("?")[0]
            if path == "/v2/":
                return self.reply(200, b"{}")
            if "/blobs/uploads/" in path and self.command == "POST":
                return self.reply(202, headers=[("Location", foreign_url + path + "upload-1?state=x")])
            if "/blobs/sha256:" in path and self.command == "HEAD" and args.trick.startswith("upload"):
                return self.reply(404)
            if "/blobs/sha256:" in path and args.trick.startswith("blob-redirect"):
                return self.reply(307, headers=[("Location", foreign_url + "/storage/" + path.rsplit("/", 1)[1])])
            if "/manifests/" in path and args.trick == "manifest":
                return self.reply(200, blob, [("Content-Type", "application/vnd.oci.image.manifest.v1+json"),
                                              ("Docker-Content-Digest", args.digest_header)])
            if path.endswith("/tags/list"):
                name = path[len("/v2/"):-len("/tags/list")]
                link = '<%s/v2/%s/tags/list?last=a>; rel="next"' % (foreign_url, name)
                return self.reply(200, json.dumps({"name": name, "tags": ["a"]}).encode(),
                                  [("Content-Type", "application/json"), ("Link", link)])
            return self.reply(404, b'{"errors":[{"code":"NAME_UNKNOWN","message":"nothing here"}]}')

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = handle_any

    registry = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    foreign = ThreadingHTTPServer(("127.0.0.1", 0), Foreign)
    registry_ca = ""
    if args.tls:
        directory = tempfile.mkdtemp(prefix="berth-hostile-")
        import atexit
        import shutil
        atexit.register(shutil.rmtree, directory, True)
        context, registry_ca = tls_context(directory, "registry")
        registry.socket = context.wrap_socket(registry.socket, server_side=True)
        if not args.foreign_plain:
            foreign_context, _ = tls_context(directory, "foreign")
            foreign.socket = foreign_context.wrap_socket(foreign.socket, server_side=True)
    for server in (registry, foreign):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    port = registry.server_address[1]
    journal_url = ""  # Plain HTTP only; none when both listeners speak TLS.
    if not args.tls:
        journal_url = "http://127.0.0.1:%d/_journal" % port
    elif args.foreign_plain:
        journal_url = "http://127.0.0.1:%d/_journal" % foreign.server_address[1]
    sys.stdout.write(json.dumps({
        "port": port, "host": "127.0.0.1:%d" % port, "url": "%s://127.0.0.1:%d" % (scheme, port),
        "journal_url": journal_url,
        "foreign_url": "%s://127.0.0.1:%d" % (foreign_scheme, foreign.server_address[1]),
        "registry_ca_file": registry_ca, "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    done = threading.Event()
    import signal
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    if args.exit_on_stdin_eof:
        def watch():
            sys.stdin.read()
            done.set()
        threading.Thread(target=watch, daemon=True).start()
    done.wait()


if __name__ == "__main__":
    main()
