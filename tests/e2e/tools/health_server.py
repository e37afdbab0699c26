#!/usr/bin/python3
# A service's health endpoint for berth's deploy tests: answers GET PATH with 200 or 503, on 127.0.0.1.
#
#   /usr/bin/python3 tests/e2e/tools/health_server.py [--port N] [--path /api/health] [--status 200|503]
#                                                      [--healthy-after N] [--exit-on-stdin-eof] [--verbose]
#
# --healthy-after N answers 503 to the first N health requests, then 200 (a service that is still starting).
# Control: POST /_control/status with body "200" or "503" switches the answer; GET /_control/requests returns
# {"count": N, "paths": [...]} for the health requests seen. Other paths answer 404.
# Ready line on stdout: {"port", "url", "pid", "health_url"}. Stops on SIGTERM/SIGINT (and stdin EOF when asked).
# Standard library only.

import argparse
import http.server
import json
import os
import signal
import sys
import threading


class State(object):
    def __init__(self, status, healthy_after):
        self.lock = threading.Lock()
        self.status = status
        self.healthy_after = healthy_after
        self.paths = []


def MakeHandler(state, health_path, verbose):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):
            if verbose:
                sys.stderr.write("health_server: " + (format % args) + "\n")

        def Answer(self, code, body):
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/_control/requests":
                with state.lock:
                    return self.Answer(200, json.dumps({"count": len(state.paths), "paths": state.paths}))
            if self.path.split("?")[0] != health_path:
                return self.Answer(404, '{"error": "not found"}')
            with state.lock:
                state.paths.append(self.path)
                status = state.status
                if state.healthy_after is not None:
                    status = 503 if len(state.paths) <= state.healthy_after else 200
            self.Answer(status, json.dumps({"status": "UP" if status == 200 else "DOWN"}))

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode().strip()
            if self.path != "/_control/status" or body not in ("200", "503"):
                return self.Answer(400, '{"error": "POST /_control/status with 200 or 503"}')
            with state.lock:
                state.status = int(body)
                state.healthy_after = None
            self.Answer(200, json.dumps({"status": state.status}))

    return Handler


def Main():
    parser = argparse.ArgumentParser(description="A health endpoint on 127.0.0.1 for berth's deploy tests")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--path", default="/api/health")
    parser.add_argument("--status", type=int, choices=(200, 503), default=200)
    parser.add_argument("--healthy-after", type=int)
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="log each request on stderr")
    args = parser.parse_args()

    state = State(args.status, args.healthy_after)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), MakeHandler(state, args.path, args.verbose))
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
    sys.stdout.write(json.dumps({"port": port, "url": url, "pid": os.getpid(), "health_url": url + args.path}) + "\n")
    sys.stdout.flush()
    stop.wait()
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(Main())
