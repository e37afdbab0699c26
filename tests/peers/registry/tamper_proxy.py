#!/usr/bin/python3
"""Loopback reverse proxy in front of a registry that corrupts one byte of blob and/or manifest GET bodies.

Headers (Docker-Content-Digest, Content-Length, Content-Type) pass through untouched, so only a client that hashes
what it received notices. Blobs: the byte at --offset (default: the middle one) is XORed with 0x01. Manifests: the
change keeps the JSON valid and meaning the same where it can (a whitespace byte swapped for another, or two members
of the top-level object swapped when that keeps the length), so that the digest check, not the JSON parser, must be
what catches it; otherwise one byte in the middle is XORed.

GET /_proxy_stats answers {"requests", "by_method", "tampered": {"blob": n, "manifest": n}, ...}.
"""

import collections
import os
import re
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import proxy_core  # noqa: E402

BLOB_RE = re.compile(r"^/v2/.+/blobs/[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$")
MANIFEST_RE = re.compile(r"^/v2/.+/manifests/[^/]+$")
MAX_MANIFEST = 8 << 20
WHITESPACE = b" \t\n\r"


def _top_level_commas(body):
    """Offsets of the commas that separate the members of a top-level JSON object (compact or not)."""
    commas, depth = [], 0
    in_string = escaped = False
    for i, c in enumerate(body):
        if in_string:
            if escaped:
                escaped = False
            elif c == 0x5C:
                escaped = True
            elif c == 0x22:
                in_string = False
        elif c == 0x22:
            in_string = True
        elif c in b"{[":
            depth += 1
        elif c in b"}]":
            depth -= 1
        elif c == 0x2C and depth == 1:
            commas.append(i)
    return commas


def flip_json_preserving(body):
    """Change a JSON document's bytes but not its meaning or length, so that only a digest check can notice."""
    in_string = escaped = False
    for i, c in enumerate(body):
        if in_string:
            if escaped:
                escaped = False
            elif c == 0x5C:
                escaped = True
            elif c == 0x22:
                in_string = False
        elif c == 0x22:
            in_string = True
        elif c in WHITESPACE:
            return body[:i] + (b"\t" if c != 0x09 else b" ") + body[i + 1:]
    # Compact JSON: swap the raw text of the first two members of the top-level object.
    stripped = body.strip()
    if stripped.startswith(b"{") and stripped.endswith(b"}"):
        commas = _top_level_commas(body)
        if commas:
            open_at = body.index(b"{")
            end = commas[1] if len(commas) > 1 else body.rindex(b"}")
            first, second = body[open_at + 1:commas[0]], body[commas[0] + 1:end]
            if first != second:
                return body[:open_at + 1] + second + b"," + first + body[end:]
    mid = len(body) // 2
    return body[:mid] + bytes([body[mid] ^ 0x01]) + body[mid + 1:]


class FlipAt:
    """Streams through, XORing the byte at absolute offset `at` of the body."""

    def __init__(self, at):
        self.at = at
        self.pos = 0

    def feed(self, data):
        end = self.pos + len(data)
        if self.pos <= self.at < end:
            data = bytearray(data)
            data[self.at - self.pos] ^= 0x01
            data = bytes(data)
        self.pos = end
        return data

    def finish(self):
        return b""


class BufferedJsonFlip:
    def __init__(self):
        self.parts = []
        self.size = 0

    def feed(self, data):
        self.size += len(data)
        if self.size > MAX_MANIFEST:
            raise proxy_core.Abort()
        self.parts.append(data)
        return b""

    def finish(self):
        return flip_json_preserving(b"".join(self.parts))


class TamperPolicy(proxy_core.Policy):
    def __init__(self, tamper, offset, max_tampers):
        self.blobs = tamper in ("blob", "both")
        self.manifests = tamper in ("manifest", "both")
        self.offset = offset
        self.max_tampers = max_tampers
        self.lock = threading.Lock()
        self.counts = {"blob": 0, "manifest": 0}
        self.recent = collections.deque(maxlen=200)

    def stats(self):
        with self.lock:
            return {"tampered": dict(self.counts), "recent_tampered": list(self.recent)}

    def _take(self, kind, path):
        with self.lock:
            if self.max_tampers >= 0 and sum(self.counts.values()) >= self.max_tampers:
                return False
            self.counts[kind] += 1
            self.recent.append({"kind": kind, "path": path})
        sys.stderr.write("tamper_proxy: corrupting %s %s\n" % (kind, path))
        return True

    def blob_offset(self, length):
        if length is None:
            return 0
        if self.offset == "first":
            return 0
        if self.offset == "last":
            return length - 1
        if self.offset == "middle":
            return length // 2
        return min(int(self.offset), length - 1)

    def body_filter(self, handler, status, length):
        if handler.command != "GET" or status not in (200, 206) or length == 0:
            return None
        path = handler.path.split("?")[0]
        if self.blobs and BLOB_RE.match(path) and self._take("blob", path):
            return FlipAt(self.blob_offset(length))
        if self.manifests and MANIFEST_RE.match(path) and self._take("manifest", path):
            return BufferedJsonFlip()
        return None


def main(argv):
    p = proxy_core.common_args(__doc__)
    p.add_argument("--tamper", choices=["blob", "manifest", "both"], default="both")
    p.add_argument("--offset", default="middle", help="blob byte to flip: first, middle, last or a number")
    p.add_argument("--max-tampers", type=int, default=-1, help="stop corrupting after this many bodies (-1: never)")
    args = p.parse_args(argv)
    if args.offset not in ("first", "middle", "last") and not args.offset.isdigit():
        p.error("--offset must be first, middle, last or a number")
    return proxy_core.serve(args, TamperPolicy(args.tamper, args.offset, args.max_tampers), "tamper_proxy")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
