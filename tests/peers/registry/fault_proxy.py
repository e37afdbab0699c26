#!/usr/bin/python3
"""Loopback reverse proxy in front of a registry that injects seeded, retry-safe faults.

Kinds of fault:
  drop_before  hang up (TCP RST) before anything reaches the registry; a request body is partly read, never forwarded
  drop_mid     GET only: forward, then hang up part way through the response body
  status_503   answer 503 UNAVAILABLE without forwarding
  status_429   answer 429 TOOMANYREQUESTS with Retry-After without forwarding
Requests that change state (POST, PUT, PATCH, DELETE) are only ever broken before they are forwarded, so that the
registry's upload state machine is left as it was and a correct client can always retry or resume.

--each-kind-first makes the schedule independent of request order: while a kind has not happened yet, the next
request that can take it gets it (drop_mid: the first blob GET), before any random fault. A test that must see
every kind sets it; the seeded rates then add the rest.

GET /_proxy_stats answers {"requests", "by_method", "faults": {kind: n}, "total_faults", "recent_faults", ...}.
"""

import collections
import random
import re
import socket
import sys
import threading
import time
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import proxy_core  # noqa: E402

KINDS = ("drop_before", "drop_mid", "status_503", "status_429")
NEVER_AFTER_FORWARD = {"POST", "PUT", "PATCH", "DELETE"}


def client_connected(sock):
    """Whether the client's end is still open (TCP_ESTABLISHED), even with unread request bytes buffered."""
    try:
        return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0] == 1
    except OSError:
        return False


class FaultPolicy(proxy_core.Policy):
    def __init__(self, seed, drop_rate, rate_503, rate_429, retry_after, max_faults, match, methods,
                 delay_ms=0, delay_methods=None, each_kind_first=False):
        if drop_rate + rate_503 + rate_429 > 1.0:
            raise SystemExit("the fault rates add up to more than 1")
        self.rng = random.Random(seed)
        self.drop_rate, self.rate_503, self.rate_429 = drop_rate, rate_503, rate_429
        self.retry_after = retry_after
        self.max_faults = max_faults
        self.match = re.compile(match) if match else None
        self.methods = {m.strip().upper() for m in methods.split(",") if m.strip()} if methods else None
        self.lock = threading.Lock()
        self.counts = collections.Counter({k: 0 for k in KINDS})
        self.total = 0
        self.recent = collections.deque(maxlen=200)
        self.delay = delay_ms / 1000.0
        self.delay_methods = {m.strip().upper() for m in delay_methods.split(",") if m.strip()} if delay_methods else None
        self.each_kind_first = each_kind_first

    def first_missing_kind(self, method, path):
        """The kind not yet seen that this request can take, for --each-kind-first (lock held)."""
        for kind in KINDS:
            if self.counts[kind]:
                continue
            if kind == "drop_mid" and not (method == "GET" and "/blobs/sha256:" in path):
                continue
            return kind
        return None

    def stats(self):
        with self.lock:
            return {"faults": dict(self.counts), "total_faults": self.total,
                    "max_faults": self.max_faults, "recent_faults": list(self.recent)}

    def before_forward(self, handler):
        method, path = handler.command, handler.path
        if self.delay and (self.delay_methods is None or method in self.delay_methods):
            time.sleep(self.delay)  # A slow link, so that a client can be stopped mid-upload.
            if not client_connected(handler.connection):
                # The client died while its request was on the slow link: it never reaches the registry.
                sys.stderr.write("fault_proxy: client gone, %s %s not forwarded\n" % (method, path))
                raise proxy_core.ClientGone()
        if self.methods is not None and method not in self.methods:
            return None
        if self.match and not self.match.search(path):
            return None
        with self.lock:
            if self.max_faults >= 0 and self.total >= self.max_faults:
                return None
            r = self.rng.random()
            forced = self.first_missing_kind(method, path) if self.each_kind_first else None
            if forced:
                kind = forced
            elif r < self.drop_rate:
                # Only a read may be broken after it reached the registry.
                kind = "drop_mid" if method == "GET" and self.rng.random() < 0.5 else "drop_before"
            elif r < self.drop_rate + self.rate_503:
                kind = "status_503"
            elif r < self.drop_rate + self.rate_503 + self.rate_429:
                kind = "status_429"
            else:
                return None
            assert not (kind == "drop_mid" and method in NEVER_AFTER_FORWARD)
            self.total += 1
            self.counts[kind] += 1
            self.recent.append({"method": method, "path": path, "kind": kind})
        sys.stderr.write("fault_proxy: %s on %s %s\n" % (kind, method, path))
        return kind

    def drop_offset(self, length):
        with self.lock:
            if length:
                return self.rng.randrange(0, length)
            return self.rng.randrange(0, 4096)


def main(argv):
    p = proxy_core.common_args(__doc__)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--drop-rate", type=float, default=0.1)
    p.add_argument("--503-rate", dest="rate_503", type=float, default=0.1)
    p.add_argument("--429-rate", dest="rate_429", type=float, default=0.1)
    p.add_argument("--retry-after", type=int, default=1, help="seconds, sent with 429")
    p.add_argument("--max-faults", type=int, default=-1, help="bound on injected faults (-1: none)")
    p.add_argument("--match", help="only requests whose path matches this regex may be broken")
    p.add_argument("--methods", help="only these methods may be broken (comma separated)")
    p.add_argument("--delay-ms", type=int, default=0, help="wait this long before forwarding each request (not a fault)")
    p.add_argument("--delay-methods", help="only delay these methods (comma separated; default all)")
    p.add_argument("--each-kind-first", action="store_true",
                   help="inject each kind of fault once as soon as a request can take it, before random ones")
    args = p.parse_args(argv)
    policy = FaultPolicy(args.seed, args.drop_rate, args.rate_503, args.rate_429, args.retry_after,
                         args.max_faults, args.match, args.methods, args.delay_ms, args.delay_methods,
                         args.each_kind_first)
    return proxy_core.serve(args, policy, "fault_proxy")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
