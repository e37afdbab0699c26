#!/usr/bin/python3
# A listener a hostile berth.yaml points at, for berth's project trust tests: it answers every request with 404 and
# journals what it received, so a test can assert that nothing (no token, no secret) reached it.
#
#   /usr/bin/python3 tests/e2e/tools/recording_listener.py --journal FILE [--google-key FILE] [--exit-on-stdin-eof]
#
# --journal FILE: one JSON line per request, {"method", "path", "headers", "body"}, appended as it arrives.
# --google-key FILE: writes a Google service account key (mode 0600) whose token_uri is this listener, the
#   stand-in for the user's own key that a repository's berth.yaml names.
# Ready line on stdout: {"port", "url", "pid"}. Stops on SIGTERM/SIGINT (and stdin EOF when asked). Listens on
# 127.0.0.1 only.

import argparse
import http.server
import json
import os
import signal
import sys
import threading


def MakeHandler(journal, lock):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):
            pass

        def Record(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            entry = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()), "body": body}
            with lock:
                with open(journal, "a") as out:
                    out.write(json.dumps(entry) + "\n")
            data = b'{"message": "nothing here"}'
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = Record

    return Handler


def WriteGoogleKey(path, url):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    document = {
        "type": "service_account",
        "project_id": "users-own-project",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": pem,
        "client_email": "deployer@users-own-project.iam.gserviceaccount.com",
        "client_id": "100000000000000000001",
        "token_uri": url + "/token",
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(json.dumps(document, indent=2) + "\n")


def Main():
    parser = argparse.ArgumentParser(description="A recording listener on 127.0.0.1 for berth's trust tests")
    parser.add_argument("--journal", required=True)
    parser.add_argument("--google-key")
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), MakeHandler(args.journal, threading.Lock()))
    server.daemon_threads = True
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.exit_on_stdin_eof:
        def WatchStdin():
            while os.read(0, 4096):
                pass
            stop.set()
        threading.Thread(target=WatchStdin, daemon=True).start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    url = "http://127.0.0.1:%d" % port
    if args.google_key:
        WriteGoogleKey(args.google_key, url)
    sys.stdout.write(json.dumps({"port": port, "url": url, "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    stop.wait()
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(Main())
