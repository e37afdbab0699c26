#!/usr/bin/python3
# STAND-IN, NOT GOOGLE. A test-only imitation of the Google endpoints berth's gcp-artifact plugin and Google secret
# store talk to, which cannot be reached from a test machine. One HTTP server on 127.0.0.1 serves all of them:
#   - OAuth 2.0 token endpoint for service accounts (the key file's token_uri): the JWT bearer grant of RFC 7523 as
#     Google documents it in "Using OAuth 2.0 for Server to Server Applications" (RS256 assertion, kid =
#     private_key_id, iss = client_email, scope, aud = token_uri, exp - iat <= 3600), answering like
#     oauth2.googleapis.com/token, errors as {"error", "error_description"}.
#   - Compute Engine metadata server: /computeMetadata/v1/instance/service-accounts/default/token and friends,
#     "Metadata-Flavor: Google" required (reach it with GCE_METADATA_HOST=127.0.0.1:PORT).
#   - Artifact Registry API v1: projects.locations.repositories.dockerImages.list (pageSize, pageToken).
#   - Secret Manager API v1: secrets.create/list/get/delete, secrets.addVersion (payload.dataCrc32c checked),
#     secrets.versions.list/access; resource names carry the project NUMBER, as the real service returns them.
#   - Google API error bodies {"error": {"code", "message", "status"}} for 400/401/403/404/409/429.
# See tests/standins/README.md for what it leaves out, its options and the ready-line fields.
#
# Needs /usr/bin/python3 with Debian's python3-cryptography.

import base64
import binascii
import json
import os
import random
import re
import secrets
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import http_standin  # noqa: E402
from http_standin import JsonResponse, Response, Rfc3339  # noqa: E402
from crc32c import Crc32c  # noqa: E402

from cryptography.exceptions import InvalidSignature  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402

kJwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# Google documents the assertion's aud as "always https://oauth2.googleapis.com/token", and google-auth sends exactly
# that whatever the key file's token_uri says; the stand-in also takes its own token_uri (what protocols.md asks for).
kGoogleTokenAudience = "https://oauth2.googleapis.com/token"
kCloudPlatform = "https://www.googleapis.com/auth/cloud-platform"
kCloudPlatformReadOnly = "https://www.googleapis.com/auth/cloud-platform.read-only"
kTokenLifetime = 3599
kMaxAssertionLifetime = 3600
kBadTime = ("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your "
            "iat and exp values in the JWT claim.")
kSecretIdPattern = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
kMaxPayloadBytes = 65536
kColon = r"(?::|%3[Aa])"
kSeg = r"([^/]+)"
kDefaultMediaType = "application/vnd.docker.distribution.manifest.v2+json"
kStatusNames = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL"}


def GoogleError(code, message, details=None, headers=None, status=None):
    error = {"code": code, "message": message, "status": status or kStatusNames[code]}
    if details:
        error["details"] = details
    return JsonResponse(code, {"error": error}, headers)


def OAuthError(error, description, status=400):
    return JsonResponse(status, {"error": error, "error_description": description})


def B64UrlDecode(text):
    if not re.match(r"^[A-Za-z0-9_-]*$", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def DecodeProtoBytes(text):
    """proto3 JSON bytes: standard or URL-safe base64, padding optional."""
    if not isinstance(text, str):
        raise ValueError("bytes field must be a base64 string")
    cleaned = text.replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    return base64.b64decode(cleaned, validate=True)


def NowWithNanos():
    return Rfc3339(time.time(), 6)


class GoogleStandin(http_standin.StandinApp):
    def __init__(self, args):
        super().__init__()
        self.args = args
        self.project_id = args.project_id
        self.projects = {}  # project id -> project number (as string)
        for project in [args.project_id] + list(args.extra_project or []):
            self.projects[project] = str(random.SystemRandom().randrange(10 ** 11, 10 ** 12))
        self.client_email = "%s@%s.iam.gserviceaccount.com" % (args.account, args.project_id)
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_key_id = secrets.token_hex(20)
        self.client_id = str(random.SystemRandom().randrange(10 ** 20, 10 ** 21))
        self.temp_dir = self.MakeTempDir("google-standin-")
        self.key_file = os.path.join(self.temp_dir, "service-account.json")
        self.tokens = {}  # access token -> {"expires_at", "scopes", "principal", "source"}
        self.repositories = set()
        self.images = []
        if args.images:
            with open(args.images) as f:
                self.SeedImages(json.load(f))
        self.secrets = {}  # (project id, secret id) -> {"create_time", "replication", "labels", "versions": [...]}
        self.rate_limit_after = args.rate_limit_after
        self.strict_aud = args.strict_aud
        self.window_count = 0
        self.limited_until = None

        self.AddRoute("POST", r"/token", self.HandleToken)
        self.AddRoute("POST", r"/tokeninfo", self.HandleTokenInfo)
        meta = r"/computeMetadata/v1"
        self.AddRoute("GET", r"/", self.Metadata(lambda r, m: Response(200, "computeMetadata/\n")))
        self.AddRoute("GET", meta + r"/instance/service-accounts/([^/]+)/token", self.Metadata(self.MetadataToken))
        self.AddRoute("GET", meta + r"/instance/service-accounts/([^/]+)/email", self.Metadata(self.MetadataEmail))
        self.AddRoute("GET", meta + r"/instance/service-accounts/([^/]+)/?", self.Metadata(self.MetadataAccount))
        self.AddRoute("GET", meta + r"/project/project-id", self.Metadata(
            lambda r, m: Response(200, self.project_id, content_type="application/text")))
        self.AddRoute("GET", meta + r"/universe/universe-domain", self.Metadata(
            lambda r, m: Response(200, "googleapis.com", content_type="application/text")))
        self.AddRoute("GET", meta + r"/project/numeric-project-id", self.Metadata(
            lambda r, m: Response(200, self.projects[self.project_id], content_type="application/text")))

        repo = r"/v1/projects/" + kSeg + r"/locations/" + kSeg + r"/repositories/" + kSeg
        self.AddRoute("GET", repo + r"/dockerImages", self.ListDockerImages)
        secret_base = r"/v1/projects/" + kSeg + r"/secrets"
        self.AddRoute("POST", secret_base, self.CreateSecret)
        self.AddRoute("GET", secret_base, self.ListSecrets)
        self.AddRoute("POST", secret_base + r"/([^/:%]+)" + kColon + "addVersion", self.AddVersion)
        self.AddRoute("GET", secret_base + r"/([^/:%]+)/versions", self.ListVersions)
        self.AddRoute("GET", secret_base + r"/([^/:%]+)/versions/([^/:%]+)" + kColon + "access", self.AccessVersion)
        self.AddRoute("GET", secret_base + r"/([^/:%]+)", self.GetSecret)
        self.AddRoute("DELETE", secret_base + r"/([^/:%]+)", self.DeleteSecret)

        self.AddRoute("POST", r"/_standin/images", self.ControlSetImages, control=True)
        self.AddRoute("GET", r"/_standin/images", self.ControlGetImages, control=True)
        self.AddRoute("GET", r"/_standin/secrets", self.ControlGetSecrets, control=True)
        self.AddRoute("POST", r"/_standin/revoke-tokens", self.ControlRevokeTokens, control=True)
        self.AddRoute("POST", r"/_standin/config", self.ControlConfig, control=True)

    # ---- service account key file -------------------------------------------------------------------------------

    def WriteKeyFile(self, base_url):
        pem = self.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()).decode()
        self.token_uri = base_url + "/token"
        key = {
            "type": "service_account",
            "project_id": self.project_id,
            "private_key_id": self.private_key_id,
            "private_key": pem,
            "client_email": self.client_email,
            "client_id": self.client_id,
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
                                    + urllib.parse.quote(self.client_email),
            "universe_domain": "googleapis.com",
        }
        http_standin.WritePrivateFile(self.key_file, json.dumps(key, indent=2) + "\n")

    # ---- journal: keep what a test needs, not credentials -------------------------------------------------------

    def RecordBody(self, request):
        body = super().RecordBody(request)
        if request.raw_path == "/tokeninfo" and isinstance(body, dict) and "access_token" in body:
            body = dict(body)
            body["access_token"] = "<redacted>"
        if request.raw_path == "/token" and isinstance(body, dict) and "assertion" in body:
            body = dict(body)
            body["assertion"] = "<redacted jwt>"
        if isinstance(body, dict) and isinstance(body.get("payload"), dict) and "data" in body["payload"]:
            body = json.loads(json.dumps(body))
            body["payload"]["data"] = "<redacted %d base64 chars>" % len(str(body["payload"]["data"]))
        return body

    def RecordExtra(self, request, response):
        extra = {}
        if hasattr(request, "jwt"):
            extra["jwt"] = request.jwt  # decoded header and claims of the assertion, never the signature
        if hasattr(request, "principal"):
            extra["principal"] = request.principal
        return extra

    # ---- OAuth 2.0 token endpoint -------------------------------------------------------------------------------

    def IssueToken(self, scopes, source):
        token = "ya29.standin-" + secrets.token_urlsafe(48)
        with self.lock:
            self.tokens[token] = {"expires_at": time.time() + kTokenLifetime, "scopes": set(scopes),
                                  "principal": self.client_email, "source": source}
        return {"access_token": token, "expires_in": kTokenLifetime, "token_type": "Bearer"}

    def HandleToken(self, request, match):
        form = {k: v[-1] for k, v in request.Form().items()}
        grant_type = form.get("grant_type")
        if not grant_type:
            return OAuthError("invalid_request", "Missing required parameter: grant_type")
        if grant_type != kJwtBearer:
            return OAuthError("unsupported_grant_type", "Invalid grant_type: " + grant_type)
        assertion = form.get("assertion")
        if not assertion:
            return OAuthError("invalid_request", "Missing required parameter: assertion")
        parts = assertion.split(".")
        try:
            if len(parts) != 3:
                raise ValueError("not three parts")
            header = json.loads(B64UrlDecode(parts[0]))
            claims = json.loads(B64UrlDecode(parts[1]))
            signature = B64UrlDecode(parts[2])
            if not isinstance(header, dict) or not isinstance(claims, dict):
                raise ValueError("not objects")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return OAuthError("invalid_grant", "Invalid JWT: the assertion is not a well-formed JWS compact "
                              "serialization.")
        request.jwt = {"header": header, "claims": claims}
        if header.get("alg") != "RS256":
            return OAuthError("invalid_grant", "Invalid JWT Signature. (alg must be RS256, got %r)"
                              % header.get("alg"))
        if claims.get("iss") != self.client_email:
            return OAuthError("invalid_grant", "Invalid grant: account not found")
        if header.get("kid") != self.private_key_id:
            return OAuthError("invalid_grant", "Invalid JWT Signature. (kid %r is not a key of %s)"
                              % (header.get("kid"), self.client_email))
        try:
            self.private_key.public_key().verify(signature, (parts[0] + "." + parts[1]).encode(),
                                                 padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return OAuthError("invalid_grant", "Invalid JWT Signature.")
        accepted_audiences = [self.token_uri] if self.strict_aud else [self.token_uri, kGoogleTokenAudience]
        if claims.get("aud") not in accepted_audiences:
            return OAuthError("invalid_grant", "Invalid JWT: Failed audience check. The expected value was %s."
                              % " or ".join(accepted_audiences))
        iat, exp = claims.get("iat"), claims.get("exp")
        now = time.time()
        skew = self.args.clock_skew
        if (not isinstance(iat, (int, float)) or isinstance(iat, bool) or not isinstance(exp, (int, float))
                or isinstance(exp, bool) or exp <= iat or exp - iat > kMaxAssertionLifetime
                or iat > now + skew or exp < now - skew):
            return OAuthError("invalid_grant", kBadTime)
        scope = claims.get("scope")
        if not isinstance(scope, str) or not scope.split():
            return OAuthError("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        request.principal = self.client_email
        return JsonResponse(200, self.IssueToken(scope.split(), "jwt-bearer"),
                            [("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate"),
                             ("Pragma", "no-cache")])

    def HandleTokenInfo(self, request, match):
        """oauth2.googleapis.com/tokeninfo for access tokens (form access_token): what a resource server such as
        Artifact Registry's token service asks Google about a token. Only tokens this instance issued are valid."""
        token = {k: v[-1] for k, v in request.Form().items()}.get("access_token", "")
        with self.lock:
            info = self.tokens.get(token)
        if info is None or info["expires_at"] <= time.time():
            return OAuthError("invalid_token", "Invalid Value")
        request.principal = info["principal"]
        return JsonResponse(200, {"azp": self.client_id, "aud": self.client_id, "sub": self.client_id,
                                  "scope": " ".join(sorted(info["scopes"])), "exp": str(int(info["expires_at"])),
                                  "expires_in": str(int(info["expires_at"] - time.time())),
                                  "email": info["principal"], "email_verified": "true", "access_type": "online"})

    # ---- metadata server ----------------------------------------------------------------------------------------

    def Metadata(self, handler):
        def Wrapped(request, match):
            if request.Header("X-Forwarded-For") is not None or request.Header("Metadata-Flavor") != "Google":
                response = Response(403, "<!DOCTYPE html>\n<title>Error 403 (Forbidden)</title>\n<p>Your client "
                                    "does not have permission to get URL <code>%s</code> from this server. Missing "
                                    "Metadata-Flavor:Google header.\n" % request.raw_path,
                                    content_type="text/html; charset=UTF-8")
            else:
                response = handler(request, match)
            response.AddHeader("Metadata-Flavor", "Google")
            return response
        return Wrapped

    def KnownAccount(self, name):
        return urllib.parse.unquote(name) in ("default", self.client_email)

    def MetadataToken(self, request, match):
        if not self.KnownAccount(match.group(1)):
            return Response(404, "Not Found\n", content_type="text/html; charset=UTF-8")
        scopes = request.QueryOne("scopes")
        scopes = [s for s in scopes.split(",") if s] if scopes else [kCloudPlatform]
        request.principal = self.client_email
        return JsonResponse(200, self.IssueToken(scopes, "metadata"))

    def MetadataEmail(self, request, match):
        if not self.KnownAccount(match.group(1)):
            return Response(404, "Not Found\n", content_type="text/html; charset=UTF-8")
        return Response(200, self.client_email, content_type="application/text")

    def MetadataAccount(self, request, match):
        if not self.KnownAccount(match.group(1)):
            return Response(404, "Not Found\n", content_type="text/html; charset=UTF-8")
        return JsonResponse(200, {"aliases": ["default"], "email": self.client_email, "scopes": [kCloudPlatform]})

    # ---- Google API plumbing: auth, project access, quota -------------------------------------------------------

    def BeforeRoute(self, request):
        if not request.raw_path.startswith("/v1/") or self.rate_limit_after is None:
            return None
        with self.lock:
            now = time.time()
            if self.limited_until is not None:
                if now < self.limited_until:
                    return self.QuotaExceeded()
                self.limited_until = None
                self.window_count = 0
            if self.window_count >= self.rate_limit_after:
                self.limited_until = now + 1.0
                return self.QuotaExceeded()
            self.window_count += 1
        return None

    def QuotaExceeded(self):
        return GoogleError(429, "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' of the "
                           "service for consumer 'project_number:%s'." % self.projects[self.project_id],
                           headers=[("Retry-After", "1")])

    def NotFound(self, request, method_mismatch=False):
        if request.raw_path.startswith("/v1/"):
            return GoogleError(404, "Method not found." if method_mismatch else "Requested entity was not found.")
        return Response(404, "Not Found\n", content_type="text/html; charset=UTF-8")

    def ProjectId(self, name):
        """Maps a project id or number from a URL to the project id, or None when this account cannot see it."""
        name = urllib.parse.unquote(name)
        if name in self.projects:
            return name
        for project, number in self.projects.items():
            if number == name:
                return project
        return None

    def Authorize(self, request, project_name, permission, resource, read_only=False):
        """Returns (project id, None) or (None, error Response)."""
        header = request.Header("Authorization") or ""
        scheme, _, token = header.partition(" ")
        challenge = [("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/"')]
        if not header:
            return None, GoogleError(401, "Request is missing required authentication credential. Expected OAuth 2 "
                                     "access token, login cookie or other valid authentication credential. See "
                                     "https://developers.google.com/identity/sign-in/web/devconsole-project.",
                                     headers=challenge)
        with self.lock:
            info = self.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if info is None or info["expires_at"] <= time.time():
            return None, GoogleError(401, "Request had invalid authentication credentials. Expected OAuth 2 access "
                                     "token, login cookie or other valid authentication credential. See "
                                     "https://developers.google.com/identity/sign-in/web/devconsole-project.",
                                     headers=[("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/", '
                                               'error="invalid_token"')])
        request.principal = info["principal"]
        accepted = {kCloudPlatform} | ({kCloudPlatformReadOnly} if read_only else set())
        if not (info["scopes"] & accepted):
            return None, GoogleError(403, "Request had insufficient authentication scopes.", details=[{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                "domain": "googleapis.com", "metadata": {"method": permission}}],
                headers=[("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/", '
                          'error="insufficient_scope", scope="%s"' % " ".join(sorted(accepted)))])
        project = self.ProjectId(project_name)
        if project is None:
            return None, GoogleError(403, "Permission '%s' denied on resource '%s' (or it may not exist)."
                                     % (permission, resource), details=[{
                                         "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                         "reason": "IAM_PERMISSION_DENIED", "domain": "iam.googleapis.com",
                                         "metadata": {"permission": permission, "resource": resource}}])
        return project, None

    def PageSize(self, request, default, maximum):
        raw = request.QueryOne("pageSize")
        if raw in (None, "", "0"):
            return default, None
        try:
            size = int(raw)
        except ValueError:
            return None, GoogleError(400, "Invalid value at 'page_size' (TYPE_INT32), \"%s\"" % raw)
        if size < 0:
            return None, GoogleError(400, "page_size must not be negative.")
        return min(size, maximum), None

    def PageToken(self, request, scope_key):
        """Page tokens are opaque to clients; this one carries the offset and what listing it belongs to."""
        raw = request.QueryOne("pageToken")
        if not raw:
            return 0, None
        try:
            decoded = json.loads(B64UrlDecode(raw))
            if decoded["k"] != scope_key or not isinstance(decoded["o"], int) or decoded["o"] < 0:
                raise ValueError("wrong listing")
            return decoded["o"], None
        except (ValueError, KeyError, TypeError, binascii.Error):
            return None, GoogleError(400, "Invalid page token.")

    def MakePageToken(self, scope_key, offset):
        raw = json.dumps({"k": scope_key, "o": offset}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    # ---- Artifact Registry --------------------------------------------------------------------------------------

    def SeedImages(self, seed):
        repositories = set(seed.get("repositories", []))
        images = []
        now = time.time()
        for index, image in enumerate(seed.get("images", [])):
            repository = "projects/%s/locations/%s/repositories/%s" % (image["project"], image["location"],
                                                                        image["repository"])
            repositories.add(repository)
            upload = image.get("uploadTime") or Rfc3339(now - 60 * index, 6)
            entry = {
                "repository": repository,
                "project": image["project"], "location": image["location"], "repo": image["repository"],
                "image": image["image"], "digest": image["digest"], "tags": list(image.get("tags", [])),
                "imageSizeBytes": str(image.get("imageSizeBytes", 1024)),
                "uploadTime": upload,
                "mediaType": image.get("mediaType", kDefaultMediaType),
                "buildTime": image.get("buildTime") or upload,
                "updateTime": image.get("updateTime") or upload,
            }
            images.append(entry)
        with self.lock:
            self.repositories = repositories
            self.images = images

    def DockerImageJson(self, project_in_url, image):
        return {
            "name": "projects/%s/locations/%s/repositories/%s/dockerImages/%s@%s" % (
                project_in_url, image["location"], image["repo"], urllib.parse.quote(image["image"], safe=""),
                image["digest"]),
            "uri": "%s-docker.pkg.dev/%s/%s/%s@%s" % (image["location"], image["project"], image["repo"],
                                                     image["image"], image["digest"]),
            "tags": list(image["tags"]),
            "imageSizeBytes": image["imageSizeBytes"],
            "uploadTime": image["uploadTime"],
            "mediaType": image["mediaType"],
            "buildTime": image["buildTime"],
            "updateTime": image["updateTime"],
        }

    def ListDockerImages(self, request, match):
        project_name, location, repo = (urllib.parse.unquote(g) for g in match.groups())
        parent = "projects/%s/locations/%s/repositories/%s" % (project_name, location, repo)
        project, error = self.Authorize(request, project_name, "artifactregistry.dockerimages.list", parent,
                                        read_only=True)
        if error:
            return error
        canonical = "projects/%s/locations/%s/repositories/%s" % (project, location, repo)
        with self.lock:
            if canonical not in self.repositories:
                return GoogleError(404, "Requested entity was not found.")
            images = [i for i in self.images if i["repository"] == canonical]
        page_size, error = self.PageSize(request, 100, 1000)
        if error:
            return error
        offset, error = self.PageToken(request, canonical)
        if error:
            return error
        page = images[offset:offset + page_size]
        body = {"dockerImages": [self.DockerImageJson(project_name, i) for i in page]}
        if offset + page_size < len(images):
            body["nextPageToken"] = self.MakePageToken(canonical, offset + page_size)
        if not body["dockerImages"]:
            del body["dockerImages"]  # proto3 JSON leaves out empty repeated fields
        return JsonResponse(200, body)

    # ---- Secret Manager -----------------------------------------------------------------------------------------

    def SecretName(self, project, secret_id):
        return "projects/%s/secrets/%s" % (self.projects[project], secret_id)

    def SecretJson(self, project, secret_id, stored):
        body = {"name": self.SecretName(project, secret_id), "replication": stored["replication"],
                "createTime": stored["create_time"], "etag": stored["etag"]}
        if stored["labels"]:
            body["labels"] = stored["labels"]
        return body

    def VersionJson(self, project, secret_id, stored, version):
        return {"name": "%s/versions/%d" % (self.SecretName(project, secret_id), version["number"]),
                "createTime": version["create_time"], "state": "ENABLED",
                "replicationStatus": {"automatic": {}} if "automatic" in stored["replication"]
                else {"userManaged": {"replicas": [{"location": r.get("location")} for r in
                                                   stored["replication"]["userManaged"].get("replicas", [])]}},
                "etag": version["etag"], "clientSpecifiedPayloadChecksum": version["client_checksum"]}

    def SecretAuthorize(self, request, match, permission):
        project_name = urllib.parse.unquote(match.group(1))
        return self.Authorize(request, project_name, permission, "projects/%s" % project_name)

    def CreateSecret(self, request, match):
        project, error = self.SecretAuthorize(request, match, "secretmanager.secrets.create")
        if error:
            return error
        secret_id = request.QueryOne("secretId")
        if not secret_id or not kSecretIdPattern.match(secret_id):
            return GoogleError(400, "The provided Secret ID [%s] does not match the expected format [[a-zA-Z_0-9]+]"
                               % (secret_id or ""))
        try:
            body = request.Json()
        except ValueError:
            return GoogleError(400, "Invalid JSON payload received.")
        replication = body.get("replication") if isinstance(body, dict) else None
        if not isinstance(replication, dict) or len(replication) != 1 or \
                not isinstance(replication.get("automatic", replication.get("userManaged")), dict):
            return GoogleError(400, "Secret.replication must set exactly one of automatic or user_managed.")
        if "userManaged" in replication and not replication["userManaged"].get("replicas"):
            return GoogleError(400, "Secret.replication.user_managed.replicas must not be empty.")
        with self.lock:
            key = (project, secret_id)
            if key in self.secrets:
                return GoogleError(409, "Secret [%s] already exists." % self.SecretName(project, secret_id))
            stored = {"create_time": NowWithNanos(), "replication": replication,
                      "labels": body.get("labels") or {}, "etag": '"%x"' % int(time.time() * 1e6),
                      "versions": []}
            self.secrets[key] = stored
            return JsonResponse(200, self.SecretJson(project, secret_id, stored))

    def ListSecrets(self, request, match):
        project, error = self.SecretAuthorize(request, match, "secretmanager.secrets.list")
        if error:
            return error
        page_size, error = self.PageSize(request, 100, 25000)
        if error:
            return error
        offset, error = self.PageToken(request, "secrets:" + project)
        if error:
            return error
        with self.lock:
            ids = sorted(s for p, s in self.secrets if p == project)
            page = [self.SecretJson(project, s, self.secrets[(project, s)]) for s in ids[offset:offset + page_size]]
        body = {"secrets": page, "totalSize": len(ids)}
        if not page:
            del body["secrets"]
        if offset + page_size < len(ids):
            body["nextPageToken"] = self.MakePageToken("secrets:" + project, offset + page_size)
        return JsonResponse(200, body)

    def FindSecret(self, project, secret_id):
        stored = self.secrets.get((project, secret_id))
        if stored is None:
            return None, GoogleError(404, "Secret [%s] not found or has no versions."
                                     % self.SecretName(project, secret_id))
        return stored, None

    def GetSecret(self, request, match):
        project, error = self.SecretAuthorize(request, match, "secretmanager.secrets.get")
        if error:
            return error
        secret_id = urllib.parse.unquote(match.group(2))
        with self.lock:
            stored, error = self.FindSecret(project, secret_id)
            return error or JsonResponse(200, self.SecretJson(project, secret_id, stored))

    def DeleteSecret(self, request, match):
        project, error = self.SecretAuthorize(request, match, "secretmanager.secrets.delete")
        if error:
            return error
        secret_id = urllib.parse.unquote(match.group(2))
        with self.lock:
            stored, error = self.FindSecret(project, secret_id)
            if error:
                return error
            del self.secrets[(project, secret_id)]
        return JsonResponse(200, {})

    def AddVersion(self, request, match):
        project, error = self.SecretAuthorize(request, match, "secretmanager.versions.add")
        if error:
            return error
        secret_id = urllib.parse.unquote(match.group(2))
        try:
            body = request.Json()
            payload = body["payload"]
            data = DecodeProtoBytes(payload.get("data", ""))
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
            return GoogleError(400, "Invalid JSON payload: payload.data must be base64-encoded bytes.")
        if len(data) > kMaxPayloadBytes:
            return GoogleError(400, "Secret Payload cannot exceed 65536 bytes.")
        client_checksum = "dataCrc32c" in payload
        if client_checksum:
            try:
                claimed = int(payload["dataCrc32c"])
            except (TypeError, ValueError):
                return GoogleError(400, "Invalid value at 'payload.data_crc32c' (TYPE_INT64), \"%s\""
                                   % payload["dataCrc32c"])
            if claimed != Crc32c(data):
                return GoogleError(400, "Checksum mismatch: the payload's CRC32C is %d, the request claimed %d."
                                   % (Crc32c(data), claimed))
        with self.lock:
            stored, error = self.FindSecret(project, secret_id)
            if error:
                return error
            version = {"number": len(stored["versions"]) + 1, "data": data, "create_time": NowWithNanos(),
                       "etag": '"%x"' % int(time.time() * 1e6), "client_checksum": client_checksum}
            stored["versions"].append(version)
            return JsonResponse(200, self.VersionJson(project, secret_id, stored, version))

    def ListVersions(self, request, match):
        project, error = self.SecretAuthorize(request, match, "secretmanager.versions.list")
        if error:
            return error
        secret_id = urllib.parse.unquote(match.group(2))
        with self.lock:
            stored, error = self.FindSecret(project, secret_id)
            if error:
                return error
            versions = [self.VersionJson(project, secret_id, stored, v) for v in reversed(stored["versions"])]
        body = {"versions": versions, "totalSize": len(versions)}
        if not versions:
            del body["versions"]
        return JsonResponse(200, body)

    def AccessVersion(self, request, match):
        project, error = self.SecretAuthorize(request, match, "secretmanager.versions.access")
        if error:
            return error
        secret_id = urllib.parse.unquote(match.group(2))
        wanted = urllib.parse.unquote(match.group(3))
        with self.lock:
            stored = self.secrets.get((project, secret_id))
            version = None
            if stored and stored["versions"]:
                if wanted == "latest":
                    version = stored["versions"][-1]
                elif wanted.isdigit() and 1 <= int(wanted) <= len(stored["versions"]):
                    version = stored["versions"][int(wanted) - 1]
            if version is None:
                return GoogleError(404, "Secret Version [%s/versions/%s] not found."
                                   % (self.SecretName(project, secret_id), wanted))
            return JsonResponse(200, {
                "name": "%s/versions/%d" % (self.SecretName(project, secret_id), version["number"]),
                "payload": {"data": base64.b64encode(version["data"]).decode(),
                            "dataCrc32c": str(Crc32c(version["data"]))}})

    # ---- control endpoints for tests -----------------------------------------------------------------------------

    def ControlSetImages(self, request, match):
        try:
            self.SeedImages(request.Json())
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            return JsonResponse(400, {"error": "bad images seed: %s" % e})
        return self.ControlGetImages(request, match)

    def ControlGetImages(self, request, match):
        with self.lock:
            return JsonResponse(200, {"repositories": sorted(self.repositories), "images": list(self.images)})

    def ControlGetSecrets(self, request, match):
        out = []
        with self.lock:
            for (project, secret_id), stored in sorted(self.secrets.items()):
                versions = []
                for v in stored["versions"]:
                    entry = {"version": v["number"], "value_base64": base64.b64encode(v["data"]).decode()}
                    try:
                        entry["value"] = v["data"].decode("utf-8")
                    except UnicodeDecodeError:
                        entry["value"] = None
                    versions.append(entry)
                out.append({"project": project, "secret": secret_id, "name": self.SecretName(project, secret_id),
                            "versions": versions})
        return JsonResponse(200, out)

    def ControlRevokeTokens(self, request, match):
        with self.lock:
            count = len(self.tokens)
            self.tokens = {}
        return JsonResponse(200, {"revoked": count})

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
            if "strict_aud" in config:
                self.strict_aud = bool(config["strict_aud"])
            return JsonResponse(200, {"rate_limit_after": self.rate_limit_after, "strict_aud": self.strict_aud})


def Main():
    parser = http_standin.NewArgumentParser("Stand-in for Google OAuth, metadata, Artifact Registry and Secret "
                                            "Manager endpoints (tests only).")
    parser.add_argument("--project-id", default="berth-standin", help="the service account's project")
    parser.add_argument("--extra-project", action="append",
                        help="another project id the service account may use (repeatable)")
    parser.add_argument("--account", default="berth-deployer", help="service account name (before the @)")
    parser.add_argument("--images", help='JSON file {"repositories": [...], "images": [...]}')
    parser.add_argument("--rate-limit-after", type=int, default=None,
                        help="after N /v1/ API requests answer 429 RESOURCE_EXHAUSTED with Retry-After: 1 for one "
                        "second, then recover")
    parser.add_argument("--strict-aud", action="store_true",
                        help="accept only this token_uri as the assertion's aud (default: also Google's documented "
                        "https://oauth2.googleapis.com/token)")
    parser.add_argument("--clock-skew", type=int, default=60, help="seconds of clock skew allowed on iat/exp")
    args = parser.parse_args()
    app = GoogleStandin(args)

    def Ready(base_url):
        app.WriteKeyFile(base_url)
        return {"token_uri": app.token_uri, "metadata_host": base_url[len("http://"):],
                "artifactregistry_url": base_url, "secretmanager_url": base_url, "key_file": app.key_file,
                "client_email": app.client_email, "private_key_id": app.private_key_id,
                "project_id": app.project_id, "project_number": app.projects[app.project_id],
                "projects": app.projects}
    return http_standin.Serve(app, args, Ready)


if __name__ == "__main__":
    sys.exit(Main())
