# A small HTTP(S) server on 127.0.0.1 for the tests of berth's http.request service (tests only).
#
#   GET /echo            -> 200 {"method", "path", "query", "headers", "body"}
#   ANY /status/N        -> N with {"message": "status N from the test server"}
#   GET /delay/MS        -> waits MS milliseconds, then 200 "late"
#   GET /flaky/KEY?fail=N&retry_after=S
#                        -> the first N requests for KEY answer 503 with Retry-After: S, then 200
#   GET /count/KEY       -> 200 {"count": requests seen for KEY so far}
#   GET /binary          -> 200 with bytes that are not UTF-8
#   GET /redirect        -> 302 to /echo
#
# One JSON ready line on stdout ({"port", "url"}) once it listens; exits when stdin closes
# (--exit-on-stdin-eof) or on SIGTERM. --cert/--key serve HTTPS. Python standard library only.

import argparse
import http.server
import json
import signal
import ssl
import sys
import threading
import time
import urllib.parse

counts = {}
counts_lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        sys.stderr.write("[http_service_peer] " + (format % args) + "\n")

    def Reply(self, status, body, content_type="application/json", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def Body(self):
        length = int(self.headers.get("Content-Length", "0") or "0")
        if length:
            return self.rfile.read(length)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return b""

    def Count(self, key):
        with counts_lock:
            counts[key] = counts.get(key, 0) + 1
            return counts[key]

    def Handle(self):
        split = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(split.query)
        parts = split.path.strip("/").split("/")
        body = self.Body()
        if parts[0] == "echo":
            self.Reply(200, json.dumps({"method": self.command, "path": split.path, "query": split.query,
                                        "headers": dict(self.headers.items()),
                                        "body": body.decode("utf-8", "replace")}))
        elif parts[0] == "status" and len(parts) == 2:
            status = int(parts[1])
            self.Reply(status, json.dumps({"message": "status %d from the test server" % status}))
        elif parts[0] == "delay" and len(parts) == 2:
            time.sleep(int(parts[1]) / 1000.0)
            self.Reply(200, "late", "text/plain")
        elif parts[0] == "flaky" and len(parts) == 2:
            seen = self.Count(parts[1])
            if seen <= int(query.get("fail", ["0"])[0]):
                self.Reply(503, json.dumps({"message": "busy"}), headers=[("Retry-After", query.get("retry_after", ["0"])[0])])
            else:
                self.Reply(200, json.dumps({"attempt": seen}))
        elif parts[0] == "count" and len(parts) == 2:
            with counts_lock:
                self.Reply(200, json.dumps({"count": counts.get(parts[1], 0)}))
        elif parts[0] == "binary":
            self.Reply(200, bytes([0xff, 0xfe, 0x00, 0x80, 0x41]), "application/octet-stream")
        elif parts[0] == "redirect":
            self.Reply(302, "", "text/plain", headers=[("Location", "/echo")])
        else:
            self.Reply(404, json.dumps({"message": "no such test path"}))

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = Handle


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    scheme = "http"
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"port": port, "url": "%s://127.0.0.1:%d" % (scheme, port)}), flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if args.exit_on_stdin_eof:
        sys.stdin.read()
    else:
        threading.Event().wait()


if __name__ == "__main__":
    main()
