#!/usr/bin/python3
"""Writes the small seed corpora in tests/fuzz/corpus/<parser>/ (committed).

Run from the repository root when a parser grows a new format. Seeds are
built from the repository's own test data (cosign's recorded push, the
k8s/micros/project test inputs, examples/hello/berth.yaml) and from the
formats' specifications; keys in them are made here at run time and are
throwaway public material.
"""
import base64
import hashlib
import io
import json
import os
import re
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")
SEP = b"\n====\n"


def write(parser, name, data):
    os.makedirs(os.path.join(OUT, parser), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(OUT, parser, name), "wb") as f:
        f.write(data)


def raw_strings(path):
    """The R"(...)" literals of a C++ test file."""
    with open(os.path.join(ROOT, path)) as f:
        return re.findall(r'R"\((.*?)\)"', f.read(), re.S)


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


# Image references.
for i, text in enumerate(["ubuntu", "docker.io/library/ubuntu:22.04", "127.0.0.1:5000/team/app:v1@" + sha(b"x"),
                          "[::1]:5000/a/b", "oci:/tmp/layout:latest", "docker-archive:/tmp/a.tar:app:v1",
                          "ghcr.io/org/app@" + sha(b"y")]):
    write("reference", f"seed{i}", text)

# WWW-Authenticate.
write("challenge", "bearer", 'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push", Basic realm="x y"')
write("challenge", "quoted", r'BEARER  Realm = "a\"b" , error=insufficient_scope,Negotiate abc==, Basic')
write("challenge", "ghcr", 'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/r:pull"')

# Redact: every context it masks, and near misses of each.
write("redact", "contexts", 'GET /v2/ Authorization: Basic aHVudGVyMmh1bnRlcjI=\r\nproxy-authorization : Bearer eyJhbGciOiJSUzI1NiJ9.'
      'eyJpc3MiOiJ4In0.c2ln\n{"token":"abc\\"def","password" : "wrong"} https://r/t?service=x&token=s3cr3tTok3n&n=1 '
      'access_token=ghp0123456789abcdef client_secret= Basic realm="x" eyJshort.x')
write("redact", "registry-error", '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied: '
      'hunter2hunter2 was wrong","detail":{"Authorization":"Bearer abcdefgh12345678"}}]}')

# Manifests and indexes (first byte: which Content-Type).
config = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
layer = b"layer bytes"
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(config), "size": len(config)},
                       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha(layer), "size": len(layer)}],
                       "annotations": {"org.opencontainers.image.created": "2026-01-01T00:00:00Z"}}).encode()
index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                    "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(manifest), "size": len(manifest),
                                   "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"},
                                   "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}).encode()
write("oci_manifest", "manifest", b"\x01" + manifest)
write("oci_manifest", "index", b"\x02" + index)
cosign_dir = os.path.join(ROOT, "plugins", "cosign", "testdata", "cosign-v1.13.1-push")
with open(os.path.join(cosign_dir, "manifest.json"), "rb") as f:
    write("oci_manifest", "cosign", b"\x00" + f.read())

# OCI layouts: index.json, then blobs.
write("oci_layout", "image", index + SEP + manifest + SEP + config + SEP + layer)
write("oci_layout", "by_digest_only", json.dumps({"schemaVersion": 2, "manifests": []}).encode() + SEP + manifest)

# docker-archive tarballs.
def archive(entries):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


docker_manifest = json.dumps([{"Config": "config.json", "RepoTags": ["example.com/app:v1"], "Layers": ["layer.tar"]}]).encode()
write("docker_archive", "one_image", archive([("manifest.json", docker_manifest), ("config.json", config), ("layer.tar", layer)]))
write("docker_archive", "gzip_layer", archive([("./manifest.json", json.dumps([{"Config": "c", "Layers": ["l"]}]).encode()),
                                                ("c", config), ("l", b"\x1f\x8b\x08\x00rest")]))

# docker config.json.
auth = base64.b64encode(b"user:pass-word").decode()
write("docker_config", "auths", json.dumps({"auths": {"https://index.docker.io/v1/": {"auth": auth},
                                                      "127.0.0.1:5000": {"username": "u", "password": "p4ss"},
                                                      "ghcr.io": {"identitytoken": "tok-en"}}}))
write("docker_config", "helpers", json.dumps({"credHelpers": {"ghcr.io": "nothere"}, "credsStore": "nope", "auths": {}}))

# Plugin manifests.
write("plugin_manifest", "echo", json.dumps({"schema": 2, "name": "echo", "version": "1.0.0", "description": "Echo",
                                             "abi_major": 2, "abi_minor": 0, "library": "libberth-echo.so", "sha256": "a" * 64,
                                             "provides": [{"kind": "registry", "name": "r", "summary": "s", "hosts": ["ghcr.io"]}],
                                             "commands": [{"path": "echo say", "summary": "Say"}]}))

# kubeconfig, berth.yaml, service descriptors: the literals of their tests.
for i, text in enumerate(raw_strings("plugins/k8s/kube_config_test.cc")[:4]):
    write("kubeconfig", f"test{i}", text)
for i, text in enumerate(raw_strings("host/core/config/project_config_test.cc")[:3]):
    write("project_config", f"test{i}", text)
with open(os.path.join(ROOT, "examples", "hello", "berth.yaml"), "rb") as f:
    write("project_config", "hello", f.read())
for i, text in enumerate(raw_strings("plugins/micros/descriptor_test.cc")[:4]):
    write("micros_descriptor", f"test{i}", text)

# cosign keys: the committed test keys' public halves and encrypted envelopes.
for name in ["cosign-ec.pub", "cosign-rsa.pub", "sigstore-ec.pub", "cosign-ec.key", "sigstore-ec.key"]:
    with open(os.path.join(ROOT, "plugins", "cosign", "testdata", name), "rb") as f:
        write("cosign_keys", name.replace(".", "_"), f.read())

# cosign signatures: first byte picks manifest / manifest+config / payload / bundle.
with open(os.path.join(cosign_dir, "manifest.json"), "rb") as f:
    sig_manifest = f.read()
with open(os.path.join(cosign_dir, "config.json"), "rb") as f:
    sig_config = f.read()
with open(os.path.join(cosign_dir, "payload.json"), "rb") as f:
    payload = f.read()
write("cosign_signature", "manifest", b"\x00" + sig_manifest)
write("cosign_signature", "manifest_config", b"\x01" + sig_manifest + SEP + sig_config)
write("cosign_signature", "payload", b"\x02" + payload)
statement = json.dumps({"_type": "https://in-toto.io/Statement/v1", "subject": [{"name": "r", "digest": {"sha256": "a" * 64}}],
                        "predicateType": "https://sigstore.dev/cosign/sign/v1", "predicate": {}}).encode()
bundle = {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
          "verificationMaterial": {"publicKey": {"hint": "aGludA=="}, "tlogEntries": []},
          "dsseEnvelope": {"payload": base64.b64encode(statement).decode(), "payloadType": "application/vnd.in-toto+json",
                           "signatures": [{"sig": base64.b64encode(b"not a signature").decode(), "keyid": ""}]}}
write("cosign_signature", "bundle", b"\x03" + json.dumps(bundle).encode())

# ASAP tokens: well-formed JWTs whose signatures do not verify.
def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


for i, (header, claims) in enumerate([
        ({"alg": "ES256", "kid": "issuer/key1", "typ": "JWT"},
         {"iss": "issuer", "sub": "issuer", "aud": "svc", "iat": 1700000000, "exp": 1700000060, "jti": "abc"}),
        ({"alg": "RS256", "kid": "issuer/key2"}, {"iss": "issuer", "aud": ["svc", "x"], "iat": 1, "exp": 2, "nbf": 1}),
        ({"alg": "none"}, {})]):
    token = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode()) + "." + b64url(b"sig" * 20)
    write("asap_token", f"token{i}", token)

# URLs: a base and a reference (Location, Link), hosts the SSRF guard must
# classify, and remote text with terminal escapes for StripControl.
for i, (base, ref) in enumerate([
        ("https://Registry.Example:443/v2/a/b/blobs/uploads/", "/v2/a/b/blobs/uploads/uuid?_state=x"),
        ("http://127.0.0.1:5000/v2/", "https://storage.example/blob?sig=1"),
        ("https://[::ffff:169.254.169.254]/token", "//LOCALHOST:80/x"),
        ("https://127.evil.example/v2/", "<https://r.example/v2/a/tags/list?last=x&n=2>; rel=\"next\""),
        ("https://[fd00:ec2::254]:8443/", "../../..")]):
    write("url", f"seed{i}", base + "\n====\n" + ref)
write("url", "terminal-escapes", b"\x1b]8;;https://evil.example\x07click\x1b]8;;\x07 \x1b[31mred\x1b[0m \xc2\x9b2J \xff\xfe\r\n\x7f")

# Project trust: a berth.yaml with every kind of setting that needs trust,
# and a trust store.
store = json.dumps({"version": 1, "projects": [
    {"dir": "/fuzz/project", "file": "berth.yaml", "sha256": "b" * 64, "trusted_at": "2026-12-07T00:00:00Z",
     "settings": ["signing.key", "environments.staging.target.kubeconfig"]}]})
write("project_trust", "every-kind", """service: shop
image: 127.0.0.1:5000/acme/shop
signing:
  key: keys/cosign.key
build:
  builder: buildx
  platform-command: ./tools/build
environments:
  staging:
    target:
      plugin: k8s
      kubeconfig: kube/config
      mirrors: [https://a.example, https://b.example]
    secrets:
      store: github-actions
      settings:
        api-url: https://api.github.com
        token-file: ~/.config/gh/token
  prod:
    target:
      plugin: micros
      atlas: ./tools/atlas
    secrets:
      store: file
      settings:
        dir: secrets
====
""" + store)
write("project_trust", "store-wrong-types", "service: x\n====\n" + json.dumps(
    {"projects": [{"dir": 1, "sha256": ["x"]}, "not a record", {"dir": "/a", "sha256": "c", "settings": [1, "a"]}]}))

# Inputs that crashed a harness once (docs/fuzzing.md), kept as seeds.
write("plugin_manifest", "regress-wrong-field-type",
      '{"schema": 2, "name": "echo", "version": "1.0.0", "description": [{"kind": "registry"}], "commands": []}')
write("docker_archive", "regress-entry-without-config", archive([("manifest.json", b"[{}]")]))

# The user's berth config and the installed-plugins record.
write("user_config", "keys", "trusted-plugin-keys:\n  - name: alice\n    file: alice.pub\n  - /etc/berth/k.pub\n"
      "  - name: inline\n    pem: |\n      -----BEGIN PUBLIC KEY-----\n"
      "      MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n      -----END PUBLIC KEY-----\n")
write("user_config", "policy", "trusted-plugin-keys:\n  - /etc/berth/keys/platform.pub\nplugin-policy:\n"
      "  require-signatures: true\n  user-keys: false\n  require_signature: yes\n")
write("user_config", "credential-hosts", "credential-hosts:\n  github: [github.example.com, \"127.0.0.1:8443\", \"[::1]:9\"]\n"
      "  google: [\"*.rep.googleapis.com\"]\n====\n{}\n====\nhttps://api.github.com@evil.example:8443/api/v3")
# Schema 2 binds the manifest too; the entry matches the plugin the harness
# checks it against, so the whole check runs. A schema 1 entry (no
# manifest_sha256) is refused as needing a reinstall.
write("user_config", "record", "{}\n====\n" + json.dumps({"schema": 2, "plugins": [
    {"name": "echo", "version": "1.0.0", "path": "/fuzz/plugins/echo", "library": "libberth-echo.so", "sha256": "a" * 64,
     "manifest_sha256": "b" * 64, "signer": "unsigned", "signer_name": "", "installed_at": "2026-01-01T00:00:00Z"}]}))
write("user_config", "record-schema1", "{}\n====\n" + json.dumps({"schema": 1, "plugins": [
    {"name": "echo", "version": "1.0.0", "path": "/fuzz/plugins/echo", "library": "libberth-echo.so", "sha256": "a" * 64,
     "signer": "unsigned", "signer_name": "", "installed_at": "2026-01-01T00:00:00Z"}]}))
