#!/usr/bin/python3
"""HTTP server for berth's ASAP tests, on 127.0.0.1 only.

Serves three things:
  GET /keys/<kid>       an ASAP public key repository laid out as <base>/<kid>
                        (files under --keys DIR), as application/x-pem-file;
  ANY /echo[/...]       answers 200 with the request as JSON (method, path,
                        headers, body): a stand-in for an ASAP-protected
                        gateway, so tests can check what berth asap curl sent;
  ANY /status/<code>    answers <code> with a short body.
  PUT /keys/<kid>       with --writable, stores the body as that key (replacing
                        any, as an object store would), answering 201; with
                        --upload-token-env VAR only for "Authorization: Bearer
                        $VAR", else 401;
With --status N every request is answered N instead (a failing repository).
GET /requests lists the paths requested so far, GET /calls "METHOD path" each.

Contract: prints one JSON line {"port", "url", "keys_url"} when ready, logs on
stderr with --verbose, exits on SIGTERM/SIGINT, and when stdin closes if
started with --exit-on-stdin-eof.
"""
import argparse
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def make_handler(args, seen, calls):
    keys_root = os.path.realpath(args.keys) if args.keys else None

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *values):
            if args.verbose:
                sys.stderr.write("asap_http_server: " + (fmt % values) + "\n")

        def reply(self, status, body, content_type="text/plain"):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            seen.append(path)
            calls.append(self.command + " " + path)
            if args.status:
                return self.reply(args.status, "forced status %d\n" % args.status)
            if path == "/requests":
                return self.reply(200, json.dumps(seen[:-1]), "application/json")
            if path == "/calls":
                return self.reply(200, json.dumps(calls[:-1]), "application/json")
            if path == "/echo" or path.startswith("/echo/"):
                echo = {"method": self.command, "path": self.path,
                        "headers": {k: v for k, v in self.headers.items()},
                        "body": body.decode("utf-8", "replace")}
                return self.reply(200, json.dumps(echo), "application/json")
            if path.startswith("/status/"):
                code = int(path[len("/status/"):])
                return self.reply(code, "status %d from the test server\n" % code)
            if path.startswith("/keys/") and keys_root and self.command == "PUT" and args.writable:
                return self.store_key(path, body)
            if path.startswith("/keys/") and keys_root and self.command in ("GET", "HEAD"):
                target = os.path.realpath(os.path.join(keys_root, path[len("/keys/"):]))
                if target.startswith(keys_root + os.sep) and os.path.isfile(target):
                    with open(target, "rb") as handle:
                        return self.reply(200, handle.read(), "application/x-pem-file")
            return self.reply(404, "not found\n")

        def store_key(self, path, body):
            if args.upload_token_env:
                expected = "Bearer " + os.environ.get(args.upload_token_env, "")
                if self.headers.get("Authorization") != expected:
                    return self.reply(401, "upload token missing or wrong\n")
            # Where the file would go, before it (or its folders) exist.
            target = os.path.normpath(os.path.join(keys_root, path[len("/keys/"):]))
            if not target.startswith(keys_root + os.sep) or ".." in path:
                return self.reply(400, "bad key id\n")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(body)
            return self.reply(201, "stored\n")

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--keys", help="directory served under /keys/")
    parser.add_argument("--writable", action="store_true", help="accept PUT /keys/<kid>")
    parser.add_argument("--upload-token-env", help="with --writable, the variable holding the bearer token uploads need")
    parser.add_argument("--status", type=int, default=0, help="answer every request with this status")
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    seen = []
    calls = []
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args, seen, calls))
    server.daemon_threads = True
    port = server.server_address[1]

    def stop(*_):
        # Nothing to clean up (no children, no temp files): leave at once
        # rather than wait for serve_forever's next poll.
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.exit_on_stdin_eof:
        def watch_stdin():
            # os.read: no buffered-reader lock left held at interpreter exit.
            while os.read(0, 4096):
                pass
            stop()
        threading.Thread(target=watch_stdin, daemon=True).start()

    url = "http://127.0.0.1:%d" % port
    print(json.dumps({"port": port, "url": url, "keys_url": url + "/keys/"}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
