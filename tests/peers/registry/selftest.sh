#!/usr/bin/env bash
# Self-test of the registry test peers, driven by real clients: skopeo and curl against the real docker-registry
# (CNCF distribution 2.8.2) in each mode, and through the fault and tamper proxies.
# Usage: tests/peers/registry/selftest.sh        (prints "N passed, N failed"; exit status 0 only if all passed)
# shellcheck disable=SC2015  # pass and fail always succeed, so "A && pass || fail" is an if/else here
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
WORK=$(mktemp -d "${TMPDIR:-/tmp}/berth-registry-selftest.XXXXXX")
PIDS=()
PASSED=0
FAILED=0
START=$SECONDS

for tool in docker-registry skopeo htpasswd curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install docker-registry skopeo apache2-utils curl)"; exit 2; }
done

# Every tool gets this fifo as stdin with --exit-on-stdin-eof: if this script dies, the fifo loses its only writer
# and the tools stop by themselves.
mkfifo "$WORK/keepalive"
exec 9<>"$WORK/keepalive"

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  exec 9>&-
  rm -rf "$WORK"
}
trap cleanup EXIT

pass() { PASSED=$((PASSED + 1)); echo "PASS: $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $1"; [ -n "${2:-}" ] && sed 's/^/    /' "$2" | tail -n 15; }
# expect NAME CMD...: CMD must succeed. expect_fail NAME CMD...: CMD must fail. Output goes to $WORK/last.out.
expect() { local n=$1; shift; if "$@" >"$WORK/last.out" 2>&1; then pass "$n"; else fail "$n" "$WORK/last.out"; fi; }
expect_fail() { local n=$1; shift; if "$@" >"$WORK/last.out" 2>&1; then fail "$n (unexpectedly succeeded)" "$WORK/last.out"; else pass "$n"; fi; }
# expect_out NAME REGEX: the last command's output must match.
expect_out() { if grep -qiE "$2" "$WORK/last.out"; then pass "$1"; else fail "$1 (no /$2/ in output)" "$WORK/last.out"; fi; }

# j FILE EXPR: evaluate a Python expression on the JSON in FILE (bound to d); dicts and lists print as JSON.
j() {
  "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print(json.dumps(v) if isinstance(v,(dict,list,bool)) or v is None else v)' "$1" "$2"
}
# jurl URL EXPR: the same on a JSON document fetched with curl.
jurl() { curl -sf "$1" >"$WORK/jurl.json" && j "$WORK/jurl.json" "$2"; }
# check NAME PYTHON-CONDITION-ON-d FILE
check() {
  if "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$3" "$2" 2>"$WORK/check.err"; then
    pass "$1"
  else
    cp "$3" "$WORK/check.json" 2>/dev/null; fail "$1 ($2)" "$WORK/check.json"
  fi
}

# start NAME SCRIPT ARGS...: run a peer, wait for its ready line in $WORK/NAME.ready.
start() {
  local name=$1 script=$2; shift 2
  "$PY" "$HERE/$script" "$@" --exit-on-stdin-eof <"$WORK/keepalive" 9>&- >"$WORK/$name.ready" 2>"$WORK/$name.log" &
  local pid=$!
  PIDS+=("$pid")
  eval "PID_${name//-/_}=$pid"
  local i
  for i in $(seq 1 300); do
    [ -s "$WORK/$name.ready" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "--- $name did not get ready:"; tail -n 20 "$WORK/$name.log"
  return 1
}
stop() {  # stop NAME: SIGTERM and wait
  local var="PID_${1//-/_}"
  kill -TERM "${!var}" 2>/dev/null
  wait "${!var}" 2>/dev/null
}

# authfile READY USER OUT [wrong]: a containers-auth.json for USER, password read from the ready line, never in argv.
authfile() {
  "$PY" - "$@" <<'EOF'
import base64, json, os, sys
ready, user, out = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
password = ready["users"][user] + ("-wrong" if len(sys.argv) > 4 else "")
auth = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, json.dumps({"auths": {ready["host"]: {"auth": auth}}}).encode())
os.close(fd)
EOF
}
# netrc READY USER OUT: the same credentials for curl.
netrc() {
  "$PY" - "$@" <<'EOF'
import json, os, sys
ready, user, out = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, ("machine 127.0.0.1 login %s password %s\n" % (user, ready["users"][user])).encode())
os.close(fd)
EOF
}

echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$WORK/policy.json"
: >"$WORK/registries.conf"
export CONTAINERS_REGISTRIES_CONF="$WORK/registries.conf"
sk() { timeout 60 skopeo --policy "$WORK/policy.json" --tmpdir "$WORK" "$@"; }

"$PY" "$HERE/make_oci_image.py" "$WORK/img" --tag v1 >"$WORK/img.digest"
IMG_DIGEST=$(cat "$WORK/img.digest")

# ---------------------------------------------------------------------------------------------------------------
echo "== plain"
start plain registry_peer.py --mode plain --workdir "$WORK" || fail "plain peer starts"
R=$WORK/plain.ready
PLAIN_HOST=$(j "$R" 'd["host"]')
PLAIN_DIR=$(j "$R" 'd["workdir"]')
check "plain ready line" 'd["mode"]=="plain" and d["url"]=="http://"+d["host"] and d["host"]=="127.0.0.1:%d"%d["port"] and d["registry_pid"]>0' "$R"
expect "plain /v2/ answers 200" curl -sf "http://$PLAIN_HOST/v2/"
expect "plain: skopeo push" sk copy --dest-tls-verify=false "oci:$WORK/img:v1" "docker://$PLAIN_HOST/demo/app:v1"
expect "plain: skopeo inspect" sk inspect --tls-verify=false "docker://$PLAIN_HOST/demo/app:v1"
expect_out "plain: inspect shows the pushed digest" "\"Digest\": \"$IMG_DIGEST\""
expect "plain: skopeo pull back" sk copy --src-tls-verify=false "docker://$PLAIN_HOST/demo/app:v1" "oci:$WORK/pulled:v1"
expect "plain: pulled layer equals pushed layer" diff -r "$WORK/img/blobs" "$WORK/pulled/blobs"
expect "plain: skopeo delete (storage.delete.enabled)" sk delete --tls-verify=false "docker://$PLAIN_HOST/demo/app:v1"
expect_fail "plain: deleted manifest is gone" sk inspect --tls-verify=false "docker://$PLAIN_HOST/demo/app:v1"
expect "plain: push again" sk copy --dest-tls-verify=false "oci:$WORK/img:v1" "docker://$PLAIN_HOST/demo/app:v1"

# ---------------------------------------------------------------------------------------------------------------
echo "== fault proxy, transparent (--max-faults 0)"
start fp0 fault_proxy.py --upstream "$PLAIN_HOST" --max-faults 0 --drop-rate 0.3 --503-rate 0.3 --429-rate 0.3 ||
  fail "fault proxy starts"
FP0=$(j "$WORK/fp0.ready" 'd["host"]')
check "fault proxy ready line" 'd["url"]=="http://"+d["host"] and d["stats_url"].endswith("/_proxy_stats")' "$WORK/fp0.ready"
expect "through proxy: skopeo push" sk copy --dest-tls-verify=false "oci:$WORK/img:v1" "docker://$FP0/via/proxy:v1"
expect "through proxy: skopeo pull" sk copy --src-tls-verify=false "docker://$FP0/via/proxy:v1" "oci:$WORK/pulled-proxy:v1"
expect "through proxy: same blobs" diff -r "$WORK/img/blobs" "$WORK/pulled-proxy/blobs"
curl -si -X POST "http://$FP0/v2/via/proxy/blobs/uploads/" | tr -d '\r' >"$WORK/post.txt"
LOC=$(awk -F': ' 'tolower($1)=="location"{print $2}' "$WORK/post.txt")
case "$LOC" in "http://$FP0/"*) pass "proxy rewrites Location to itself";; *) fail "proxy rewrites Location ($LOC)" "$WORK/post.txt";; esac
# A chunked request body, then the PUT that completes the upload.
head -c 3000001 /dev/urandom >"$WORK/chunk.bin"
CHUNK_DIGEST=sha256:$(sha256sum "$WORK/chunk.bin" | cut -d' ' -f1)
curl -si -X PATCH -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/octet-stream' \
  --data-binary @"$WORK/chunk.bin" "$LOC" | tr -d '\r' >"$WORK/patch.txt"
if grep -q '^Range: 0-3000000$' "$WORK/patch.txt"; then pass "chunked PATCH streamed through"; else fail "chunked PATCH" "$WORK/patch.txt"; fi
LOC=$(awk -F': ' 'tolower($1)=="location"{print $2}' "$WORK/patch.txt")
expect "PUT ?digest= completes the chunked upload" curl -sf -X PUT "$LOC&digest=$CHUNK_DIGEST"
# A large blob both ways: the proxy must stream, not buffer.
head -c $((96 << 20)) /dev/urandom >"$WORK/big.bin"
BIG_DIGEST=sha256:$(sha256sum "$WORK/big.bin" | cut -d' ' -f1)
LOC=$(curl -si -X POST "http://$FP0/v2/via/big/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
expect "96 MiB monolithic PUT through proxy" curl -sf -X PUT -H 'Content-Type: application/octet-stream' \
  --data-binary @"$WORK/big.bin" "$LOC&digest=$BIG_DIGEST"
GOT=$(curl -sf "http://$FP0/v2/via/big/blobs/$BIG_DIGEST" | sha256sum | cut -d' ' -f1)
[ "sha256:$GOT" = "$BIG_DIGEST" ] && pass "96 MiB GET through proxy intact" || fail "96 MiB GET through proxy ($GOT)"
# shellcheck disable=SC2154  # PID_fp0 is set by start() through eval
HWM=$(awk '/VmHWM/{print $2}' "/proc/$PID_fp0/status")
[ "$HWM" -lt 65536 ] && pass "proxy peak RSS ${HWM} kB < 64 MiB (streams)" || fail "proxy peak RSS ${HWM} kB"
rm -f "$WORK/big.bin"
# A chunked response: a tag list longer than Go's 2 KiB buffer is sent chunked by the registry.
"$PY" - "$PLAIN_HOST" "$WORK/pulled/blobs/sha256/${IMG_DIGEST#sha256:}" <<'EOF'
import http.client, sys
host, port = sys.argv[1].split(":")
body = open(sys.argv[2], "rb").read()
conn = http.client.HTTPConnection(host, int(port))
for i in range(120):
    conn.request("PUT", "/v2/demo/app/manifests/a-rather-long-tag-name-%03d" % i, body,
                 {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    r = conn.getresponse(); r.read()
    assert r.status == 201, r.status
EOF
curl -s -D "$WORK/tags.h" "http://$FP0/v2/demo/app/tags/list" -o "$WORK/tags.proxy"
curl -s "http://$PLAIN_HOST/v2/demo/app/tags/list" -o "$WORK/tags.direct"
if grep -qi '^transfer-encoding: chunked' "$WORK/tags.h" && cmp -s "$WORK/tags.proxy" "$WORK/tags.direct"; then
  pass "chunked response relayed intact"
else
  fail "chunked response relayed" "$WORK/tags.h"
fi
jurl "http://$FP0/_proxy_stats" 'd' >"$WORK/fp0.stats"
check "max-faults 0: no fault injected, requests counted" 'd["total_faults"]==0 and d["requests"]>10' "$WORK/fp0.stats"
stop fp0

# ---------------------------------------------------------------------------------------------------------------
echo "== fault proxy, injecting"
start fp503 fault_proxy.py --upstream "$PLAIN_HOST" --drop-rate 0 --503-rate 1 --429-rate 0 --max-faults 2
FP=$(j "$WORK/fp503.ready" 'd["host"]')
CODES=$(for i in 1 2 3; do curl -s -o /dev/null -w '%{http_code} ' "http://$FP/v2/"; done)
[ "$CODES" = "503 503 200 " ] && pass "503 injected, bounded by --max-faults 2" || fail "503 + max-faults ($CODES)"
jurl "http://$FP/_proxy_stats" 'd' >"$WORK/fp503.stats"
check "503 faults counted" 'd["faults"]["status_503"]==2 and d["total_faults"]==2' "$WORK/fp503.stats"
stop fp503

start fp429 fault_proxy.py --upstream "$PLAIN_HOST" --drop-rate 0 --503-rate 0 --429-rate 1 --retry-after 7
FP=$(j "$WORK/fp429.ready" 'd["host"]')
curl -s -D "$WORK/429.h" -o /dev/null "http://$FP/v2/"
grep -q '^HTTP/1.1 429' "$WORK/429.h" && grep -qi '^Retry-After: 7' "$WORK/429.h" &&
  pass "429 with Retry-After" || fail "429 with Retry-After" "$WORK/429.h"
# A state-changing request is broken only before it is forwarded: the upload session must not move.
LOC=$(curl -si -X POST "http://$PLAIN_HOST/v2/state/check/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
PROXIED=${LOC/$PLAIN_HOST/$FP}
CODE=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -H 'Content-Type: application/octet-stream' --data-binary @"$WORK/chunk.bin" "$PROXIED")
curl -s -D "$WORK/status.h" -o /dev/null "$LOC"
if [ "$CODE" = 429 ] && grep -q '^Range: 0-0' "$WORK/status.h"; then
  pass "faulted PATCH never reached the registry"
else
  fail "faulted PATCH never reached the registry (code $CODE)" "$WORK/status.h"
fi
stop fp429

start fpdrop fault_proxy.py --upstream "$PLAIN_HOST" --drop-rate 1 --503-rate 0 --429-rate 0 --seed 1
FP=$(j "$WORK/fpdrop.ready" 'd["host"]')
DROPS=0
for i in $(seq 1 8); do
  curl -sf -o "$WORK/drop.out" "http://$FP/v2/via/proxy/blobs/$CHUNK_DIGEST" || DROPS=$((DROPS + 1))
done
[ "$DROPS" = 8 ] && pass "every dropped GET fails at the client" || fail "dropped GETs ($DROPS of 8 failed)"
jurl "http://$FP/_proxy_stats" 'd' >"$WORK/fpdrop.stats"
check "drops counted by kind (before and mid-body)" \
  'd["total_faults"]==8 and d["faults"]["drop_mid"]>0 and d["faults"]["drop_before"]>0 and d["faults"]["drop_mid"]+d["faults"]["drop_before"]==8' \
  "$WORK/fpdrop.stats"
CODES=""
for i in $(seq 1 8); do
  CODES+=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://$FP/v2/drop/post$i/blobs/uploads/")
done
[ "$CODES" = 000000000000000000000000 ] && [ ! -e "$(j "$R" 'd["storage_dir"]')/docker/registry/v2/repositories/drop" ] &&
  pass "dropped POSTs were never forwarded" || fail "dropped POSTs were never forwarded (codes $CODES)"
LOC=$(curl -si -X POST "http://$PLAIN_HOST/v2/state/drop/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
for i in 1 2 3 4; do
  curl -s -o /dev/null -X PATCH -H 'Content-Type: application/octet-stream' --data-binary @"$WORK/chunk.bin" "${LOC/$PLAIN_HOST/$FP}"
done
curl -s -D "$WORK/status.h" -o /dev/null "$LOC"
grep -q '^Range: 0-0' "$WORK/status.h" && pass "dropped PATCHes never reached the registry" ||
  fail "dropped PATCHes never reached the registry" "$WORK/status.h"
stop fpdrop

start fpmix fault_proxy.py --upstream "$PLAIN_HOST" --seed 7 --drop-rate 0.1 --503-rate 0.1 --429-rate 0.1
FP=$(j "$WORK/fpmix.ready" 'd["host"]')
for i in 1 2 3; do
  "$PY" "$HERE/make_oci_image.py" "$WORK/mix$i" --tag v1 --payload "mix $i" --size 200000 >/dev/null
  sk copy --retry-times 3 --dest-tls-verify=false "oci:$WORK/mix$i:v1" "docker://$FP/mix/app$i:v1" >/dev/null 2>&1
  sk copy --retry-times 3 --src-tls-verify=false "docker://$FP/mix/app$i:v1" "oci:$WORK/mixout$i:v1" >/dev/null 2>&1
done
jurl "http://$FP/_proxy_stats" 'd' >"$WORK/fpmix.stats"
check "random faults injected into skopeo traffic and counted" \
  'd["total_faults"]>0 and sum(d["faults"].values())==d["total_faults"] and len(d["recent_faults"])==d["total_faults"] and all(f["kind"]!="drop_mid" or f["method"]=="GET" for f in d["recent_faults"])' \
  "$WORK/fpmix.stats"
stop fpmix

# ---------------------------------------------------------------------------------------------------------------
echo "== tamper proxy"
start tpb tamper_proxy.py --upstream "$PLAIN_HOST" --tamper blob
TP=$(j "$WORK/tpb.ready" 'd["host"]')
expect_fail "tampered blob: skopeo copy fails" sk copy --src-tls-verify=false "docker://$TP/demo/app:v1" "oci:$WORK/tampered:v1"
expect_out "tampered blob: the failure is a digest mismatch" "digest"
CONFIG_DIGEST=$(j "$WORK/pulled/blobs/sha256/${IMG_DIGEST#sha256:}" 'd["config"]["digest"]')
curl -s -D "$WORK/tb.h1" "http://$PLAIN_HOST/v2/demo/app/blobs/$CONFIG_DIGEST" -o "$WORK/tb.direct"
curl -s -D "$WORK/tb.h2" "http://$TP/v2/demo/app/blobs/$CONFIG_DIGEST" -o "$WORK/tb.tampered"
DIFF=$(cmp -l "$WORK/tb.direct" "$WORK/tb.tampered" | wc -l)
HDRS_SAME=$(diff <(grep -iE '^(content-length|docker-content-digest):' "$WORK/tb.h1") \
                 <(grep -iE '^(content-length|docker-content-digest):' "$WORK/tb.h2") >/dev/null && echo yes)
[ "$DIFF" = 1 ] && [ "$HDRS_SAME" = yes ] && pass "exactly one byte flipped, headers untouched" ||
  fail "one byte flipped ($DIFF bytes differ, headers same: $HDRS_SAME)"
stop tpb

start tpm tamper_proxy.py --upstream "$PLAIN_HOST" --tamper manifest
TP=$(j "$WORK/tpm.ready" 'd["host"]')
expect_fail "tampered manifest: skopeo copy by digest fails" \
  sk copy --src-tls-verify=false "docker://$TP/demo/app@$IMG_DIGEST" "oci:$WORK/tampered-m:v1"
expect_out "tampered manifest: the failure is a digest mismatch" "digest"
curl -s "http://$TP/v2/demo/app/manifests/v1" -H 'Accept: application/vnd.oci.image.manifest.v1+json' -o "$WORK/m.tampered"
"$PY" - "$WORK/m.tampered" "$WORK/pulled/blobs/sha256/${IMG_DIGEST#sha256:}" <<'EOF' >"$WORK/last.out" 2>&1 &&
import json, sys
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
assert a != b and len(a) == len(b) and json.loads(a) == json.loads(b), (a, b)
EOF
  pass "tampered manifest is still the same JSON, other bytes" || fail "tampered manifest JSON" "$WORK/last.out"
jurl "http://$TP/_proxy_stats" 'd' >"$WORK/tpm.stats"
check "tampered manifests counted" 'd["tampered"]["manifest"]>=2 and d["tampered"]["blob"]==0' "$WORK/tpm.stats"
stop tpm

# ---------------------------------------------------------------------------------------------------------------
echo "== referrers proxy"
start rp referrers_proxy.py --upstream "$PLAIN_HOST"
RP=$(j "$WORK/rp.ready" 'd["host"]')
EMPTY=sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a
LOC=$(curl -s -D - -o /dev/null -X POST "http://$RP/v2/demo/app/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
case "$LOC" in *\?*) SEP='&' ;; *) SEP='?' ;; esac
expect "referrers proxy: the empty config goes up through it" \
  curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary '{}' "$LOC${SEP}digest=$EMPTY"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example.sig","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2},"layers":[{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s}}' \
  "$EMPTY" "$EMPTY" "$IMG_DIGEST" "$(stat -c %s "$WORK/img/blobs/sha256/${IMG_DIGEST#sha256:}")" >"$WORK/referrer.json"
REFERRER=sha256:$(sha256sum "$WORK/referrer.json" | cut -d' ' -f1)
curl -s -D "$WORK/rp.h" -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
  --data-binary "@$WORK/referrer.json" "http://$RP/v2/demo/app/manifests/$REFERRER"
grep -qi "^oci-subject: $IMG_DIGEST" "$WORK/rp.h" && pass "referrers proxy: a manifest with a subject gets OCI-Subject" ||
  fail "referrers proxy: OCI-Subject" "$WORK/rp.h"
expect "referrers proxy: the registry itself stored it" curl -sf -o /dev/null \
  -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$PLAIN_HOST/v2/demo/app/manifests/$REFERRER"
curl -sf "http://$RP/v2/demo/app/referrers/$IMG_DIGEST?artifactType=application%2Fvnd.example.sig" >"$WORK/rp.index"
check "referrers proxy: the referrers API lists it" \
  'd["mediaType"]=="application/vnd.oci.image.index.v1+json" and [m["digest"] for m in d["manifests"]]==["'"$REFERRER"'"] and d["manifests"][0]["artifactType"]=="application/vnd.example.sig"' \
  "$WORK/rp.index"
curl -sf "http://$RP/v2/demo/app/referrers/$IMG_DIGEST?artifactType=application%2Fother" >"$WORK/rp.other"
check "referrers proxy: artifactType filters" 'd["manifests"]==[]' "$WORK/rp.other"
stop rp

stop plain
[ ! -e "$PLAIN_DIR" ] && ! kill -0 "$(j "$R" 'd["registry_pid"]')" 2>/dev/null &&
  pass "SIGTERM stops docker-registry and removes the temp dir" || fail "SIGTERM cleanup"

# ---------------------------------------------------------------------------------------------------------------
echo "== tls-basic"
start tls registry_peer.py --mode tls-basic --workdir "$WORK" || fail "tls-basic peer starts"
R=$WORK/tls.ready
H=$(j "$R" 'd["host"]')
CERTS=$(j "$R" 'd["cert_dir"]')
check "tls ready line" 'd["url"]=="https://"+d["host"] and d["ca_file"].endswith("/ca.crt") and d["users"]["alice"]=="alice-secret-pw"' "$R"
[ "$(ls "$CERTS")" = ca.crt ] && pass "cert_dir holds only ca.crt" || fail "cert_dir contents"
[ "$(stat -c %a "$(j "$R" 'd["config_file"]')")" = 600 ] && pass "config file (holds http.secret) is 0600" || fail "config mode"
CODE=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$(j "$R" 'd["ca_file"]')" "https://$H/v2/")
[ "$CODE" = 401 ] && pass "tls: anonymous /v2/ is 401 (CA verifies the server)" || fail "tls anonymous /v2/ ($CODE)"
netrc "$R" alice "$WORK/alice.netrc"
expect "tls: alice /v2/ with Basic is 200" curl -sf --netrc-file "$WORK/alice.netrc" --cacert "$(j "$R" 'd["ca_file"]')" "https://$H/v2/"
authfile "$R" alice "$WORK/tls-alice.json"
authfile "$R" alice "$WORK/tls-wrong.json" wrong
expect "tls: skopeo push as alice" sk copy --dest-cert-dir "$CERTS" --dest-authfile "$WORK/tls-alice.json" \
  "oci:$WORK/img:v1" "docker://$H/demo/app:v1"
expect "tls: skopeo inspect as alice" sk inspect --cert-dir "$CERTS" --authfile "$WORK/tls-alice.json" "docker://$H/demo/app:v1"
expect_out "tls: inspect shows the pushed digest" "$IMG_DIGEST"
expect_fail "tls: wrong password fails" sk inspect --cert-dir "$CERTS" --authfile "$WORK/tls-wrong.json" "docker://$H/demo/app:v1"
expect_out "tls: ... as unauthorized" "unauthorized|authentication required"
expect_fail "tls: a client without the CA refuses the server" sk inspect --authfile "$WORK/tls-alice.json" "docker://$H/demo/app:v1"
expect_out "tls: ... with a certificate error" "x509|certificate"
stop tls

# ---------------------------------------------------------------------------------------------------------------
echo "== token"
start tok registry_peer.py --mode token --workdir "$WORK" --public-repos 'pub/*' || fail "token peer starts"
R=$WORK/tok.ready
H=$(j "$R" 'd["host"]')
TOKEN_URL=$(j "$R" 'd["token_url"]')
SERVICE=$(j "$R" 'd["token_service"]')
curl -s -D "$WORK/chal.h" -o /dev/null "http://$H/v2/"
grep -qi "^www-authenticate: Bearer realm=\"$TOKEN_URL\",service=\"$SERVICE\"" "$WORK/chal.h" &&
  pass "token: registry challenges with the token server's realm" || fail "token challenge" "$WORK/chal.h"
authfile "$R" alice "$WORK/tok-alice.json"
authfile "$R" reader "$WORK/tok-reader.json"
authfile "$R" alice "$WORK/tok-wrong.json" wrong
expect "token: skopeo push as alice" sk copy --dest-tls-verify=false --dest-authfile "$WORK/tok-alice.json" \
  "oci:$WORK/img:v1" "docker://$H/demo/app:v1"
expect "token: skopeo inspect as reader" sk inspect --tls-verify=false --authfile "$WORK/tok-reader.json" "docker://$H/demo/app:v1"
expect_out "token: reader sees the pushed digest" "$IMG_DIGEST"
expect_fail "token: reader cannot push" sk copy --dest-tls-verify=false --dest-authfile "$WORK/tok-reader.json" \
  "oci:$WORK/img:v1" "docker://$H/demo/other:v1"
expect_fail "token: wrong password fails" sk inspect --tls-verify=false --authfile "$WORK/tok-wrong.json" "docker://$H/demo/app:v1"
expect_fail "token: anonymous cannot pull a private repo" sk inspect --tls-verify=false --no-creds "docker://$H/demo/app:v1"
expect "token: alice pushes to a public repo" sk copy --dest-tls-verify=false --dest-authfile "$WORK/tok-alice.json" \
  "oci:$WORK/img:v1" "docker://$H/pub/app:v1"
expect "token: anonymous pulls the public repo" sk inspect --tls-verify=false --no-creds "docker://$H/pub/app:v1"
expect "token: alice deletes (delete action granted)" sk delete --tls-verify=false --authfile "$WORK/tok-alice.json" "docker://$H/pub/app:v1"
# The token server by hand: catalog scope, refresh tokens, OAuth2 POST, errors.
netrc "$R" alice "$WORK/tok-alice.netrc"
curl -s --netrc-file "$WORK/tok-alice.netrc" -o "$WORK/tok1.json" \
  "$TOKEN_URL?service=$SERVICE&scope=registry:catalog:*&scope=repository:demo/app:pull,push,delete&offline_token=true"
check "token GET answer shape" \
  'd["token"]==d["access_token"] and d["expires_in"]==300 and d["issued_at"].endswith("Z") and d["refresh_token"]' "$WORK/tok1.json"
TOKEN=$(j "$WORK/tok1.json" 'd["token"]')
"$PY" - "$TOKEN" "$SERVICE" <<'EOF' >"$WORK/last.out" 2>&1 && pass "JWT claims as distribution wants them" || fail "JWT claims" "$WORK/last.out"
import base64, json, sys
h, c, _ = sys.argv[1].split(".")
dec = lambda s: json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
h, c = dec(h), dec(c)
assert h["alg"] == "RS256" and len(h["x5c"]) >= 1, h
assert c["aud"] == sys.argv[2] and all(isinstance(c[k], int) for k in ("exp", "nbf", "iat")), c
assert {"type": "registry", "name": "catalog", "actions": ["*"]} in c["access"], c
EOF
printf 'header = "Authorization: Bearer %s"\n' "$TOKEN" >"$WORK/bearer.curl"; chmod 600 "$WORK/bearer.curl"
expect "token: catalog with a registry:catalog:* token" curl -sf -K "$WORK/bearer.curl" "http://$H/v2/_catalog"
expect_out "token: catalog lists demo/app" '"demo/app"'
"$PY" - "$R" "$WORK/tok1.json" <<'EOF' >"$WORK/oauth.out" 2>&1 && pass "OAuth2 POST: password, refresh_token, errors" || fail "OAuth2 POST" "$WORK/oauth.out"
import json, sys, urllib.error, urllib.parse, urllib.request
ready, first = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
def post(**form):
    data = urllib.parse.urlencode(dict(form, service=ready["token_service"], client_id="berth-selftest")).encode()
    try:
        with urllib.request.urlopen(ready["token_url"], data) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)
s, a = post(grant_type="password", username="reader", password=ready["users"]["reader"],
            scope="repository:demo/app:pull,push", access_type="offline")
assert s == 200 and a["scope"] == "repository:demo/app:pull" and a["refresh_token"] and a["expires_in"], a
s, b = post(grant_type="refresh_token", refresh_token=first["refresh_token"], scope="repository:demo/app:pull")
assert s == 200 and b["access_token"] and "refresh_token" not in b, b
s, b = post(grant_type="refresh_token", refresh_token=ready["refresh_tokens"]["alice"], scope="repository:x/y:push")
assert s == 200 and b["scope"] == "repository:x/y:push", b
s, e = post(grant_type="password", username="alice", password="nope", scope="repository:demo/app:pull")
assert s == 401 and e["error"], (s, e)
s, e = post(grant_type="refresh_token", refresh_token="bogus", scope="")
assert s == 401, (s, e)
req = urllib.request.Request(ready["url"] + "/v2/demo/app/tags/list", headers={"Authorization": "Bearer " + a["access_token"]})
with urllib.request.urlopen(req) as r:
    assert "v1" in json.load(r)["tags"]
EOF
jurl "$(j "$R" 'd["token_stats_url"]')" 'd' >"$WORK/tok.stats"
check "token stats count requests by user, and failures" \
  'd["token_requests"]>=8 and d["by_user"]["alice"]>0 and d["by_user"]["reader"]>0 and d["by_user"]["<anonymous>"]>0 and d["failed_auth"]>=2' \
  "$WORK/tok.stats"
# Through the fault proxy (transparent): Bearer auth and rewritten Locations together.
start fptok fault_proxy.py --upstream "$H" --max-faults 0
FP=$(j "$WORK/fptok.ready" 'd["host"]')
"$PY" -c 'import json,sys; a=json.load(open(sys.argv[1])); a["auths"]={sys.argv[2]: list(a["auths"].values())[0]}; json.dump(a, open(sys.argv[1],"w"))' \
  "$WORK/tok-alice.json" "$FP"
expect "token: skopeo push through the proxy" sk copy --dest-tls-verify=false --dest-authfile "$WORK/tok-alice.json" \
  "oci:$WORK/img:v1" "docker://$FP/via/proxy:v1"
stop fptok
stop tok

for style in ghcr gcp; do
  start "tok_$style" registry_peer.py --mode token --workdir "$WORK" --challenge-style "$style" || fail "$style peer starts"
  R=$WORK/tok_$style.ready
  H=$(j "$R" 'd["host"]')
  if [ "$style" = ghcr ]; then
    check "ghcr style: realm /token, service ghcr.io" 'd["token_url"].endswith("/token") and d["token_service"]=="ghcr.io"' "$R"
  else
    check "gcp style: realm /v2/token" 'd["token_url"].endswith("/v2/token")' "$R"
  fi
  authfile "$R" alice "$WORK/$style-alice.json"
  expect "$style style: skopeo push" sk copy --dest-tls-verify=false --dest-authfile "$WORK/$style-alice.json" \
    "oci:$WORK/img:v1" "docker://$H/org/app:v1"
  curl -s -o "$WORK/$style.tok" "$(j "$R" 'd["token_url"]')?service=$(j "$R" 'd["token_service"]')&scope=repository:org/app:pull"
  if [ "$style" = ghcr ]; then
    check "ghcr style: no expires_in in the answer" '"token" in d and "expires_in" not in d' "$WORK/$style.tok"
  else
    check "gcp style: expires_in in the answer" '"token" in d and d["expires_in"]==300' "$WORK/$style.tok"
  fi
  stop "tok_$style"
done

# ---------------------------------------------------------------------------------------------------------------
echo "== stdin EOF"
mkfifo "$WORK/eof.fifo"
"$PY" "$HERE/registry_peer.py" --mode token --workdir "$WORK" --exit-on-stdin-eof <"$WORK/eof.fifo" 9>&- \
  >"$WORK/eof.ready" 2>"$WORK/eof.log" &
EOF_PID=$!
exec 7>"$WORK/eof.fifo"
for i in $(seq 1 200); do [ -s "$WORK/eof.ready" ] && break; sleep 0.05; done
EOF_DIR=$(j "$WORK/eof.ready" 'd["workdir"]')
EOF_REG=$(j "$WORK/eof.ready" 'd["registry_pid"]')
exec 7>&-
for i in $(seq 1 100); do kill -0 "$EOF_PID" 2>/dev/null || break; sleep 0.05; done
if ! kill -0 "$EOF_PID" 2>/dev/null && ! kill -0 "$EOF_REG" 2>/dev/null && [ ! -e "$EOF_DIR" ]; then
  pass "stdin EOF stops the peer, its registry and removes the temp dir"
else
  fail "stdin EOF cleanup" "$WORK/eof.log"; kill "$EOF_PID" 2>/dev/null
fi
wait "$EOF_PID" 2>/dev/null

echo "($((SECONDS - START)) s)"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
