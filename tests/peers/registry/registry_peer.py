#!/usr/bin/python3
"""Run the real CNCF distribution registry (Debian `docker-registry`, 2.8.2) on 127.0.0.1 for berth's tests.

Modes:
  plain      plain HTTP, no auth
  tls-basic  HTTPS (throw-away CA) + htpasswd (bcrypt) Basic auth
  token      auth.token, with the token server (token_server.py, a stand-in for a hosted token service) running in
             this process; --tls puts the registry behind HTTPS too, --token-tls the token server.

Prints one JSON ready line on stdout (see README.md), logs to stderr, and on SIGTERM/SIGINT (or stdin EOF with
--exit-on-stdin-eof) stops the registry by PID and removes its temp dir (unless --keep).
"""

import argparse
import ctypes
import json
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pki  # noqa: E402
import token_server  # noqa: E402

DEFAULT_USERS = {"alice": "alice-secret-pw", "reader": "reader-secret-pw"}
LISTEN_RE = re.compile(r"listening on 127\.0\.0\.1:(\d+)")


def log(msg):
    sys.stderr.write("registry-peer: %s\n" % msg)
    sys.stderr.flush()


def write_private(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def die_with_parent():
    """In the child: get SIGKILL when the peer dies, so that even `kill -9` of the peer leaves no registry behind."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mode", choices=["plain", "tls-basic", "token"], required=True)
    p.add_argument("--port", type=int, default=0, help="registry port (default: a free one)")
    p.add_argument("--workdir", help="parent folder for the temp dir (default: system temp)")
    p.add_argument("--keep", action="store_true", help="leave the temp dir in place at exit")
    p.add_argument("--users", help="JSON file {user: password} replacing the default users")
    p.add_argument("--acl", help="token mode: JSON file {user: {\"repository:GLOB\"|\"registry:catalog\": [actions]}}")
    p.add_argument("--public-repos", default="", help="token mode: comma separated repo globs anonymous may pull")
    p.add_argument("--challenge-style", choices=sorted(token_server.STYLES), default="generic")
    p.add_argument("--service", help="token mode: service (audience); default depends on the challenge style")
    p.add_argument("--issuer", default="berth-test-token-issuer")
    p.add_argument("--token-ttl", type=int, default=300, help="token lifetime in seconds")
    p.add_argument("--no-oauth-post", action="store_true", help="token mode: answer 404 to POST on the realm")
    p.add_argument("--google-tokeninfo", help="token mode: check Basic user oauth2accesstoken's password (a Google "
                   "access token) at this loopback tokeninfo URL (the Google stand-in's URL/tokeninfo)")
    p.add_argument("--tls", action="store_true", help="token mode: serve the registry over HTTPS too")
    p.add_argument("--token-tls", action="store_true", help="token mode: serve the token server over HTTPS")
    p.add_argument("--relative-urls", action="store_true", help="registry answers relative Location headers")
    p.add_argument("--registry-bin", default="docker-registry")
    p.add_argument("--startup-timeout", type=float, default=15.0)
    p.add_argument("--exit-on-stdin-eof", action="store_true")
    args = p.parse_args(argv)
    if args.mode != "token" and (args.tls or args.token_tls or args.acl or args.public_repos):
        p.error("--tls, --token-tls, --acl and --public-repos only apply to --mode token")
    if args.google_tokeninfo and not args.google_tokeninfo.startswith("http://127.0.0.1:"):
        p.error("--google-tokeninfo must be a http://127.0.0.1:PORT/... URL")
    return args


class Peer:
    def __init__(self, args):
        self.args = args
        self.stop_event = threading.Event()
        self.registry = None
        self.token_server = None
        self.exit_code = 0
        if args.workdir:
            os.makedirs(args.workdir, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="berth-registry-", dir=args.workdir)  # mode 0700
        self.users = DEFAULT_USERS
        if args.users:
            with open(args.users) as f:
                self.users = json.load(f)
            if not isinstance(self.users, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) and ":" not in k for k, v in self.users.items()):
                raise SystemExit("--users must be a JSON object {user: password} (no ':' in names)")
        self.tls = args.mode == "tls-basic" or args.tls
        self.ready = {}

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def make_tls(self):
        os.makedirs(self.path("ca"))
        os.makedirs(self.path("tls"))
        ca_key, ca_cert = pki.make_ca("berth test registry CA")
        key, cert = pki.make_leaf(ca_key, ca_cert, "127.0.0.1", dns_names=["localhost"], ip_addresses=["127.0.0.1"])
        # ca/ holds only ca.crt so that it can be given as skopeo's --cert-dir as it is.
        pki.write_cert(self.path("ca", "ca.crt"), ca_cert)
        pki.write_cert(self.path("tls", "server.crt"), cert)
        pki.write_key(self.path("tls", "server.key"), key)

    def make_htpasswd(self):
        lines = []
        for user, password in self.users.items():
            # -i reads the password from stdin: a password must never be in a child's argv.
            out = subprocess.run(["htpasswd", "-niB", user], input=password.encode(), capture_output=True, check=True)
            lines.append(out.stdout.decode().strip())
        write_private(self.path("htpasswd"), "\n".join(lines) + "\n")

    def make_token_server(self):
        a = self.args
        os.makedirs(self.path("token"))
        ca_key, ca_cert = pki.make_ca("berth test token CA")
        leaf_key, leaf_cert = pki.make_leaf(ca_key, ca_cert, "berth test token signer", key_kind="rsa", server=False)
        pki.write_cert(self.path("token", "root.crt"), ca_cert)
        if a.acl:
            with open(a.acl) as f:
                acl_table = json.load(f)
        else:
            acl_table = token_server.default_acl([g for g in a.public_repos.split(",") if g])
        service = a.service or token_server.STYLES[a.challenge_style]["service"]
        self.token_server = token_server.TokenServer(
            users=self.users, acl=token_server.Acl(acl_table),
            signer=token_server.Signer(leaf_key, leaf_cert, ca_cert),
            issuer=a.issuer, service=service, style=a.challenge_style, ttl=a.token_ttl,
            oauth_post=not a.no_oauth_post, tokeninfo_url=a.google_tokeninfo)
        scheme = "http"
        if a.token_tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.path("tls", "server.crt"), self.path("tls", "server.key"))
            self.token_server.socket = ctx.wrap_socket(self.token_server.socket, server_side=True)
            scheme = "https"
        base = "%s://127.0.0.1:%d" % (scheme, self.token_server.port)
        self.token_base = base
        self.realm = base + self.token_server.realm_path
        self.service = service

    def write_config(self):
        a = self.args
        os.makedirs(self.path("storage"))
        http = {"addr": "127.0.0.1:%d" % a.port, "secret": secrets.token_hex(16), "relativeurls": bool(a.relative_urls),
                "headers": {"X-Content-Type-Options": ["nosniff"]}}
        if self.tls:
            http["tls"] = {"certificate": self.path("tls", "server.crt"), "key": self.path("tls", "server.key")}
        config = {
            "version": "0.1",
            "log": {"level": "info", "formatter": "text"},
            "storage": {
                "filesystem": {"rootdirectory": self.path("storage")},
                "delete": {"enabled": True},
                "maintenance": {"uploadpurging": {"enabled": False}},
            },
            "http": http,
        }
        if a.mode == "tls-basic":
            config["auth"] = {"htpasswd": {"realm": "berth-test-registry", "path": self.path("htpasswd")}}
        elif a.mode == "token":
            config["auth"] = {"token": {"realm": self.realm, "service": self.service, "issuer": a.issuer,
                                        "rootcertbundle": self.path("token", "root.crt")}}
        # JSON is YAML; the file holds http.secret, hence 0600.
        write_private(self.path("config.yml"), json.dumps(config, indent=2))

    def start_registry(self):
        log_file = open(self.path("registry.log"), "wb")
        self.registry = subprocess.Popen(
            [self.args.registry_bin, "serve", self.path("config.yml")],
            stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT, cwd=self.dir,
            # Spawned from the main thread before any other thread starts, so preexec_fn is safe here.
            preexec_fn=die_with_parent)
        log_file.close()
        deadline = time.monotonic() + self.args.startup_timeout
        while time.monotonic() < deadline:
            with open(self.path("registry.log"), "rb") as f:
                m = LISTEN_RE.search(f.read().decode("utf-8", "replace"))
            if m:
                return int(m.group(1))
            if self.registry.poll() is not None:
                break
            time.sleep(0.01)
        with open(self.path("registry.log"), "rb") as f:
            sys.stderr.write(f.read().decode("utf-8", "replace"))
        raise RuntimeError("docker-registry did not report its port (exit code %s)" % self.registry.poll())

    def start(self):
        a = self.args
        write_private(self.path("users.json"), json.dumps(self.users))
        if self.tls or a.token_tls:
            self.make_tls()
        if a.mode == "tls-basic":
            self.make_htpasswd()
        if a.mode == "token":
            self.make_token_server()
        self.write_config()
        port = self.start_registry()
        refresh_tokens = {}
        if self.token_server:
            threading.Thread(target=self.token_server.serve_forever, name="token-server", daemon=True).start()
            refresh_tokens = {u: self.token_server.new_refresh_token(u) for u in self.users}
        scheme = "https" if self.tls else "http"
        self.ready = {
            "mode": a.mode,
            "port": port,
            "host": "127.0.0.1:%d" % port,
            "url": "%s://127.0.0.1:%d" % (scheme, port),
            "tls": self.tls,
            "ca_file": self.path("ca", "ca.crt") if (self.tls or a.token_tls) else None,
            "cert_dir": self.path("ca") if (self.tls or a.token_tls) else None,
            "users": self.users,
            "users_file": self.path("users.json"),
            "token_url": self.realm if self.token_server else None,
            "token_service": self.service if self.token_server else None,
            "token_issuer": a.issuer if self.token_server else None,
            "token_stats_url": self.token_base + "/_stats" if self.token_server else None,
            "challenge_style": a.challenge_style if self.token_server else None,
            "refresh_tokens": refresh_tokens,
            "storage_dir": self.path("storage"),
            "log_file": self.path("registry.log"),
            "config_file": self.path("config.yml"),
            "workdir": self.dir,
            "pid": os.getpid(),
            "registry_pid": self.registry.pid,
        }
        sys.stdout.write(json.dumps(self.ready) + "\n")
        sys.stdout.flush()
        log("ready on %s (registry pid %d)" % (self.ready["url"], self.registry.pid))

    def watch_stdin(self):
        try:
            while os.read(0, 65536):
                pass
        except OSError:
            pass
        log("stdin closed, stopping")
        self.stop_event.set()

    def run(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stop_event.set())
        try:
            self.start()
            if self.args.exit_on_stdin_eof:
                threading.Thread(target=self.watch_stdin, name="stdin", daemon=True).start()
            while not self.stop_event.wait(0.2):
                if self.registry.poll() is not None:
                    log("docker-registry exited by itself with code %s" % self.registry.returncode)
                    self.exit_code = 1
                    break
        except Exception as e:  # report and clean up; the exit code tells the test
            log("failed: %s" % e)
            self.exit_code = 1
        finally:
            self.stop()
        return self.exit_code

    def stop(self):
        if self.registry and self.registry.poll() is None:
            self.registry.terminate()
            try:
                self.registry.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.registry.kill()
                self.registry.wait()
        if self.token_server:
            self.token_server.server_close()
        if self.args.keep:
            log("kept %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def main(argv):
    return Peer(parse_args(argv)).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
