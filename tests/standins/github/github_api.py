#!/usr/bin/python3
# STAND-IN, NOT GITHUB. A test-only imitation of a subset of the GitHub REST API (api.github.com, API version
# 2022-11-28) for berth's ghcr plugin and GitHub Actions secret store, which cannot reach GitHub from a test machine.
#
# Follows GitHub's documented REST API:
#   - Packages: "List package versions for a package owned by an organization / the authenticated user / a user",
#     "Get a package version", "Delete package version" (docs.github.com/rest/packages/packages).
#   - Actions secrets: "Get a repository public key", "List/Get/Create or update/Delete a repository secret", and the
#     same for environment secrets under /repos/{owner}/{repo}/environments/{environment_name}/secrets
#     (docs.github.com/rest/actions/secrets). Values are libsodium sealed boxes (crypto_box_seal) to an X25519 key.
#   - Authentication ("Authorization: Bearer|token <token>"), classic-token scopes (X-OAuth-Scopes,
#     X-Accepted-OAuth-Scopes), pagination (per_page/page and the Link header), rate limit headers and the primary
#     (403, X-RateLimit-Remaining: 0) and secondary (429, Retry-After) rate-limit answers
#     (docs.github.com/rest/using-the-rest-api).
# See tests/standins/README.md for what it leaves out, its options and the ready-line fields.
#
# Needs /usr/bin/python3 with Debian's python3-nacl.

import base64
import json
import math
import os
import random
import re
import secrets
import string
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import http_standin  # noqa: E402
from http_standin import JsonResponse, Response, Rfc3339  # noqa: E402

import nacl.exceptions  # noqa: E402
import nacl.public  # noqa: E402

kDocs = "https://docs.github.com/rest"
kApiVersions = ("2022-11-28", "2026-03-10")
kDefaultScopes = ["repo", "read:packages", "write:packages", "delete:packages", "workflow", "read:org"]
# A classic scope that includes another one (GitHub ticks read:packages when write:packages is chosen).
kImpliedScopes = {"write:packages": ["read:packages"], "admin:org": ["write:org", "read:org"],
                  "write:org": ["read:org"]}
kSecretNamePattern = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
kMaxSecretBytes = 48 * 1024
kRateLimit = 5000

kSegment = r"([^/]+)"
kOwnerPrefixes = (
    ("orgs", r"/orgs/" + kSegment),
    ("users", r"/users/" + kSegment),
    ("user", r"/user()"),
)


def Error(status, message, doc_path="", headers=None):
    return JsonResponse(status, {"message": message, "documentation_url": kDocs + doc_path,
                                 "status": str(status)}, headers)


class GitHubStandin(http_standin.StandinApp):
    def __init__(self, args):
        super().__init__()
        self.tokens = {}
        if args.tokens:
            with open(args.tokens) as f:
                self.tokens = json.load(f)
            self.default_token = None
        else:
            self.default_token = "ghp_" + "".join(
                random.SystemRandom().choice(string.ascii_letters + string.digits) for _ in range(36))
            self.tokens[self.default_token] = {"login": "standin-user", "scopes": list(kDefaultScopes)}
        self.packages = {}
        self.next_version_id = 1000
        if args.packages:
            with open(args.packages) as f:
                self.SeedPackages(json.load(f))
        self.secrets = {}  # (owner/repo, environment or None) -> {NAME: {"value": bytes, created_at, updated_at}}
        self.temp_dir = self.MakeTempDir("github-standin-")
        self.key_file = os.path.join(self.temp_dir, "actions_secrets_key.json")
        self.RotateKey()
        self.rate_limit_after = args.rate_limit_after
        self.used = 0
        self.window_count = 0
        self.limited_until = None
        self.limited_kind = None
        self.limited_reset = None
        self.next_limit_kind = "primary"

        for kind, prefix in kOwnerPrefixes:
            versions = prefix + r"/packages/container/" + kSegment + r"/versions"
            self.AddRoute("GET", versions, self.MakeHandler(self.ListVersions, kind))
            self.AddRoute("GET", versions + r"/([0-9]+)", self.MakeHandler(self.GetVersion, kind))
            self.AddRoute("DELETE", versions + r"/([0-9]+)", self.MakeHandler(self.DeleteVersion, kind))
        repo = r"/repos/" + kSegment + "/" + kSegment
        for env_part in ("/actions", "/environments/" + kSegment):
            base = repo + env_part + "/secrets"
            has_env = env_part != "/actions"
            self.AddRoute("GET", base + "/public-key", self.MakeSecretHandler(self.GetPublicKey, has_env))
            self.AddRoute("GET", base, self.MakeSecretHandler(self.ListSecrets, has_env))
            self.AddRoute("GET", base + "/" + kSegment, self.MakeSecretHandler(self.GetSecret, has_env))
            self.AddRoute("PUT", base + "/" + kSegment, self.MakeSecretHandler(self.PutSecret, has_env))
            self.AddRoute("DELETE", base + "/" + kSegment, self.MakeSecretHandler(self.DeleteSecret, has_env))
        self.AddRoute("GET", r"/user", self.GetUser)
        self.AddRoute("GET", r"/rate_limit", self.GetRateLimit)

        self.AddRoute("POST", r"/_standin/packages", self.ControlSetPackages, control=True)
        self.AddRoute("GET", r"/_standin/packages", self.ControlGetPackages, control=True)
        self.AddRoute("GET", r"/_standin/secrets", self.ControlGetSecrets, control=True)
        self.AddRoute("POST", r"/_standin/tokens", self.ControlAddTokens, control=True)
        self.AddRoute("POST", r"/_standin/config", self.ControlConfig, control=True)
        self.AddRoute("POST", r"/_standin/rotate-secrets-key", self.ControlRotateKey, control=True)

    # ---- seeding -------------------------------------------------------------------------------------------------

    def SeedPackages(self, seed):
        packages = {}
        base_time = time.time()
        for kind in ("orgs", "users"):
            for owner, by_name in (seed.get(kind) or {}).items():
                for name, versions in by_name.items():
                    stored = []
                    for index, version in enumerate(versions):
                        if "id" in version:
                            version_id = int(version["id"])
                            self.next_version_id = max(self.next_version_id, version_id + 1)
                        else:
                            version_id = self.next_version_id
                            self.next_version_id += 1
                        # Seeds are listed newest first, as GitHub lists versions.
                        created = version.get("created_at") or Rfc3339(base_time - 60 * index)
                        stored.append({
                            "id": version_id,
                            "name": version["name"],
                            "tags": list(version.get("tags", [])),
                            "created_at": created,
                            "updated_at": version.get("updated_at") or created,
                            "deleted": bool(version.get("deleted", False)),
                        })
                    packages[(kind, owner.lower(), name)] = stored
        with self.lock:
            self.packages = packages

    def RotateKey(self):
        with self.lock:
            self.private_key = nacl.public.PrivateKey.generate()
            self.key_id = str(random.SystemRandom().randrange(10 ** 17, 10 ** 18))
            http_standin.WritePrivateFile(self.key_file, json.dumps({
                "key_id": self.key_id,
                "public_key": base64.b64encode(bytes(self.private_key.public_key)).decode(),
                "private_key": base64.b64encode(bytes(self.private_key)).decode(),
            }) + "\n")

    # ---- cross-cutting behaviour ---------------------------------------------------------------------------------

    def BeforeRoute(self, request):
        if not request.Header("User-Agent"):
            return Response(403, "Request forbidden by administrative rules. Please make sure your request has a "
                            "User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api"
                            "#user-agent-required). Check https://developer.github.com for other possible causes.\n",
                            content_type="text/plain; charset=utf-8")
        version = request.Header("X-GitHub-Api-Version")
        if version is not None and version not in kApiVersions:
            return Error(400, "API version %s is not supported." % version,
                         "/about-the-rest-api/api-versions")
        return self.RateLimit()

    def RateLimit(self):
        with self.lock:
            self.used += 1
            if self.rate_limit_after is None:
                return None
            now = time.time()
            if self.limited_until is not None:
                if now < self.limited_until:
                    return self.LimitedResponse()
                self.limited_until = None
                self.window_count = 0
            if self.window_count >= self.rate_limit_after:
                self.limited_kind = self.next_limit_kind
                self.next_limit_kind = "secondary" if self.limited_kind == "primary" else "primary"
                self.limited_until = now + 1.0
                self.limited_reset = int(math.ceil(self.limited_until))
                return self.LimitedResponse()
            self.window_count += 1
            return None

    def LimitedResponse(self):
        if self.limited_kind == "primary":
            return Error(403, "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, "
                         "please include the request ID.", "/overview/rate-limits-for-the-rest-api",
                         [("X-RateLimit-Limit", str(kRateLimit)), ("X-RateLimit-Remaining", "0"),
                          ("X-RateLimit-Used", str(kRateLimit)), ("X-RateLimit-Reset", str(self.limited_reset)),
                          ("X-RateLimit-Resource", "core")])
        return Error(429, "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
                     "again.", "/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
                     [("Retry-After", "1")])

    def DecorateResponse(self, request, response):
        if request.raw_path.startswith("/_standin/"):
            return
        if response.HeaderValue("X-RateLimit-Remaining") is None:
            with self.lock:
                used = min(self.used, kRateLimit - 1)
            response.AddHeader("X-RateLimit-Limit", kRateLimit)
            response.AddHeader("X-RateLimit-Remaining", kRateLimit - used)
            response.AddHeader("X-RateLimit-Used", used)
            response.AddHeader("X-RateLimit-Reset", int(time.time()) + 3600)
            response.AddHeader("X-RateLimit-Resource", "core")
        response.AddHeader("X-GitHub-Media-Type", "github.v3; format=json")
        response.AddHeader("X-GitHub-Api-Version-Selected", request.Header("X-GitHub-Api-Version") or kApiVersions[0])
        response.AddHeader("X-GitHub-Request-Id", secrets.token_hex(8).upper())

    def NotFound(self, request, method_mismatch=False):
        return Error(404, "Not Found")

    def RecordExtra(self, request, response):
        # Which identity a call ran as, without keeping the token itself.
        return {"login": getattr(request, "auth_login", None)}

    def Authenticate(self, request, required_scopes):
        """Returns (login, None) or (None, error Response)."""
        header = request.Header("Authorization")
        if not header:
            return None, Error(401, "Requires authentication")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        with self.lock:
            info = self.tokens.get(token) if scheme.lower() in ("bearer", "token") else None
        if info is None:
            return None, Error(401, "Bad credentials")
        granted = set(info.get("scopes", []))
        for scope in list(granted):
            granted.update(kImpliedScopes.get(scope, []))
        request.token_scopes = ", ".join(info.get("scopes", []))
        request.auth_login = info.get("login", "standin-user")
        missing = [s for s in required_scopes if s not in granted]
        if missing:
            return None, Error(403, "Your token has not been granted the required scopes to execute this query. "
                               "The '%s' scope is required, but your token has only been granted the: [%s] scopes."
                               % ("', '".join(missing), request.token_scopes), "",
                               [("X-Accepted-OAuth-Scopes", ", ".join(required_scopes)),
                                ("X-OAuth-Scopes", request.token_scopes)])
        return info.get("login", "standin-user"), None

    def Authorized(self, response, request, required_scopes):
        response.AddHeader("X-OAuth-Scopes", getattr(request, "token_scopes", ""))
        response.AddHeader("X-Accepted-OAuth-Scopes", ", ".join(required_scopes))
        return response

    def Paginate(self, request, items, default_per_page=30):
        """Returns (page_items, Link header value or None) like GitHub: per_page (max 100) and 1-based page."""
        def IntParam(name, default):
            try:
                return int(request.QueryOne(name, default))
            except (TypeError, ValueError):
                return default
        per_page = max(1, min(100, IntParam("per_page", default_per_page)))
        page = max(1, IntParam("page", 1))
        last = max(1, int(math.ceil(len(items) / float(per_page))))
        start = (page - 1) * per_page
        page_items = items[start:start + per_page]

        def PageUrl(number):
            pairs = [(k, v) for k, v in request.query_pairs if k != "page"]
            pairs.append(("page", str(number)))
            return "<%s%s?%s>" % (self.base_url, request.raw_path, urllib.parse.urlencode(pairs))
        links = []
        if page > 1:
            links.append('%s; rel="prev"' % PageUrl(min(page - 1, last)))
        if page < last:
            links.append('%s; rel="next"' % PageUrl(page + 1))
            links.append('%s; rel="last"' % PageUrl(last))
        if page > 1:
            links.append('%s; rel="first"' % PageUrl(1))
        return page_items, (", ".join(links) if links else None)

    # ---- packages ------------------------------------------------------------------------------------------------

    def MakeHandler(self, method, kind):
        return lambda request, match: method(request, kind, match)

    def ResolvePackage(self, request, kind, match, required_scopes):
        login, error = self.Authenticate(request, required_scopes)
        if error:
            return None, None, error
        if kind == "user":
            store_kind, owner = "users", login
        else:
            store_kind, owner = kind, urllib.parse.unquote(match.group(1))
        name = urllib.parse.unquote(match.group(2))
        with self.lock:
            versions = self.packages.get((store_kind, owner.lower(), name))
        if versions is None:
            return None, None, Error(404, "Package not found.", "/packages/packages")
        return (store_kind, owner, name), versions, None

    def VersionJson(self, key, version):
        kind, owner, name = key
        quoted = urllib.parse.quote(name, safe="")
        return {
            "id": version["id"],
            "name": version["name"],
            "url": "%s/%s/%s/packages/container/%s/versions/%d" % (self.base_url, kind, owner, quoted,
                                                                   version["id"]),
            "package_html_url": "https://github.com/%s/%s/packages/container/package/%s" % (kind, owner, quoted),
            "created_at": version["created_at"],
            "updated_at": version["updated_at"],
            "html_url": "https://github.com/%s/%s/packages/container/%s/%d" % (kind, owner, quoted, version["id"]),
            "metadata": {"package_type": "container", "container": {"tags": list(version["tags"])}},
        }

    def ListVersions(self, request, kind, match):
        scopes = ["read:packages"]
        key, versions, error = self.ResolvePackage(request, kind, match, scopes)
        if error:
            return error
        state = request.QueryOne("state", "active")
        if state not in ("active", "deleted"):
            return Error(422, "Validation Failed: state must be one of active, deleted", "/packages/packages")
        with self.lock:
            chosen = [v for v in versions if v["deleted"] == (state == "deleted")]
            body = [self.VersionJson(key, v) for v in chosen]
        page, link = self.Paginate(request, body)
        response = JsonResponse(200, page)
        if link:
            response.AddHeader("Link", link)
        return self.Authorized(response, request, scopes)

    def FindVersion(self, versions, version_id):
        for version in versions:
            if version["id"] == version_id:
                return version
        return None

    def GetVersion(self, request, kind, match):
        scopes = ["read:packages"]
        key, versions, error = self.ResolvePackage(request, kind, match, scopes)
        if error:
            return error
        with self.lock:
            version = self.FindVersion(versions, int(match.group(3)))
            if version is None:
                return Error(404, "Not Found", "/packages/packages")
            body = self.VersionJson(key, version)
        return self.Authorized(JsonResponse(200, body), request, scopes)

    def DeleteVersion(self, request, kind, match):
        scopes = ["read:packages", "delete:packages"]
        key, versions, error = self.ResolvePackage(request, kind, match, scopes)
        if error:
            return error
        with self.lock:
            version = self.FindVersion(versions, int(match.group(3)))
            if version is None or version["deleted"]:
                return Error(404, "Not Found", "/packages/packages")
            if sum(1 for v in versions if not v["deleted"]) == 1:
                return Error(400, "You cannot delete the last version of a package. You must delete the package "
                             "instead.", "/packages/packages")
            version["deleted"] = True
            version["updated_at"] = Rfc3339(time.time())
        return self.Authorized(Response(204), request, scopes)

    # ---- Actions secrets -----------------------------------------------------------------------------------------

    def MakeSecretHandler(self, method, has_env):
        def Handler(request, match):
            groups = [urllib.parse.unquote(g) for g in match.groups()]
            repo = "%s/%s" % (groups[0], groups[1])
            environment = groups[2] if has_env else None
            name = groups[3 if has_env else 2] if len(groups) > (3 if has_env else 2) else None
            login, error = self.Authenticate(request, ["repo"])
            if error:
                return error
            return self.Authorized(method(request, (repo, environment), name), request, ["repo"])
        return Handler

    def GetPublicKey(self, request, scope, name):
        with self.lock:
            return JsonResponse(200, {"key_id": self.key_id,
                                      "key": base64.b64encode(bytes(self.private_key.public_key)).decode()})

    def SecretJson(self, name, stored):
        return {"name": name, "created_at": stored["created_at"], "updated_at": stored["updated_at"]}

    def ListSecrets(self, request, scope, name):
        with self.lock:
            stored = self.secrets.get(scope, {})
            items = [self.SecretJson(n, stored[n]) for n in sorted(stored)]
        page, link = self.Paginate(request, items)
        response = JsonResponse(200, {"total_count": len(items), "secrets": page})
        if link:
            response.AddHeader("Link", link)
        return response

    def GetSecret(self, request, scope, name):
        with self.lock:
            stored = self.secrets.get(scope, {}).get(name.upper())
            if stored is None:
                return Error(404, "Not Found", "/actions/secrets")
            return JsonResponse(200, self.SecretJson(name.upper(), stored))

    def PutSecret(self, request, scope, name):
        doc = "/actions/secrets#create-or-update-a-repository-secret"
        try:
            body = request.Json()
        except ValueError:
            return Error(400, "Problems parsing JSON", doc)
        if not isinstance(body, dict):
            return Error(400, "Problems parsing JSON", doc)
        if not kSecretNamePattern.match(name) or name.upper().startswith("GITHUB_"):
            return Error(422, "Secret names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or "
                         "underscores (_), must not start with a number or the GITHUB_ prefix.", doc)
        for field in ("encrypted_value", "key_id"):
            if not isinstance(body.get(field), str):
                return Error(422, "Invalid request.\n\n\"%s\" wasn't supplied." % field, doc)
        with self.lock:
            if body["key_id"] != self.key_id:
                return Error(422, "Invalid request.\n\nkey_id %s is not the repository's current public key."
                             % body["key_id"], doc)
            box = nacl.public.SealedBox(self.private_key)
        try:
            ciphertext = base64.b64decode(body["encrypted_value"], validate=True)
            value = box.decrypt(ciphertext)
        except (ValueError, nacl.exceptions.CryptoError):
            return Error(422, "Invalid request.\n\nencrypted_value is not a sealed box for the repository's "
                         "public key.", doc)
        if len(value) > kMaxSecretBytes:
            return Error(422, "Secret value is larger than 48 KB.", doc)
        now = Rfc3339(time.time())
        with self.lock:
            stored = self.secrets.setdefault(scope, {})
            existing = stored.get(name.upper())
            if existing:
                existing["value"] = value
                existing["updated_at"] = now
                return Response(204)
            stored[name.upper()] = {"value": value, "created_at": now, "updated_at": now}
        return JsonResponse(201, {})

    def DeleteSecret(self, request, scope, name):
        with self.lock:
            stored = self.secrets.get(scope, {})
            if name.upper() not in stored:
                return Error(404, "Not Found", "/actions/secrets")
            del stored[name.upper()]
        return Response(204)

    # ---- small extras clients use to check a token --------------------------------------------------------------

    def GetUser(self, request, match):
        login, error = self.Authenticate(request, [])
        if error:
            return error
        return self.Authorized(JsonResponse(200, {"login": login, "id": 1, "type": "User"}), request, [])

    def GetRateLimit(self, request, match):
        with self.lock:
            used = min(self.used, kRateLimit)
        core = {"limit": kRateLimit, "used": used, "remaining": kRateLimit - used, "reset": int(time.time()) + 3600}
        return JsonResponse(200, {"resources": {"core": core}, "rate": core})

    # ---- control endpoints for tests -----------------------------------------------------------------------------

    def ControlSetPackages(self, request, match):
        try:
            self.SeedPackages(request.Json())
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            return JsonResponse(400, {"error": "bad packages seed: %s" % e})
        return self.ControlGetPackages(request, match)

    def ControlGetPackages(self, request, match):
        out = {"orgs": {}, "users": {}}
        with self.lock:
            for (kind, owner, name), versions in self.packages.items():
                out[kind].setdefault(owner, {})[name] = [dict(v) for v in versions]
        return JsonResponse(200, out)

    def ControlGetSecrets(self, request, match):
        out = []
        with self.lock:
            for (repo, environment), stored in sorted(self.secrets.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
                for name in sorted(stored):
                    value = stored[name]["value"]
                    entry = {"repo": repo, "environment": environment, "name": name,
                             "value_base64": base64.b64encode(value).decode(),
                             "created_at": stored[name]["created_at"], "updated_at": stored[name]["updated_at"]}
                    try:
                        entry["value"] = value.decode("utf-8")
                    except UnicodeDecodeError:
                        entry["value"] = None
                    out.append(entry)
        return JsonResponse(200, out)

    def ControlAddTokens(self, request, match):
        try:
            tokens = request.Json()
            assert isinstance(tokens, dict)
        except (ValueError, AssertionError):
            return JsonResponse(400, {"error": "expected {token: {login, scopes}}"})
        with self.lock:
            self.tokens.update(tokens)
        return JsonResponse(200, {"tokens": len(self.tokens)})

    def ControlConfig(self, request, match):
        try:
            config = request.Json()
        except ValueError:
            return JsonResponse(400, {"error": "expected JSON"})
        with self.lock:
            if "rate_limit_after" in config:
                self.rate_limit_after = config["rate_limit_after"]
                self.window_count = 0
                self.limited_until = None
            return JsonResponse(200, {"rate_limit_after": self.rate_limit_after})

    def ControlRotateKey(self, request, match):
        self.RotateKey()
        with self.lock:
            return JsonResponse(200, {"key_id": self.key_id, "key_file": self.key_file})


def Main():
    parser = http_standin.NewArgumentParser("Stand-in for a subset of the GitHub REST API (tests only).")
    parser.add_argument("--tokens", help='JSON file {token: {"login": ..., "scopes": [...]}}')
    parser.add_argument("--packages", help='JSON file {"orgs": {org: {pkg: [versions]}}, "users": {...}}')
    parser.add_argument("--rate-limit-after", type=int, default=None,
                        help="after N API requests answer rate-limited (403 primary / 429 secondary, alternating) "
                        "for one second, then recover")
    args = parser.parse_args()
    app = GitHubStandin(args)

    def Ready(base_url):
        fields = {"api_url": base_url, "secrets_key_file": app.key_file, "secrets_key_id": app.key_id}
        if app.default_token:
            fields["token"] = app.default_token
            fields["login"] = "standin-user"
        return fields
    return http_standin.Serve(app, args, Ready)


if __name__ == "__main__":
    sys.exit(Main())
