#!/usr/bin/python3
"""A stand-in for a registry's tag listing with Link pagination.

Debian's docker-registry (distribution 2.8.2) ignores `n` on /tags/list and
never sends a Link header, so the pagination of OCI distribution-spec
("Listing Tags": `?n=<int>&last=<tag>`, answered with
`Link: <url>; rel="next"`) cannot be exercised against it. This server
implements only that endpoint (and GET /v2/), following the spec, with the
Link URL relative as Harbor and distribution 3 send it.

Usage: paginated_tags_server.py --tags a,b,c,d,e [--port N] [--exit-on-stdin-eof]
Ready line: {"port", "host", "url", "pid"}; logs on stderr.
"""

import argparse
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tags", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()
    tags = sorted(t for t in args.tags.split(",") if t)
    pages = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *a):
            sys.stderr.write("tags-server: " + (fmt % a) + "\n")

        def send_json(self, status, body, headers=()):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/v2/":
                return self.send_json(200, {})
            if url.path == "/_stats":
                return self.send_json(200, {"pages": pages})
            if not url.path.startswith("/v2/") or not url.path.endswith("/tags/list"):
                return self.send_json(404, {"errors": [{"code": "NAME_UNKNOWN", "message": "repository name not known to registry"}]})
            name = url.path[len("/v2/"):-len("/tags/list")]
            query = parse_qs(url.query)
            last = query.get("last", [""])[0]
            rest = [t for t in tags if t > last]
            n = int(query.get("n", [str(len(rest))])[0])
            page = rest[:n]
            pages.append(page)
            headers = []
            if len(rest) > n:
                link = "/v2/%s/tags/list?%s" % (name, urlencode({"n": n, "last": page[-1]}))
                headers.append(("Link", '<%s>; rel="next"' % link))
            self.send_json(200, {"name": name, "tags": page}, headers)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    port = server.server_address[1]
    if args.exit_on_stdin_eof:
        def watch():
            sys.stdin.read()
            server.shutdown()
        threading.Thread(target=watch, daemon=True).start()
    import signal
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
    sys.stdout.write(json.dumps({"port": port, "host": "127.0.0.1:%d" % port, "url": "http://127.0.0.1:%d" % port, "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
