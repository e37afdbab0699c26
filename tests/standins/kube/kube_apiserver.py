#!/usr/bin/python3
"""STAND-IN for the Kubernetes API server (kube-apiserver), for berth's k8s plugin tests.

No kube-apiserver can run on the machines this project builds and tests on, so this is a stand-in,
not the real server. It follows the documented Kubernetes API (REST paths, discovery, metav1.Status
errors, server-side apply with managedFields, JSON/merge/strategic-merge patches, watch) for the
resources a deployment tool touches, and simulates the deployment controller. Its fidelity is
checked by driving it with the real kubectl (see fidelity_test.sh). README.md lists what it does
not do.

Usage: kube_apiserver.py [--workdir DIR] [--port N] [--rollout-seconds S] [--exit-on-stdin-eof]
When ready it prints ONE JSON line to stdout:
  {"port", "url", "ca_file", "token", "client_cert", "client_key", "kubeconfig", "workdir", ...}
Logs go to stderr.
"""

import argparse
import hmac
import json
import os
import shutil
import signal
import ssl
import sys
import tempfile
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kube_api  # noqa: E402
import kube_discovery  # noqa: E402
import kube_pki  # noqa: E402
import kube_protobuf  # noqa: E402
import kube_types  # noqa: E402
from kube_api import ApiError  # noqa: E402
from kube_controller import Controller  # noqa: E402
from kube_store import Store  # noqa: E402
from kube_watch import serve_watch  # noqa: E402

try:
    import yaml
except ImportError:  # pragma: no cover
    yaml = None

READ_VERBS = {"get", "list", "watch"}


class State:
    def __init__(self, pki, store, api):
        self.pki = pki
        self.store = store
        self.api = api
        self.requests = []
        self.requests_lock = threading.Lock()
        self.port = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "standin-kube-apiserver"
    disable_nagle_algorithm = True
    state = None  # set on the subclass made in main()

    def handle(self):
        try:
            self.connection.do_handshake()
        except (ssl.SSLError, OSError) as e:
            print(f"TLS handshake failed from {self.client_address[0]}: {e}", file=sys.stderr, flush=True)
            return
        try:
            super().handle()
        except (ConnectionError, ssl.SSLError, TimeoutError):
            pass

    def log_message(self, fmt, *args):
        sys.stderr.write("kube-standin: " + (fmt % args) + "\n")

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_PATCH(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    # ---- plumbing

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, code, body, content_type="application/json"):
        if isinstance(body, (dict, list)):
            if content_type == "application/yaml" and yaml is not None:
                data = yaml.safe_dump(body, sort_keys=False).encode()
            else:
                data = json.dumps(body).encode()
        else:
            data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self._record_code(code)

    def _error(self, err):
        self._send(err.code, err.status())

    def _record_code(self, code):
        if getattr(self, "_record", None) is not None:
            self._record["code"] = code

    def _authenticate(self):
        """x509 client certificates first, then bearer tokens, like the real authenticator chain.

        Returns (user, groups, read_only) or (None, None, False)."""
        cert = self.connection.getpeercert()
        if cert:
            attrs = [kv for rdn in cert.get("subject", ()) for kv in rdn]
            cn = next((v for k, v in attrs if k == "commonName"), None)
            if cn:
                groups = [v for k, v in attrs if k == "organizationName"]
                return cn, groups + ["system:authenticated"], False
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth[len("Bearer "):].strip()
            pki = self.state.pki
            if hmac.compare_digest(token.encode(), pki.token.encode()):
                return kube_pki.ADMIN_USER, ["system:masters", "system:authenticated"], False
            if hmac.compare_digest(token.encode(), pki.viewer_token.encode()):
                return kube_pki.VIEWER_USER, ["system:authenticated"], True
        return None, None, False

    def _dispatch(self):
        self._record = None
        parsed = urlsplit(self.path)
        path = parsed.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(parsed.query, keep_blank_values=True).items()}
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        try:
            body = self._body()
        except (ValueError, OSError):
            self._error(kube_api.bad_request("could not read the request body"))
            return
        if path.startswith("/_standin/"):
            self._control(path, body)
            return
        self._record = {"method": self.command, "path": path, "query": query, "content_type": content_type,
                        "field_manager": query.get("fieldManager"),
                        "user_agent": self.headers.get("User-Agent", ""), "user": None, "code": None}
        with self.state.requests_lock:
            self.state.requests.append(self._record)
        user, groups, read_only = self._authenticate()
        if user is None:
            self._send(401, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                             "message": "Unauthorized", "reason": "Unauthorized", "code": 401})
            return
        self._record["user"] = user
        try:
            if path == kube_discovery.SELF_SUBJECT_REVIEW and self.command == "POST":
                self._send(201, kube_discovery.self_subject_review(user, groups))
                return
            self._route(path, query, content_type, body, user, read_only)
        except ApiError as e:
            self._error(e)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as e:  # a stand-in bug: report it as the real server would report a panic
            import traceback
            traceback.print_exc()
            self._error(ApiError(500, "InternalError", f"Internal error occurred: {e}"))

    def _control(self, path, body):
        if path == "/_standin/requests" and self.command == "GET":
            with self.state.requests_lock:
                self._send(200, list(self.state.requests))
        elif path == "/_standin/requests" and self.command == "DELETE":
            with self.state.requests_lock:
                self.state.requests.clear()
            self._send(200, [])
        else:
            self._send(404, {"error": "unknown stand-in control path"})

    def _accept(self):
        accept = self.headers.get("Accept", "") or "*/*"
        if "application/json" in accept or "*/*" in accept:
            return "application/json"
        if "application/yaml" in accept and yaml is not None:
            return "application/yaml"
        raise ApiError(406, "NotAcceptable", "only the following media types are accepted: application/json, "
                       "application/yaml")

    def _route(self, path, query, content_type, body, user, read_only):
        parts = [p for p in path.split("/") if p]
        discovery = kube_discovery.Discovery(self.state.port)
        if self.command == "GET":
            doc = discovery.document(parts)
            if doc is not None:
                if isinstance(doc, str):
                    self._send(200, doc, "text/plain; charset=utf-8")
                else:
                    self._send(200, doc)
                return
        target = _resource_target(parts)
        if target is None:
            if parts[:1] in (["api"], ["apis"]) and self.command == "GET" and len(parts) <= 3:
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            self._send(404, "404 page not found\n", "text/plain; charset=utf-8")
            return
        rt, ns, name, sub = target
        if sub not in (None, "status", "scale") or (sub == "status" and not rt.status) or \
                (sub == "scale" and rt.kind not in kube_types.SCALABLE):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        verb = _verb(self.command, name, query)
        if verb is None:
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                           "resource")
        if read_only and verb not in READ_VERBS:
            raise _forbidden(rt, ns, name, verb, user)
        api = self.state.api
        manager = query.get("fieldManager") or _manager_from_user_agent(self.headers.get("User-Agent", ""))
        out_type = self._accept()
        if verb == "watch":
            serve_watch(self, self.state.store, rt, ns, query, name)
            return
        if sub == "scale":
            if verb == "get":
                self._send(200, api.get_scale(rt, ns, name), out_type)
            elif verb in ("update", "patch"):
                raw = _decode_body(content_type, body, "Scale") if verb == "update" else body
                obj, code = api.write_scale(rt, ns, name, None if verb == "update" else content_type, raw, query,
                                            manager)
                self._send(code, obj, out_type)
            else:
                raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the "
                               "requested resource")
            return
        if verb == "get":
            obj = api.get(rt, ns, name)
            self._send_object(rt, obj, out_type, query, single=True)
        elif verb == "list":
            if rt.namespaced and ns is None:
                ns = None  # all namespaces
            self._send_object(rt, api.list(rt, ns, query), out_type, query, single=False)
        elif verb == "create":
            if rt.namespaced and ns is None:
                raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the "
                               "requested resource")
            obj, code = api.create(rt, ns or "", _decode_body(content_type, body, rt.kind), query, manager)
            self._send(code, obj, out_type)
        elif verb == "update":
            obj, code = api.replace(rt, ns or "", name, _decode_body(content_type, body, rt.kind), query, manager, sub)
            self._send(code, obj, out_type)
        elif verb == "patch":
            obj, code = api.patch(rt, ns or "", name, content_type, body, query, manager, sub)
            self._send(code, obj, out_type)
        elif verb == "delete":
            opts = _decode_body(content_type, body, "DeleteOptions") if body else {}
            self._send(200, api.delete(rt, ns or "", name, query, opts), out_type)
        elif verb == "deletecollection":
            self._send(200, api.delete_collection(rt, ns, query), out_type)

    def _send_object(self, rt, obj, out_type, query, single):
        accept = self.headers.get("Accept", "")
        if "as=Table" in accept and "g=meta.k8s.io" in accept:
            items = [obj] if single else obj["items"]
            rv = obj["metadata"].get("resourceVersion", "") if not single else obj["metadata"]["resourceVersion"]
            self._send(200, kube_discovery.table(rt, items, rv, query.get("includeObject", "Metadata"),
                                                 obj["metadata"].get("continue") if not single else None))
            return
        self._send(200, obj, out_type)


def _resource_target(parts):
    if len(parts) >= 2 and parts[0] == "api" and parts[1] == "v1":
        group, version, rest = "", "v1", parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis" and parts[1] in kube_types.GROUPS:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    ns = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        inner = kube_types.find(group, version, rest[2])
        if inner is not None and inner.namespaced:
            ns, rest = rest[1], rest[2:]
    if not rest or len(rest) > 3:
        return None
    rt = kube_types.find(group, version, rest[0])
    if rt is None:
        return None
    name = rest[1] if len(rest) > 1 else None
    if rt.namespaced and name is not None and ns is None:
        return None
    return rt, ns, name, (rest[2] if len(rest) > 2 else None)


def _verb(method, name, query):
    watching = query.get("watch") in ("1", "true")
    if method == "GET":
        if watching:
            return "watch"
        return "get" if name else "list"
    if method == "POST" and name is None:
        return "create"
    if method == "PUT" and name:
        return "update"
    if method == "PATCH" and name:
        return "patch"
    if method == "DELETE":
        return "delete" if name else "deletecollection"
    return None


def _forbidden(rt, ns, name, verb, user):
    what = f"{rt.qualified} \"{name}\"" if name else rt.qualified
    where = f" in the namespace \"{ns}\"" if ns else " at the cluster scope"
    details = {"name": name} if name else {}
    if rt.group:
        details["group"] = rt.group
    details["kind"] = rt.plural
    return ApiError(403, "Forbidden", f"{what} is forbidden: User \"{user}\" cannot {verb} resource "
                    f"\"{rt.plural}\" in API group \"{rt.group}\"{where}", details)


def _manager_from_user_agent(user_agent):
    # The API server names an unnamed manager after the client's user agent (prefixFromUserAgent).
    return user_agent.split("/")[0][:128] or "unknown"


def _decode_body(content_type, body, kind):
    if content_type == "application/vnd.kubernetes.protobuf":
        try:
            return kube_protobuf.decode(body, kind)
        except (kube_protobuf.ProtobufError, UnicodeDecodeError, IndexError) as e:
            raise ApiError(415, "UnsupportedMediaType", f"the stand-in could not decode the protobuf body: {e}") \
                from None
    if content_type in ("application/yaml",) and yaml is not None:
        try:
            return yaml.safe_load(body.decode())
        except yaml.YAMLError as e:
            raise kube_api.bad_request(f"error decoding YAML: {e}") from None
    if content_type not in ("application/json", ""):
        raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                       "accepted media types include: application/json, application/yaml, "
                       "application/vnd.kubernetes.protobuf")
    try:
        return json.loads(body or b"null")
    except ValueError as e:
        raise kube_api.bad_request(f"couldn't get version/kind; json parse error: {e}") from None


def seed(api):
    """What a fresh cluster has: its namespaces and the kubernetes service."""
    ns_type = kube_types.by_kind("Namespace")
    for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
        api.commit(ns_type, None, {"metadata": {"name": ns}}, "kube-apiserver")
    svc = kube_types.by_kind("Service")
    api.commit(svc, None, {"metadata": {"name": "kubernetes", "namespace": "default",
                                        "labels": {"component": "apiserver", "provider": "kubernetes"}},
                           "spec": {"clusterIP": "10.96.0.1",
                                    "ports": [{"name": "https", "port": 443, "protocol": "TCP",
                                               "targetPort": 6443}]}}, "kube-apiserver")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", help="where to write certificates and the kubeconfig (kept on exit)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rollout-seconds", type=float, default=2.0,
                        help="how long a simulated rollout takes to become available")
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()

    made_workdir = args.workdir is None
    workdir = tempfile.mkdtemp(prefix="kube-standin-") if made_workdir else os.path.abspath(args.workdir)
    os.makedirs(workdir, exist_ok=True)
    os.chmod(workdir, 0o700)
    pki = kube_pki.Pki(workdir)
    pki.generate()

    store = Store()
    api = kube_api.Api(store)
    seed(api)
    state = State(pki, store, api)

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(pki.server_cert, pki.server_key)
    ctx.load_verify_locations(pki.ca_file)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    ctx.set_alpn_protocols(["http/1.1"])

    handler = type("BoundHandler", (Handler,), {"state": state})
    server = Server(("127.0.0.1", args.port), handler)
    server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    state.port = server.server_address[1]
    url = f"https://127.0.0.1:{state.port}"
    pki.write_kubeconfig(url)

    controller = Controller(api, args.rollout_seconds)
    controller.start()
    serve_thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    serve_thread.start()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.exit_on_stdin_eof:
        def watch_stdin():
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            except OSError:
                pass
            stop.set()
        threading.Thread(target=watch_stdin, name="stdin", daemon=True).start()

    ready = {"port": state.port, "url": url, "ca_file": pki.ca_file, "token": pki.token,
             "client_cert": pki.client_cert, "client_key": pki.client_key, "kubeconfig": pki.kubeconfig,
             "workdir": workdir, "viewer_token": pki.viewer_token, "context": "standin",
             "cert_context": "standin-cert", "viewer_context": "standin-viewer"}
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    print(f"kube-standin: listening on {url} (workdir {workdir})", file=sys.stderr, flush=True)

    while not stop.wait(0.5):
        pass
    controller.stop.set()
    server.shutdown()
    server.server_close()
    if made_workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
