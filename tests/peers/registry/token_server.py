"""Test token server for distribution's `auth.token` (the Docker registry v2 token protocol).

This is a stand-in: the token service of a hosted registry (Docker Hub, ghcr.io, Artifact Registry) cannot run
here, while the registry itself is the real CNCF distribution. It follows the documented protocol
(distribution docs/spec/auth/token.md, jwt.md, oauth.md) and signs JWTs the way distribution 2.8.2 verifies them
(RS256, x5c chain to `rootcertbundle`, string `aud`, integer times). The real registry accepting its tokens is
what checks its fidelity (selftest.sh drives it with skopeo).

Endpoints (paths depend on the challenge style):
  GET  <realm>?service=S&scope=...&scope=...[&offline_token=true]   (optional Basic auth)
  POST <realm>  form: grant_type=password|refresh_token, service, client_id, scope, [access_type=offline]
  GET  /_stats        request counters as JSON (no secrets)
  POST /_stats/reset  zero the counters
"""

import base64
import collections
import datetime
import fnmatch
import hmac
import json
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

import pki

ANONYMOUS = "<anonymous>"
ANY_USER = "*"
GOOGLE_ACCESS_TOKEN_USER = "oauth2accesstoken"

# Realm path and default service for each challenge style. Only the token server's shape changes with the
# style; the registry behind it is always distribution.
STYLES = {
    "generic": {"path": "/auth", "service": "berth-test-registry", "expires_in": True},
    "ghcr": {"path": "/token", "service": "ghcr.io", "expires_in": False},
    "gcp": {"path": "/v2/token", "service": "us-docker.pkg.dev", "expires_in": True},
}


def default_acl(public_repos=()):
    """alice: everything; reader: pull everywhere; other listed users: everything; anonymous: pull on public repos."""
    full = {"repository:*": ["*"], "registry:catalog": ["*"]}
    return {
        "alice": dict(full),
        "reader": {"repository:*": ["pull"]},
        ANY_USER: dict(full),
        ANONYMOUS: {"repository:" + glob: ["pull"] for glob in public_repos},
    }


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def parse_scope(scope):
    """Split `type:name:actions`; the name may itself hold a `:port`, so split at the first and last colon."""
    first = scope.find(":")
    last = scope.rfind(":")
    if first < 0 or last == first:
        return None
    kind, name, actions = scope[:first], scope[first + 1:last], scope[last + 1:]
    if not kind or not name:
        return None
    return kind, name, [a for a in actions.split(",") if a]


class Acl:
    def __init__(self, table):
        self.table = {}
        for user, rules in table.items():
            parsed = []
            for key, actions in rules.items():
                kind, sep, glob = key.partition(":")
                if not sep:
                    kind, glob = "repository", key
                parsed.append((kind, glob, set(actions)))
            self.table[user] = parsed

    def rules_for(self, user):
        if user in self.table:
            return self.table[user]
        if user == ANONYMOUS:
            return []
        return self.table.get(ANY_USER, [])

    def grant(self, user, kind, name, wanted):
        allowed = set()
        for rule_kind, glob, actions in self.rules_for(user):
            if rule_kind == kind and fnmatch.fnmatchcase(name, glob):
                allowed |= actions
        if "*" in allowed:
            return list(wanted)
        return [a for a in wanted if a in allowed]


class Signer:
    """RS256 JWTs whose key distribution finds through the x5c header (leaf, then the CA, standard base64 DER)."""

    def __init__(self, key, leaf_cert, ca_cert):
        self.key = key
        self.x5c = [base64.b64encode(pki.cert_der(c)).decode("ascii") for c in (leaf_cert, ca_cert)]

    def sign(self, claims):
        header = {"alg": "RS256", "typ": "JWT", "x5c": self.x5c}
        signing_input = (_b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         _b64url(json.dumps(claims, separators=(",", ":")).encode()))
        signature = self.key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + _b64url(signature)


class TokenServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *, users, acl, signer, issuer, service, style, ttl, oauth_post=True, tokeninfo_url=None):
        super().__init__(("127.0.0.1", 0), TokenHandler)
        self.users = dict(users)
        self.acl = acl
        self.signer = signer
        self.issuer = issuer
        self.service = service
        self.style = STYLES[style]
        self.realm_path = self.style["path"]
        self.ttl = ttl
        self.oauth_post = oauth_post
        # Artifact Registry style: user oauth2accesstoken with a Google access token as the password, checked with
        # the token's issuer (tests/standins/google's /tokeninfo) instead of the users table.
        self.tokeninfo_url = tokeninfo_url
        self.lock = threading.Lock()
        self.refresh_tokens = {}  # refresh token -> user name
        self.reset_stats()

    @property
    def port(self):
        return self.server_address[1]

    def reset_stats(self):
        with self.lock:
            self.stats = {
                "token_requests": 0,
                "get_requests": 0,
                "post_requests": 0,
                "failed_auth": 0,
                "bad_requests": 0,
                "by_user": collections.Counter(),
                "by_grant": collections.Counter(),
                "recent": collections.deque(maxlen=200),
            }

    def stats_json(self):
        with self.lock:
            s = dict(self.stats)
            s["by_user"] = dict(s["by_user"])
            s["by_grant"] = dict(s["by_grant"])
            s["recent"] = list(s["recent"])
            return s

    def count(self, method, user, grant, scopes, granted, status):
        with self.lock:
            s = self.stats
            s["token_requests"] += 1
            s["get_requests" if method == "GET" else "post_requests"] += 1
            if status == 401:
                s["failed_auth"] += 1
            elif status >= 400:
                s["bad_requests"] += 1
            else:
                s["by_user"][user] += 1
                s["by_grant"][grant] += 1
            s["recent"].append({"time": time.time(), "method": method, "user": user, "grant": grant,
                                "scopes": scopes, "granted": granted, "status": status})

    def check_password(self, user, password):
        if user == GOOGLE_ACCESS_TOKEN_USER and self.tokeninfo_url:
            return self.check_google_access_token(password)
        expected = self.users.get(user)
        if expected is None:
            # Compare anyway so that unknown and known users take the same time.
            hmac.compare_digest(password.encode(), b"\0" * 16)
            return False
        return hmac.compare_digest(password.encode(), expected.encode())

    def check_google_access_token(self, token):
        body = urllib.parse.urlencode({"access_token": token}).encode()
        try:
            with urllib.request.urlopen(urllib.request.Request(self.tokeninfo_url, data=body), timeout=10) as answer:
                return answer.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def new_refresh_token(self, user):
        token = "berth-rt-" + secrets.token_urlsafe(32)
        with self.lock:
            self.refresh_tokens[token] = user
        return token

    def user_for_refresh_token(self, token):
        with self.lock:
            return self.refresh_tokens.get(token)

    def issue(self, user, scopes):
        """Return (jwt, granted access list) for the asked scopes, granting the intersection with the ACL."""
        access = []
        for kind, name, wanted in scopes:
            actions = self.acl.grant(user, kind, name, wanted)
            if not actions:
                continue
            for entry in access:
                if entry["type"] == kind and entry["name"] == name:
                    entry["actions"] = sorted(set(entry["actions"]) | set(actions))
                    break
            else:
                access.append({"type": kind, "name": name, "actions": actions})
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "" if user == ANONYMOUS else user,
            "aud": self.service,
            "exp": now + self.ttl,
            "nbf": now,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        return self.signer.sign(claims), access, now


def _scope_string(access):
    return " ".join("%s:%s:%s" % (a["type"], a["name"], ",".join(a["actions"])) for a in access)


class TokenHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "berth-test-token/1"

    def log_message(self, fmt, *args):
        # The request line carries only service and scope, never credentials.
        sys.stderr.write("token-server: %s\n" % (fmt % args))

    def _send_json(self, status, body, extra_headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _unauthorized(self, method, grant, scopes, message):
        self.server.count(method, None, grant, scopes, [], 401)
        self._send_json(
            401,
            {"errors": [{"code": "UNAUTHORIZED", "message": message, "detail": None}],
             "error": "invalid_grant", "error_description": message, "details": message},
            [("WWW-Authenticate", 'Basic realm="berth-test-token"')])

    def _bad_request(self, method, scopes, message, oauth_error="invalid_request"):
        self.server.count(method, None, None, scopes, [], 400)
        self._send_json(400, {"errors": [{"code": "BAD_REQUEST", "message": message, "detail": None}],
                              "error": oauth_error, "error_description": message})

    def _parse_scopes(self, raw_list):
        scopes, texts = [], []
        for raw in raw_list:
            for text in raw.split():
                parsed = parse_scope(text)
                if parsed is None:
                    return None, texts + [text]
                scopes.append(parsed)
                texts.append(text)
        return scopes, texts

    def _answer(self, token, issued, extra):
        body = {"token": token, "access_token": token}
        if self.server.style["expires_in"]:
            body["expires_in"] = self.server.ttl
            body["issued_at"] = datetime.datetime.fromtimestamp(
                issued, datetime.timezone.utc).isoformat().replace("+00:00", "Z")
        body.update(extra)
        return body

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_stats":
            self._send_json(200, self.server.stats_json())
            return
        if url.path != self.server.realm_path:
            self._send_json(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})
            return
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        scopes, texts = self._parse_scopes(query.get("scope", []))
        if scopes is None:
            self._bad_request("GET", texts, "malformed scope")
            return
        service = query.get("service", [""])[0]
        if service != self.server.service:
            self._bad_request("GET", texts, "unknown service %r" % service)
            return

        user, grant = ANONYMOUS, "anonymous"
        header = self.headers.get("Authorization")
        if header:
            scheme, _, value = header.partition(" ")
            if scheme.lower() != "basic":
                self._unauthorized("GET", "basic", texts, "only Basic credentials are accepted here")
                return
            try:
                name, sep, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                name, sep, password = "", "", ""
            if not sep or not self.server.check_password(name, password):
                self._unauthorized("GET", "basic", texts, "incorrect username or password")
                return
            user, grant = name, "basic"

        token, access, issued = self.server.issue(user, scopes)
        extra = {}
        if query.get("offline_token", [""])[0].lower() == "true" and user != ANONYMOUS:
            extra["refresh_token"] = self.server.new_refresh_token(user)
        self.server.count("GET", user, grant, texts, access, 200)
        self._send_json(200, self._answer(token, issued, extra))

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        if url.path == "/_stats/reset":
            self.server.reset_stats()
            self._send_json(200, {"reset": True})
            return
        if url.path != self.server.realm_path or not self.server.oauth_post:
            # A 404 here is what makes clients fall back to GET.
            self._send_json(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})
            return
        form = urllib.parse.parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        field = lambda k: form.get(k, [""])[0]
        scopes, texts = self._parse_scopes(form.get("scope", []))
        if scopes is None:
            self._bad_request("POST", texts, "malformed scope", "invalid_scope")
            return
        if field("service") != self.server.service:
            self._bad_request("POST", texts, "unknown service %r" % field("service"))
            return
        if not field("client_id"):
            self._bad_request("POST", texts, "client_id is required")
            return
        grant = field("grant_type")
        refresh = None
        if grant == "password":
            user = field("username")
            if not user or not self.server.check_password(user, field("password")):
                self._unauthorized("POST", grant, texts, "incorrect username or password")
                return
            if field("access_type") == "offline":
                refresh = self.server.new_refresh_token(user)
        elif grant == "refresh_token":
            user = self.server.user_for_refresh_token(field("refresh_token"))
            if user is None:
                self._unauthorized("POST", grant, texts, "invalid refresh token")
                return
            if field("access_type") == "offline":
                refresh = field("refresh_token")
        else:
            self._bad_request("POST", texts, "unsupported grant_type %r" % grant, "unsupported_grant_type")
            return
        token, access, issued = self.server.issue(user, scopes)
        body = {"access_token": token, "scope": _scope_string(access)}
        if self.server.style["expires_in"]:
            body["expires_in"] = self.server.ttl
            body["issued_at"] = datetime.datetime.fromtimestamp(
                issued, datetime.timezone.utc).isoformat().replace("+00:00", "Z")
        if refresh:
            body["refresh_token"] = refresh
        self.server.count("POST", user, grant, texts, access, 200)
        self._send_json(200, body)
