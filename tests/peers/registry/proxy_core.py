"""A small streaming HTTP/1.1 reverse proxy on 127.0.0.1, the common part of fault_proxy.py and tamper_proxy.py.

It forwards every request to one upstream (the registry), streams bodies both ways without holding them in memory
(Content-Length and chunked framing, in either direction), and rewrites Location/Link headers that name the upstream
so that clients keep talking to the proxy. A Policy subclass decides, per request, what to break.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import ssl
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = 1 << 20
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te",
              "trailer", "trailers", "transfer-encoding", "upgrade", "expect"}
NO_BODY_STATUSES = {204, 304}


class ClientGone(Exception):
    """The client closed or broke its side of the connection."""


class Abort(Exception):
    """The policy dropped the connection on purpose."""


class Policy:
    """Hooks for a proxy. The defaults forward everything untouched."""

    def stats(self):
        return {}

    def before_forward(self, handler):
        """Return None to forward, or a fault kind the handler knows: drop_before, drop_mid, status_503, status_429."""
        return None

    def drop_offset(self, length):
        return 0

    def body_filter(self, handler, status, length):
        """Return an object with feed(bytes)->bytes and finish()->bytes that must keep the length, or None."""
        return None


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, upstream, policy, upstream_tls=False, upstream_ca=None, port=0, handler=None):
        super().__init__(("127.0.0.1", port), handler or ProxyHandler)
        host, _, port_text = upstream.rpartition(":")
        if not host or not port_text.isdigit():
            raise ValueError("--upstream must be HOST:PORT")
        if host not in ("127.0.0.1", "localhost", "::1", "[::1]"):
            raise ValueError("the upstream must be on loopback")
        self.upstream_host, self.upstream_port = host, int(port_text)
        self.upstream = upstream
        self.upstream_tls = upstream_tls
        self.ssl_context = None
        if upstream_tls:
            self.ssl_context = ssl.create_default_context(cafile=upstream_ca)
        self.policy = policy
        self.lock = threading.Lock()
        self.requests = 0
        self.by_method = {}
        self.upstream_errors = 0
        scheme = "https" if upstream_tls else "http"
        self.upstream_prefixes = ["%s://%s:%d" % (scheme, h, self.upstream_port)
                                  for h in ("127.0.0.1", "localhost", host)]

    @property
    def port(self):
        return self.server_address[1]

    def connect(self):
        if self.upstream_tls:
            return http.client.HTTPSConnection(self.upstream_host, self.upstream_port, timeout=600,
                                               context=self.ssl_context)
        return http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=600)

    def count(self, method):
        with self.lock:
            self.requests += 1
            self.by_method[method] = self.by_method.get(method, 0) + 1

    def stats_json(self):
        with self.lock:
            base = {"requests": self.requests, "by_method": dict(self.by_method),
                    "upstream_errors": self.upstream_errors}
        base.update(self.policy.stats())
        return base


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "berth-test-proxy/1"

    def log_message(self, fmt, *args):
        sys.stderr.write("proxy: %s\n" % (fmt % args))

    def _dispatch(self):
        try:
            if self.path.split("?")[0] == "/_proxy_stats" and self.command == "GET":
                self.send_json(200, self.server.stats_json())
                return
            self.server.count(self.command)
            self.proxy()
        except (Abort, ClientGone, ConnectionError, socket.timeout):
            self.close_connection = True

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _dispatch

    # ---- request side -------------------------------------------------------------------------------------------

    def request_is_chunked(self):
        return "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()

    def request_length(self):
        value = self.headers.get("Content-Length")
        return int(value) if value and value.strip().isdigit() else 0

    def request_body(self, limit=None):
        """Yield the request body as it arrives (de-chunked). Stop after `limit` bytes if given."""
        rfile = self.rfile
        seen = 0

        def capped(n):
            return n if limit is None else min(n, limit - seen)

        if self.request_is_chunked():
            while limit is None or seen < limit:
                line = rfile.readline(65537)
                if not line:
                    raise ClientGone()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return
                left = size
                while left:
                    want = capped(min(left, CHUNK))
                    if want <= 0:
                        return
                    data = rfile.read(want)
                    if not data:
                        raise ClientGone()
                    left -= len(data)
                    seen += len(data)
                    yield data
                rfile.readline(3)
            return
        left = self.request_length()
        while left and (limit is None or seen < limit):
            data = rfile.read(capped(min(left, CHUNK)))
            if not data:
                raise ClientGone()
            left -= len(data)
            seen += len(data)
            yield data

    def drain(self, limit=None):
        for _ in self.request_body(limit):
            pass

    # ---- responses made here ------------------------------------------------------------------------------------

    def send_json(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def reset_connection(self):
        """Close with a TCP RST, the way a crashed server or a middlebox looks to the client."""
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        raise Abort()

    # ---- forwarding ---------------------------------------------------------------------------------------------

    def rewrite(self, value):
        own = "http://" + (self.headers.get("Host") or "127.0.0.1:%d" % self.server.port)
        for prefix in self.server.upstream_prefixes:
            value = value.replace(prefix, own)
        return value

    def forward_request(self):
        conn = self.server.connect()
        conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for key, value in self.headers.items():
            if key.lower() not in HOP_BY_HOP and key.lower() != "host":
                conn.putheader(key, value)
        conn.putheader("Host", self.server.upstream)
        chunked = self.request_is_chunked()
        if chunked:
            conn.putheader("Transfer-Encoding", "chunked")
        try:
            conn.endheaders()
            for data in self.request_body():
                conn.send(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            if chunked:
                conn.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            # The upstream may answer early (e.g. 401) and stop reading; its answer is still worth passing on.
            self.close_connection = True
        return conn, conn.getresponse()

    def proxy(self):
        kind = self.server.policy.before_forward(self)
        if kind == "drop_before":
            # Take part of the body (never forwarded) and hang up: nothing reached the registry.
            length = self.request_length()
            self.drain(limit=length // 2 if length else 0)
            self.reset_connection()
        if kind in ("status_503", "status_429"):
            self.drain()
            if kind == "status_429":
                self.send_json(429, {"errors": [{"code": "TOOMANYREQUESTS", "message": "injected by fault_proxy",
                                                 "detail": None}]},
                               [("Retry-After", str(self.server.policy.retry_after))])
            else:
                self.send_json(503, {"errors": [{"code": "UNAVAILABLE", "message": "injected by fault_proxy",
                                                 "detail": None}]})
            return
        try:
            conn, resp = self.forward_request()
        except (OSError, http.client.HTTPException) as e:
            with self.server.lock:
                self.server.upstream_errors += 1
            self.close_connection = True
            self.send_json(502, {"errors": [{"code": "UNAVAILABLE", "message": "upstream: %s" % e}]})
            return
        try:
            self.relay_response(resp, drop_mid=(kind == "drop_mid"))
        finally:
            conn.close()

    def relay_response(self, resp, drop_mid=False):
        has_body = self.command != "HEAD" and resp.status >= 200 and resp.status not in NO_BODY_STATUSES
        length = None
        if has_body and not resp.chunked and resp.length is not None:
            length = resp.length
        drop_at = None
        if drop_mid:
            if not has_body or length == 0:
                self.reset_connection()  # the request was served upstream; the client never hears of it
            drop_at = self.server.policy.drop_offset(length)
        body_filter = self.server.policy.body_filter(self, resp.status, length) if has_body else None

        self.send_response_only(resp.status, resp.reason)
        for key, value in resp.getheaders():
            lower = key.lower()
            if lower in HOP_BY_HOP:
                continue
            if lower in ("location", "link", "content-location"):
                value = self.rewrite(value)
            self.send_header(key, value)
        if has_body and length is None:
            self.send_header("Transfer-Encoding", "chunked")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not has_body:
            return

        sent = 0
        chunked = length is None

        def emit(data):
            nonlocal sent
            if not data:
                return
            if drop_at is not None and sent + len(data) > drop_at:
                part = data[:drop_at - sent]
                if part:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
                self.reset_connection()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            sent += len(data)

        buf = bytearray(CHUNK)
        view = memoryview(buf)
        while True:
            try:
                n = resp.readinto(view)
            except (http.client.HTTPException, OSError):
                # The upstream broke off: pass the breakage on rather than invent an ending.
                self.reset_connection()
            if not n:
                break
            data = bytes(view[:n])
            self.write_out(emit, body_filter.feed(data) if body_filter else data)
        if body_filter:
            self.write_out(emit, body_filter.finish())
        if drop_at is not None:
            self.reset_connection()  # chunked body shorter than the drop point: withhold the last chunk
        if chunked:
            self.write_out(lambda d: self.wfile.write(d), b"0\r\n\r\n")

    def write_out(self, emit, data):
        try:
            emit(data)
        except (BrokenPipeError, ConnectionResetError):
            raise ClientGone()


def common_args(description):
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--upstream", required=True, help="HOST:PORT of the registry (loopback only)")
    p.add_argument("--upstream-tls", action="store_true", help="talk HTTPS to the upstream")
    p.add_argument("--upstream-ca", help="CA file for --upstream-tls")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--exit-on-stdin-eof", action="store_true")
    return p


def serve(args, policy, name, handler=None):
    """Runs the proxy until told to stop; `handler` (a ProxyHandler subclass) may answer some requests itself."""
    server = ProxyServer(args.upstream, policy, args.upstream_tls, args.upstream_ca, args.port, handler)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if args.exit_on_stdin_eof:
        def watch():
            try:
                while os.read(0, 65536):
                    pass
            except OSError:
                pass
            stop.set()
        threading.Thread(target=watch, daemon=True).start()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    url = "http://127.0.0.1:%d" % server.port
    sys.stdout.write(json.dumps({"port": server.port, "url": url, "host": "127.0.0.1:%d" % server.port,
                                 "upstream": args.upstream, "stats_url": url + "/_proxy_stats",
                                 "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    sys.stderr.write("%s: ready on %s -> %s\n" % (name, url, args.upstream))
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    return 0
