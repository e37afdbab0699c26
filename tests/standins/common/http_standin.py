# Shared plumbing for berth's vendor stand-ins (tests only).
#
# The stand-ins under tests/standins/ imitate vendor HTTP services that cannot run on a test machine. This module holds
# what they have in common so that each stand-in file only describes its vendor's API:
#   - a threaded HTTP/1.1 server bound to 127.0.0.1 (port 0 unless --port), keep-alive, chunked request bodies;
#   - the ready-line contract: exactly one JSON line on stdout once the socket listens, logs on stderr;
#   - clean exit on SIGTERM/SIGINT and, with --exit-on-stdin-eof, when stdin closes (a crashed test leaves nothing);
#   - a request journal served at GET /_standin/requests (cleared by DELETE) so tests can assert on what they sent.
#
# Python standard library only; run with /usr/bin/python3.

import argparse
import base64
import http.server
import json
import os
import re
import shutil
import signal
import socketserver
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse


def Log(message):
    sys.stderr.write("[%s] %s\n" % (os.path.basename(sys.argv[0]), message))
    sys.stderr.flush()


def Rfc3339(epoch_seconds, fraction_digits=0):
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_seconds))
    if fraction_digits:
        fraction = ("%.9f" % (epoch_seconds % 1))[2:2 + fraction_digits]
        return "%s.%sZ" % (base, fraction)
    return base + "Z"


def WritePrivateFile(path, data):
    """Writes bytes to path with mode 0600 from the start (never briefly world-readable)."""
    if isinstance(data, str):
        data = data.encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)
    finally:
        os.close(fd)


class Request(object):
    def __init__(self, method, raw_target, headers, body):
        self.method = method
        self.raw_target = raw_target
        split = urllib.parse.urlsplit(raw_target)
        # raw_path keeps percent-escapes: GitHub package names travel as repo%2Fimage and must stay one segment.
        self.raw_path = split.path
        self.raw_query = split.query
        self.query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        self.query_pairs = urllib.parse.parse_qsl(split.query, keep_blank_values=True)
        self.headers = headers
        self.body = body

    def Header(self, name, default=None):
        return self.headers.get(name, default)

    def QueryOne(self, name, default=None):
        values = self.query.get(name)
        return values[-1] if values else default

    def Json(self):
        """Returns the parsed JSON body; raises ValueError when the body is not JSON."""
        if not self.body:
            raise ValueError("empty body")
        return json.loads(self.body.decode("utf-8"))

    def Form(self):
        return urllib.parse.parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)


class Response(object):
    def __init__(self, status, body=b"", headers=None, content_type=None):
        self.status = status
        self.headers = list(headers or [])
        if isinstance(body, (dict, list)):
            body = (json.dumps(body, indent=2) + "\n").encode()
            content_type = content_type or "application/json; charset=utf-8"
        elif isinstance(body, str):
            body = body.encode()
        self.body = body
        if content_type:
            self.headers.append(("Content-Type", content_type))

    def AddHeader(self, name, value):
        self.headers.append((name, str(value)))
        return self

    def HeaderValue(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def JsonResponse(status, obj, headers=None):
    return Response(status, obj, headers)


class StandinApp(object):
    """Base class: routes, request journal and control endpoints. Subclasses add vendor routes in __init__."""

    # Headers whose values are credentials: the journal keeps only the scheme so tests can see what kind was sent.
    kRedactedHeaders = ("authorization", "proxy-authorization", "cookie")

    def __init__(self):
        self.lock = threading.RLock()
        self.routes = []
        self.journal = []
        self.sequence = 0
        self.base_url = None
        self.cleanup_paths = []
        self.AddRoute("GET", r"/_standin/requests", self.HandleGetJournal, control=True)
        self.AddRoute("DELETE", r"/_standin/requests", self.HandleClearJournal, control=True)
        self.AddRoute("GET", r"/_standin/health", lambda req, m: JsonResponse(200, {"ok": True}), control=True)

    def AddRoute(self, method, pattern, handler, control=False):
        self.routes.append((method, re.compile("^" + pattern + "$"), handler, control))

    def MakeTempDir(self, prefix):
        path = tempfile.mkdtemp(prefix=prefix)
        os.chmod(path, 0o700)
        self.cleanup_paths.append(path)
        return path

    def Cleanup(self):
        for path in self.cleanup_paths:
            shutil.rmtree(path, ignore_errors=True)

    # Hooks for subclasses.
    def BeforeRoute(self, request):
        """Returns a Response to answer instead of routing (used for rate limits), or None."""
        return None

    def DecorateResponse(self, request, response):
        pass

    def RecordBody(self, request):
        """Returns what the journal keeps of the request body; subclasses redact credentials they know about."""
        if not request.body:
            return None
        content_type = (request.Header("Content-Type") or "").lower()
        try:
            if "json" in content_type or request.body[:1] in (b"{", b"["):
                return json.loads(request.body.decode("utf-8"))
            if "x-www-form-urlencoded" in content_type:
                return {k: v[-1] for k, v in request.Form().items()}
            return request.body.decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return {"base64": base64.b64encode(request.body).decode()}

    def RecordExtra(self, request, response):
        """Returns extra fields for the journal entry (e.g. decoded JWT claims)."""
        return {}

    def Dispatch(self, request):
        path_matched = False
        for method, regex, handler, control in self.routes:
            match = regex.match(request.raw_path)
            if not match:
                continue
            path_matched = True
            if method != request.method and not (method == "GET" and request.method == "HEAD"):
                continue
            if control:
                return handler(request, match), False
            early = self.BeforeRoute(request)
            if early is not None:
                return early, True
            return handler(request, match), True
        early = self.BeforeRoute(request)
        if early is not None:
            return early, True
        return self.NotFound(request, method_mismatch=path_matched), True

    def NotFound(self, request, method_mismatch=False):
        return JsonResponse(404, {"message": "Not Found"})

    def Record(self, request, response):
        redacted = {}
        for key, value in request.headers.items():
            if key.lower() in self.kRedactedHeaders:
                scheme = value.split(" ", 1)[0] if " " in value else ""
                value = (scheme + " <redacted>").strip()
            redacted[key] = value
        entry = {
            "method": request.method,
            "path": request.raw_path,
            "query": request.query,
            "headers": redacted,
            "body": self.RecordBody(request),
            "status": response.status,
            "time": Rfc3339(time.time(), 3),
        }
        entry.update(self.RecordExtra(request, response))
        with self.lock:
            self.sequence += 1
            entry["seq"] = self.sequence
            self.journal.append(entry)

    def HandleGetJournal(self, request, match):
        with self.lock:
            entries = list(self.journal)
        return JsonResponse(200, entries)

    def HandleClearJournal(self, request, match):
        with self.lock:
            self.journal = []
        return Response(204)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    app = None  # set by Serve()

    def log_message(self, fmt, *args):
        Log("%s %s" % (self.address_string(), fmt % args))

    def _ReadBody(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                line = self.rfile.readline().strip()
                size = int(line.split(b";", 1)[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _Handle(self):
        try:
            body = self._ReadBody()
        except (ValueError, OSError):
            self.send_error(400, "bad request body")
            return
        headers = {}
        for key in self.headers.keys():
            headers[key] = self.headers.get(key)
        # Header lookups are case-insensitive, like HTTP.
        headers = _CaseInsensitiveDict(headers)
        request = Request(self.command, self.path, headers, body)
        record = True
        try:
            response, record = self.app.Dispatch(request)
        except Exception:  # a stand-in bug must show up as a 500 and a traceback, not a hung test
            Log(traceback.format_exc())
            response = JsonResponse(500, {"message": "stand-in internal error"})
        self.app.DecorateResponse(request, response)
        if record:
            try:
                self.app.Record(request, response)
            except Exception:
                Log(traceback.format_exc())
        self.send_response(response.status)
        for key, value in response.headers:
            self.send_header(key, value)
        if response.status not in (204, 304) and not (100 <= response.status < 200):
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and response.status not in (204, 304):
            self.wfile.write(response.body)

    do_GET = _Handle
    do_HEAD = _Handle
    do_POST = _Handle
    do_PUT = _Handle
    do_PATCH = _Handle
    do_DELETE = _Handle


class _CaseInsensitiveDict(dict):
    def __init__(self, items):
        super().__init__(items)
        self._lower = {k.lower(): v for k, v in items.items()}

    def get(self, key, default=None):
        return self._lower.get(key.lower(), default)

    def __contains__(self, key):
        return key.lower() in self._lower


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def AddCommonArguments(parser):
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="exit when stdin is closed (so a crashed test leaves nothing behind)")


def Serve(app, args, ready_fields):
    """Binds, prints the ready line (ready_fields(base_url) -> dict), serves until a signal or stdin EOF."""
    handler = type("Handler", (_Handler,), {"app": app})
    server = _Server(("127.0.0.1", args.port), handler)
    port = server.server_address[1]
    app.base_url = "http://127.0.0.1:%d" % port
    stop = threading.Event()

    def OnSignal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, OnSignal)
    signal.signal(signal.SIGINT, OnSignal)
    if args.exit_on_stdin_eof:
        def WatchStdin():
            # os.read, not sys.stdin: a daemon thread blocked inside a buffered reader aborts interpreter shutdown.
            try:
                while os.read(0, 4096):
                    pass
            except OSError:
                pass
            stop.set()
        threading.Thread(target=WatchStdin, daemon=True).start()

    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    try:
        fields = {"port": port, "url": app.base_url, "pid": os.getpid()}
        fields.update(ready_fields(app.base_url))
        sys.stdout.write(json.dumps(fields) + "\n")
        sys.stdout.flush()
        Log("ready on %s" % app.base_url)
        while not stop.wait(0.5):
            pass
        Log("stopping")
    finally:
        server.shutdown()
        server.server_close()
        app.Cleanup()
    return 0


def NewArgumentParser(description):
    parser = argparse.ArgumentParser(description=description)
    AddCommonArguments(parser)
    return parser
