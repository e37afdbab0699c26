#!/usr/bin/env bash
# Fidelity check of the Kubernetes API server stand-in against the real kubectl.
#
# Starts kube_apiserver.py, drives it with kubectl through the kubeconfig it writes, and asserts
# on what kubectl prints and on the objects it reads back. Prints "N passed, N failed" and exits
# non-zero if anything failed (or if kubectl is missing: a check that cannot run is not a pass).
set -u

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3
KUBECTL="${KUBECTL:-kubectl}"
PASSED=0
FAILED=0

umask 077
TMP="$(mktemp -d "${TMPDIR:-/tmp}/kube-fidelity.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  exec 9>&- 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

pass() { PASSED=$((PASSED + 1)); echo "PASS: $1"; }
fail() {
  FAILED=$((FAILED + 1)); echo "FAIL: $1"
  [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/    | /' "$2" | head -40
}
# expect NAME FILE PATTERN...: every extended regex must match somewhere in FILE.
expect() {
  local name="$1" file="$2"; shift 2
  local p
  for p in "$@"; do
    if ! grep -Eq -- "$p" "$file"; then fail "$name (missing /$p/)" "$file"; return 1; fi
  done
  pass "$name"
}
# pycheck NAME FILE PYTHON: PYTHON gets `d` (the JSON in FILE) and must not raise.
pycheck() {
  local name="$1" file="$2" code="$3"
  if "$PY" - "$file" >"$TMP/pycheck.out" 2>&1 <<EOF
import json, sys, base64
d = json.load(open(sys.argv[1]))
$code
EOF
  then pass "$name"; else fail "$name" "$TMP/pycheck.out"; fi
}

if ! command -v "$KUBECTL" >/dev/null 2>&1; then
  echo "kubectl not found; the fidelity check needs the real client"
  echo "0 passed, 1 failed"
  exit 1
fi

# ---------------------------------------------------------------- start the stand-in
mkfifo "$TMP/stdin"
"$PY" "$HERE/kube_apiserver.py" --workdir "$TMP/server" --rollout-seconds 1 --exit-on-stdin-eof \
  <"$TMP/stdin" >"$TMP/ready.json" 2>"$TMP/server.log" &
SERVER_PID=$!
exec 9>"$TMP/stdin"   # keeps the stand-in's stdin open until this script ends
for _ in $(seq 100); do [ -s "$TMP/ready.json" ] && break; sleep 0.1; done
if [ ! -s "$TMP/ready.json" ]; then
  echo "stand-in did not start"; cat "$TMP/server.log"; echo "0 passed, 1 failed"; exit 1
fi
field() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$TMP/ready.json" "$1"; }
export KUBECONFIG="$(field kubeconfig)"
export HOME="$TMP/home"   # a fresh kubectl discovery cache
mkdir -p "$HOME"
URL="$(field url)"
CA="$(field ca_file)"
k() { "$KUBECTL" --request-timeout=20s "$@"; }

pycheck "ready line names every file and credential" "$TMP/ready.json" '
import os, stat
for key in ("port", "url", "ca_file", "token", "client_cert", "client_key", "kubeconfig", "workdir"):
    assert key in d, key
assert d["url"] == "https://127.0.0.1:%d" % d["port"]
for key in ("client_key", "kubeconfig"):
    mode = stat.S_IMODE(os.stat(d[key]).st_mode)
    assert mode == 0o600, (key, oct(mode))'

# ---------------------------------------------------------------- manifests
cat >"$TMP/app-v1.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: x
  labels: {app: x}
spec:
  replicas: 2
  selector:
    matchLabels: {app: x}
  template:
    metadata:
      labels: {app: x}
    spec:
      containers:
      - name: app
        image: registry.example/app:v1
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: x
spec:
  selector: {app: x}
  ports:
  - port: 80
    targetPort: 8080
EOF
sed 's#registry.example/app:v1#registry.example/app:v2#' "$TMP/app-v1.yaml" >"$TMP/app-v2.yaml"
cat >"$TMP/other.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: x
spec:
  replicas: 3
EOF
cat >"$TMP/stall.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: s
spec:
  replicas: 1
  progressDeadlineSeconds: 2
  selector:
    matchLabels: {app: s}
  template:
    metadata:
      labels: {app: s}
    spec:
      containers:
      - name: app
        image: registry.example/app:stall
EOF

# ---------------------------------------------------------------- server-side apply and get
k apply --server-side -f "$TMP/app-v1.yaml" >"$TMP/apply1.out" 2>&1
expect "apply --server-side creates the deployment and the service" "$TMP/apply1.out" \
  '^deployment.apps/x serverside-applied$' '^service/x serverside-applied$'

k get deploy,svc -o json >"$TMP/get1.json" 2>"$TMP/get1.err"
pycheck "get deploy,svc -o json shows both objects as applied" "$TMP/get1.json" '
kinds = {(i["kind"], i["metadata"]["name"]): i for i in d["items"]}
dep, svc = kinds[("Deployment", "x")], kinds[("Service", "x")]
assert dep["apiVersion"] == "apps/v1"
assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example/app:v1"
assert dep["spec"]["replicas"] == 2
assert dep["metadata"]["generation"] == 1 and dep["metadata"]["uid"] and dep["metadata"]["resourceVersion"]
assert svc["spec"]["ports"][0]["port"] == 80 and svc["spec"]["selector"] == {"app": "x"}
assert svc["spec"]["clusterIP"].startswith("10.")'

k rollout status deploy/x --timeout=30s >"$TMP/status1.out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
  expect "rollout status waits for the simulated rollout" "$TMP/status1.out" \
    'deployment "x" successfully rolled out'
else
  fail "rollout status waits for the simulated rollout (exit $rc)" "$TMP/status1.out"
fi
k get deploy x -o json >"$TMP/dep1.json"
pycheck "a finished rollout reports the status a real controller writes" "$TMP/dep1.json" '
s = d["status"]
assert s["observedGeneration"] == d["metadata"]["generation"]
assert s["replicas"] == s["updatedReplicas"] == s["readyReplicas"] == s["availableReplicas"] == 2, s
conds = {c["type"]: c for c in s["conditions"]}
assert conds["Available"]["status"] == "True" and conds["Available"]["reason"] == "MinimumReplicasAvailable"
assert conds["Progressing"]["status"] == "True" and conds["Progressing"]["reason"] == "NewReplicaSetAvailable"
assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"'

k get deploy x -o json --show-managed-fields >"$TMP/mf1.json"
pycheck "managedFields record the apply by field manager kubectl" "$TMP/mf1.json" '
mf = {(m["manager"], m["operation"], m.get("subresource", "")): m for m in d["metadata"]["managedFields"]}
f = mf[("kubectl", "Apply", "")]["fieldsV1"]
assert "f:replicas" in f["f:spec"]
c = f["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"app\"}"]
assert "f:image" in c and "." in c
assert ("kube-controller-manager", "Update", "status") in mf'

# ---------------------------------------------------------------- second revision
k apply --server-side -f "$TMP/app-v2.yaml" >"$TMP/apply2.out" 2>&1
k rollout status deploy/x --timeout=30s >"$TMP/status2.out" 2>&1
expect "a new image rolls out" "$TMP/status2.out" 'deployment "x" successfully rolled out'
k get rs -l app=x -o json >"$TMP/rs2.json"
pycheck "the new image makes replica set revision 2 and scales the old one to 0" "$TMP/rs2.json" '
dep_uid = json.load(open(sys.argv[1].replace("rs2.json", "dep1.json")))["metadata"]["uid"]
by_rev = {i["metadata"]["annotations"]["deployment.kubernetes.io/revision"]: i for i in d["items"]}
assert sorted(by_rev) == ["1", "2"], sorted(by_rev)
for rs in d["items"]:
    ref = rs["metadata"]["ownerReferences"][0]
    assert ref["kind"] == "Deployment" and ref["uid"] == dep_uid and ref["controller"] is True
    h = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == "x-" + h and rs["spec"]["selector"]["matchLabels"]["pod-template-hash"] == h
assert by_rev["2"]["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":v2")
assert by_rev["2"]["spec"]["replicas"] == 2 and by_rev["1"]["spec"]["replicas"] == 0'

k rollout history deploy/x >"$TMP/history2.out" 2>&1
expect "rollout history lists revisions 1 and 2" "$TMP/history2.out" \
  '^deployment.apps/x' '^REVISION +CHANGE-CAUSE' '^1 +<none>' '^2 +<none>'

# ---------------------------------------------------------------- undo
k rollout undo deploy/x >"$TMP/undo.out" 2>&1
expect "rollout undo is accepted" "$TMP/undo.out" '^deployment.apps/x rolled back$'
k rollout status deploy/x --timeout=30s >"$TMP/status3.out" 2>&1
expect "the undone rollout finishes" "$TMP/status3.out" 'deployment "x" successfully rolled out'
k get deploy x -o json >"$TMP/dep3.json"
pycheck "undo brings back revision 1's image as revision 3" "$TMP/dep3.json" '
assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example/app:v1"
assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
assert "pod-template-hash" not in d["spec"]["template"]["metadata"]["labels"]'
k rollout history deploy/x >"$TMP/history3.out" 2>&1
if grep -Eq '^1 ' "$TMP/history3.out"; then
  fail "history after undo: revision 1 became 3" "$TMP/history3.out"
else
  expect "history after undo: revision 1 became 3" "$TMP/history3.out" '^2 +<none>' '^3 +<none>'
fi
k get rs -l app=x -o json >"$TMP/rs3.json"
pycheck "the reused replica set carries revision 3 and revision-history 1" "$TMP/rs3.json" '
v1 = [i for i in d["items"] if i["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":v1")]
assert len(v1) == 1 and len(d["items"]) == 2
a = v1[0]["metadata"]["annotations"]
assert a["deployment.kubernetes.io/revision"] == "3" and a["deployment.kubernetes.io/revision-history"] == "1"'

# ---------------------------------------------------------------- conflicts between field managers
k apply --server-side --field-manager=other -f "$TMP/other.yaml" >"$TMP/conflict.out" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
  expect "a different manager changing an owned field gets a conflict" "$TMP/conflict.out" \
    '^error: Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas$' '--force-conflicts'
else
  fail "a different manager changing an owned field gets a conflict (exit 0)" "$TMP/conflict.out"
fi
k apply --server-side --field-manager=other --force-conflicts -f "$TMP/other.yaml" >"$TMP/force.out" 2>&1
expect "--force-conflicts takes the field over" "$TMP/force.out" '^deployment.apps/x serverside-applied$'
k get deploy x -o json --show-managed-fields >"$TMP/mf2.json"
pycheck "after the forced apply the other manager owns .spec.replicas" "$TMP/mf2.json" '
assert d["spec"]["replicas"] == 3
mf = {(m["manager"], m["operation"]): m["fieldsV1"] for m in d["metadata"]["managedFields"]}
assert "f:replicas" in mf[("other", "Apply")]["f:spec"]
assert "f:replicas" not in mf[("kubectl", "Apply")]["f:spec"]'
k apply --server-side --field-manager=third -f "$TMP/other.yaml" >"$TMP/same.out" 2>&1
expect "applying an owned field with the same value is shared ownership, not a conflict" "$TMP/same.out" \
  '^deployment.apps/x serverside-applied$'

cat >"$TMP/prune1.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: p
  labels: {app: p, tier: web}
spec:
  strategy: {type: Recreate}
  selector:
    matchLabels: {app: p}
  template:
    metadata:
      labels: {app: p}
    spec:
      containers:
      - name: app
        image: registry.example/app:v1
        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
      - name: side
        image: registry.example/side:v1
EOF
cat >"$TMP/prune2.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: p
  labels: {app: p}
spec:
  selector:
    matchLabels: {app: p}
  template:
    metadata:
      labels: {app: p}
    spec:
      containers:
      - name: app
        image: registry.example/app:v1
        env:
        - {name: A, value: "1"}
EOF
k apply --server-side -f "$TMP/prune1.yaml" >/dev/null 2>&1
k label deploy p owner=team >/dev/null 2>&1
k apply --server-side -f "$TMP/prune2.yaml" >"$TMP/prune.out" 2>&1
k get deploy p -o json >"$TMP/prune.json"
pycheck "fields dropped from an applied config are removed unless another manager owns them" "$TMP/prune.json" '
assert d["metadata"]["labels"] == {"app": "p", "owner": "team"}, d["metadata"]["labels"]
assert d["spec"]["strategy"]["type"] == "RollingUpdate"
cs = d["spec"]["template"]["spec"]["containers"]
assert [c["name"] for c in cs] == ["app"] and cs[0]["env"] == [{"name": "A", "value": "1"}], cs'

k apply --server-side --dry-run=server -f - >"$TMP/dry.out" 2>&1 <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: dry
data: {a: b}
EOF
k get configmap dry >"$TMP/dry-get.out" 2>&1
if grep -q 'serverside-applied (server dry run)' "$TMP/dry.out" && grep -q 'NotFound' "$TMP/dry-get.out"; then
  pass "apply with dryRun=All answers but stores nothing"
else
  cat "$TMP/dry-get.out" >>"$TMP/dry.out"; fail "apply with dryRun=All answers but stores nothing" "$TMP/dry.out"
fi

# ---------------------------------------------------------------- a stalled rollout
k apply --server-side -f "$TMP/stall.yaml" >/dev/null 2>&1
k rollout status deploy/s --timeout=30s >"$TMP/stall.out" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
  expect "a stalled rollout fails with kubectl's progress-deadline message" "$TMP/stall.out" \
    '^error: deployment "s" exceeded its progress deadline$'
else
  fail "a stalled rollout fails with kubectl's progress-deadline message (exit 0)" "$TMP/stall.out"
fi
k get deploy s -o json >"$TMP/stall.json"
pycheck "the stalled deployment has Progressing=False ProgressDeadlineExceeded" "$TMP/stall.json" '
c = {x["type"]: x for x in d["status"]["conditions"]}
assert c["Progressing"]["status"] == "False" and c["Progressing"]["reason"] == "ProgressDeadlineExceeded"
assert c["Progressing"]["message"].endswith("has timed out progressing.")
assert c["Available"]["status"] == "False"
assert d["status"].get("availableReplicas", 0) == 0'

# ---------------------------------------------------------------- secrets
printf '%s' 's3cr=t! with spaces' >"$TMP/password"
printf '%s' 'admin' >"$TMP/username"
k create secret generic creds --from-file=password="$TMP/password" --from-file=username="$TMP/username" \
  >"$TMP/secret.out" 2>&1
expect "kubectl create secret generic" "$TMP/secret.out" '^secret/creds created$'
k get secret creds -o json >"$TMP/secret.json"
pycheck "secret data round-trips as base64" "$TMP/secret.json" '
assert d["type"] == "Opaque"
got = {k: base64.b64decode(v).decode() for k, v in d["data"].items()}
assert got == {"password": "s3cr=t! with spaces", "username": "admin"}, got'
k apply --server-side -f - >/dev/null 2>&1 <<'EOF'
apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  extra: plain-text
EOF
k get secret creds -o json >"$TMP/secret2.json"
pycheck "stringData is merged into data" "$TMP/secret2.json" '
got = {k: base64.b64decode(v).decode() for k, v in d["data"].items()}
assert got["extra"] == "plain-text" and got["username"] == "admin"
assert "stringData" not in d'

# ---------------------------------------------------------------- image pull secrets and namespaces
k get namespace pulls >"$TMP/ns-missing.out" 2>&1
expect "a missing namespace is NotFound" "$TMP/ns-missing.out" 'namespaces "pulls" not found'
k -n pulls create secret generic early --from-literal=a=b >"$TMP/ns-early.out" 2>&1
expect "nothing is created in a missing namespace" "$TMP/ns-early.out" 'namespaces "pulls" not found'
k apply --server-side -f - >"$TMP/ns-apply.out" 2>&1 <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: pulls
  labels: {app.kubernetes.io/managed-by: berth}
EOF
expect "a namespace is created by server-side apply" "$TMP/ns-apply.out" '^namespace/pulls serverside-applied$'
k get namespace pulls -o json >"$TMP/ns.json"
pycheck "the namespace is active, labelled by the applier and the server" "$TMP/ns.json" '
assert d["status"]["phase"] == "Active"
assert d["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "berth", "kubernetes.io/metadata.name": "pulls"}'
k -n pulls create secret docker-registry regcred --docker-server=127.0.0.1:5000 --docker-username=alice \
  --docker-password='pw:with colon' >"$TMP/pull.out" 2>&1
expect "kubectl create secret docker-registry" "$TMP/pull.out" '^secret/regcred created$'
k -n pulls get secret regcred -o json >"$TMP/pull.json"
pycheck "a docker-registry secret is kubernetes.io/dockerconfigjson with auths for its server" "$TMP/pull.json" '
assert d["type"] == "kubernetes.io/dockerconfigjson"
config = json.loads(base64.b64decode(d["data"][".dockerconfigjson"]))
entry = config["auths"]["127.0.0.1:5000"]
assert list(config["auths"]) == ["127.0.0.1:5000"]
assert base64.b64decode(entry["auth"]).decode() == "alice:pw:with colon", entry'
k -n pulls get secret >"$TMP/pull-list.out" 2>&1
expect "kubectl get secret shows the type" "$TMP/pull-list.out" '^regcred +kubernetes.io/dockerconfigjson +1 '
k -n pulls apply --server-side -f - >"$TMP/pull-nokey.out" 2>&1 <<'EOF'
apiVersion: v1
kind: Secret
metadata: {name: nokey}
type: kubernetes.io/dockerconfigjson
stringData: {other: x}
EOF
expect "a dockerconfigjson secret needs .dockerconfigjson" "$TMP/pull-nokey.out" \
  'The Secret "nokey" is invalid: data\[.dockerconfigjson\]: Required value'
k -n pulls apply --server-side -f - >"$TMP/pull-badjson.out" 2>&1 <<'EOF'
apiVersion: v1
kind: Secret
metadata: {name: badjson}
type: kubernetes.io/dockerconfigjson
stringData: {.dockerconfigjson: "{not json"}
EOF
expect "its value must be JSON, and is not echoed" "$TMP/pull-badjson.out" \
  'The Secret "badjson" is invalid: data\[.dockerconfigjson\]: Invalid value: "<secret contents redacted>"'
k -n pulls apply --server-side --force-conflicts -f - >"$TMP/pull-type.out" 2>&1 <<'EOF'
apiVersion: v1
kind: Secret
metadata: {name: regcred}
type: Opaque
EOF
expect "a secret's type is immutable" "$TMP/pull-type.out" \
  'The Secret "regcred" is invalid: type: Invalid value: "Opaque": field is immutable'

# ---------------------------------------------------------------- authentication
k --context standin-cert auth whoami -o json >"$TMP/whoami.json" 2>"$TMP/whoami.err"
pycheck "client certificate authentication (auth whoami)" "$TMP/whoami.json" '
u = d["status"]["userInfo"]
assert u["username"] == "standin-cert-user" and "system:masters" in u["groups"], u'
k --context standin-cert get deploy x -o jsonpath='{.metadata.name}' >"$TMP/cert-get.out" 2>&1
expect "client certificate can read objects" "$TMP/cert-get.out" '^x$'
k --token=not-the-token get deploy x >"$TMP/badtoken.out" 2>&1
expect "a wrong token is refused" "$TMP/badtoken.out" 'Unauthorized'
"$PY" - "$URL" "$CA" >"$TMP/anon.json" 2>&1 <<'EOF'
import json, ssl, sys, urllib.request, urllib.error
ctx = ssl.create_default_context(cafile=sys.argv[2])
try:
    urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/api/v1/namespaces"), context=ctx)
    print(json.dumps({"code": 200}))
except urllib.error.HTTPError as e:
    print(json.dumps({"http": e.code, "body": json.loads(e.read())}))
EOF
pycheck "an unauthenticated request gets a 401 Status" "$TMP/anon.json" '
b = d["body"]
assert d["http"] == 401 and b["kind"] == "Status" and b["reason"] == "Unauthorized" and b["code"] == 401'
k --context standin-viewer delete deploy x >"$TMP/forbidden.out" 2>&1
expect "the read-only token is forbidden to write" "$TMP/forbidden.out" \
  'deployments.apps "x" is forbidden: User "standin-viewer" cannot delete resource "deployments" in API group "apps" in the namespace "default"'

# ---------------------------------------------------------------- what the stand-in recorded
"$PY" - "$URL" "$CA" "$TMP/ready.json" >"$TMP/requests.json" 2>&1 <<'EOF'
import json, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
print(urllib.request.urlopen(sys.argv[1] + "/_standin/requests", context=ctx).read().decode())
EOF
pycheck "the request log shows apply patches and the undo's JSON patch" "$TMP/requests.json" '
applies = [r for r in d if r["method"] == "PATCH" and r["content_type"] == "application/apply-patch+yaml"]
assert any(r["path"] == "/apis/apps/v1/namespaces/default/deployments/x" and r["field_manager"] == "kubectl"
           and r["query"].get("force") == "false" for r in applies)
assert any(r["field_manager"] == "other" and r["code"] == 409 for r in applies)
assert any(r["content_type"] == "application/json-patch+json" and r["code"] == 200 for r in d)
assert any(r["query"].get("watch") == "true" for r in d)'

echo
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
