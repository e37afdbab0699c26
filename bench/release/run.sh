#!/usr/bin/env bash
# The release benchmark (issue #15): `berth release` of a small project beside
# the same steps done by hand, side by side on two local docker-registry
# instances over plain HTTP, then how many blobs a re-release after a
# one-file change uploads.
#
#   bench/release/run.sh [--berth build/bin/berth] [--runs 5] [--workdir DIR]
#
# The project: berth's own builder (`builder: berth`) putting a few files on a
# generated two-layer base (bench/registry/make_image.py, an OCI layout),
# tags {version} and sha-{git.short}, two registries, cosign signing with a key
# from `berth keygen` (COSIGN_PASSWORD in the environment), BERTH_TRUST_PROJECT=1,
# a git repository with a commit.
#
# By hand: `berth build --layout oci:DIR:TAG` (the same builder, the same
# image digest), `skopeo copy --preserve-digests` to each registry for each
# tag, then per registry the cosign simple-signing payload written with
# printf, signed with `openssl dgst -sha256 -sign` (an unencrypted P-256 PEM
# key made by openssl), base64, and pushed as cosign's .sig tag layout by
# bench/release/push_signature.py (the registry API, one connection).
#
# Each timed run releases a fresh version into wiped registries (storage
# removed, registry restarted, skopeo's blob-info cache cleared; not timed),
# berth first on odd runs and by hand first on even ones. Blob uploads are
# counted from docker-registry's access log: each "PUT .../blobs/uploads/...
# digest=sha256..." answered 201. Also measured: decrypting cosign.key on
# its own (the by-hand key is not encrypted), and, over three more releases
# with -v, how long each of berth's steps takes. Prints Markdown tables on
# stdout, progress on stderr. The work folder (keys included; files 0600 and
# folders 0700 under umask 077; a --workdir too) and the registries go away
# on exit, failure or interrupt.
set -euo pipefail

runs=5
source "$(dirname "$0")/../lib.sh"
umask 077
bench_init "$@"
trap 'exit 130' INT TERM  # bench_cleanup (the EXIT trap) still runs.
trap 'echo "$0: failed at line $LINENO" >&2' ERR
bench_require docker-registry skopeo curl openssl git base64 sed awk /usr/bin/python3

export HOME=$work/home DOCKER_CONFIG=$work/home/docker XDG_CONFIG_HOME=$work/home/config XDG_DATA_HOME=$work/home/data
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@berth.invalid GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@berth.invalid
export GIT_CONFIG_NOSYSTEM=1 BERTH_TRUST_PROJECT=1
mkdir -p "$HOME"
# The key's password lives in this process's environment only.
export COSIGN_PASSWORD="bench-$RANDOM$RANDOM$RANDOM"

# Info level with the text access log: uploads are counted from it. Both
# paths pay for the logging alike.
access_log="{level: info, formatter: text}"
start() { bench_start_registry "$1" "$access_log"; }
wipe() { local name; for name; do bench_stop_registry "$name"; rm -rf "${work:?}/$name/storage"; start "$name"; done; }
clear_skopeo_cache() { rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb "$HOME/.local/share/containers/cache/blob-info-cache-v1.boltdb"; }
start r1
start r2
R1=$(bench_registry_host r1)
R2=$(bench_registry_host r2)
repos=("$R1/bench/app" "$R2/bench/app")
plain=(--plain-http "$R1" --plain-http "$R2")

# The project: a base of its own (two 4 MiB layers) so that the app's files
# are one layer of their own, and a few files.
echo "setting up the project in $work ..." >&2
/usr/bin/python3 "$repo/bench/registry/make_image.py" "$work/base" --layers 2 --layer-size $((4 << 20)) --tag v1 --seed 15 >/dev/null
proj=$work/project
mkdir -p "$proj/site/static"
cd "$proj"
printf '<!doctype html>\n<title>app</title>\n<h1>app 1.0.0</h1>\n<script src="static/app.js"></script>\n' >site/index.html
printf 'document.title += " (loaded)";\n' >site/static/app.js
printf 'body { font-family: sans-serif; }\n' >site/static/style.css
printf '#!/bin/sh\nexec busybox httpd -f -p 8080 -h /srv/www\n' >site/serve
chmod 700 site/serve
head -c $((256 << 10)) /dev/urandom >site/static/data.bin
cat >berth.yaml <<YAML
service: app
image: ${repos[0]}
build:
  context: site
  builder: berth
  base: oci:$work/base:v1
  dest: /srv/www
  workdir: /srv/www
  entrypoint: [/srv/www/serve]
  ports: [8080]
tags: ["{version}", "sha-{git.short}"]
registries:
  - repository: ${repos[0]}
  - repository: ${repos[1]}
signing:
  signer: cosign
  key: cosign.key
  public_key: cosign.pub
YAML
"$berth" keygen -q >/dev/null
printf '.berth/\n' >>.gitignore
git init -q
git add -A
git commit -q -m "app 1.0.0"
[ -z "$(git ls-files cosign.key)" ] || { echo "cosign.key is tracked" >&2; exit 1; }

# The by-hand key: unencrypted P-256, as openssl makes it.
openssl ecparam -name prime256v1 -genkey -noout -out "$work/hand.key" 2>/dev/null
openssl ec -in "$work/hand.key" -pubout -out "$work/hand.pub" 2>/dev/null
chmod 600 "$work/hand.key"

# stamp KEY START: appends the seconds since START to $work/m/KEY.
stamp() { awk -v a="$2" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.6f\n", b - a}' >>"$work/m/$1"; }

berth_release() {  # VERSION
  "$berth" release "$1" "${plain[@]}" -o json
}

# by_hand VERSION [KEY_PREFIX]: what a person would run for the same release.
# (Functions called from `if` run without errexit, so every step checks.)
by_hand() {
  local version=$1 prefix=${2:-} layout=$work/hand/image-$1 t digest short dest tag payload
  t=$EPOCHREALTIME
  digest=$("$berth" build --layout "oci:$layout:$version" -o json -q | sed -n 's/.*"digest": *"\(sha256:[0-9a-f]*\)".*/\1/p') || return 1
  [ -n "$digest" ] || { echo "berth build printed no digest" >&2; return 1; }
  [ -z "$prefix" ] || stamp "$prefix.build" "$t"
  t=$EPOCHREALTIME
  short=$(git rev-parse --short=7 HEAD) || return 1
  for dest in "${repos[@]}"; do
    for tag in "$version" "sha-$short"; do
      skopeo copy --quiet --preserve-digests --dest-tls-verify=false "oci:$layout:$version" "docker://$dest:$tag" || return 1
    done
  done
  [ -z "$prefix" ] || stamp "$prefix.copy" "$t"
  t=$EPOCHREALTIME
  for dest in "${repos[@]}"; do
    payload=$work/hand/payload
    printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":{"berth.release/version":"%s"}}' \
      "$dest" "$digest" "$version" >"$payload"
    openssl dgst -sha256 -sign "$work/hand.key" "$payload" | base64 -w0 >"$work/hand/signature" || return 1
    /usr/bin/python3 "$repo/bench/release/push_signature.py" "${dest%%/*}" "${dest#*/}" "$digest" "$payload" "$work/hand/signature" || return 1
  done
  [ -z "$prefix" ] || stamp "$prefix.sign" "$t"
  echo "$digest"
}

# timed KEY CMD...: one run; appends its wall time to $work/m/KEY.
timed() {
  local key=$1 t; shift
  t=$EPOCHREALTIME
  if ! "$@" >"$work/out.txt" 2>"$work/err.txt"; then echo "FAILED: $*" >&2; cat "$work/err.txt" >&2; exit 1; fi
  stamp "$key" "$t"
}

run_berth() { wipe r1 r2; timed berth berth_release "1.0.$1"; cp "$work/out.txt" "$work/berth.json"; }
run_hand() { wipe r1 r2; clear_skopeo_cache; rm -rf "$work/hand"; mkdir -p "$work/hand"; timed hand by_hand "1.0.$1" hand; cp "$work/out.txt" "$work/hand.digest"; }

for run in $(seq "$runs"); do
  echo "run $run of $runs ..." >&2
  if [ $((run % 2)) = 1 ]; then run_berth "$run"; run_hand "$run"; else run_hand "$run"; run_berth "$run"; fi
  # What berth spends opening cosign.key (scrypt, as cosign), which the by-hand path's unencrypted key skips.
  timed unlock "$berth" cosign public-key --key cosign.key
  berth_digest=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$work/berth.json")
  [ "$berth_digest" = "$(cat "$work/hand.digest")" ] || { echo "berth released $berth_digest, by hand $(cat "$work/hand.digest")" >&2; exit 1; }
done

# Where berth's time goes: three more releases (not in the table above) with
# -v, each stderr line stamped as it arrives; the phases run between the
# first lines of each step.
phases() {
  /usr/bin/python3 -c '
import sys, time
start = float(sys.argv[1])
marks = [("checking", "release: checking"), ("key", "release: building"), ("build", "release: pushing"),
         ("push", "release: signing"), ("sign", "release: tagging"), ("tag", "release: recorded")]
seen = {}
for line in iter(sys.stdin.readline, ""):
    for name, prefix in marks:
        if name not in seen and line.startswith(prefix):
            seen[name] = time.time() - start
seen["end"] = time.time() - start
print(" ".join(f"{k}={v:.6f}" for k, v in seen.items()))' "$1" >>"$work/m/phases"
}
for run in 1 2 3; do
  wipe r1 r2
  t=$EPOCHREALTIME
  "$berth" release "1.9.$run" "${plain[@]}" -v 2>&1 >/dev/null | phases "$t"
done

# Part 2: release, change one file, commit, release again; count what the
# second release uploads. berth, then by hand, each into wiped registries.
log_size() { stat -c %s "$work/$1/log"; }
# count LABEL VERSION: the uploads since the offsets o1 and o2, per registry.
count() {
  sleep 0.3  # The access log line of the last response may trail the client by a moment.
  /usr/bin/python3 - "$1" "$2" "$work/base" "$R1" "$work/r1/log" "$o1" "$R2" "$work/r2/log" "$o2" >>"$work/uploads.md" <<'PY'
import json, re, sys, urllib.request
label, version, base = sys.argv[1:4]
base_layers = {l["digest"] for l in json.load(open(f"{base}/blobs/sha256/" + json.load(open(f"{base}/index.json"))["manifests"][0]["digest"][7:]))["layers"]}
accept = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"
put = re.compile(r'"PUT [^" ]*/blobs/uploads/[^" ]*digest=sha256(?::|%3A)([0-9a-f]{64})[^"]*" 201 ')
args = sys.argv[4:]
for i in range(0, len(args), 3):
    host, log, offset = args[i], args[i + 1], int(args[i + 2])
    def get(ref):
        request = urllib.request.Request(f"http://{host}/v2/bench/app/manifests/{ref}", headers={"Accept": accept})
        with urllib.request.urlopen(request) as response:
            return json.load(response), response.headers["Docker-Content-Digest"]
    image, digest = get(version)
    signature, _ = get(digest.replace(":", "-") + ".sig")
    kinds = {image["config"]["digest"]: "config"}
    for layer in image["layers"]:
        kinds[layer["digest"]] = "base layer" if layer["digest"] in base_layers else "app layer"
    kinds[signature["config"]["digest"]] = "signature"
    for layer in signature["layers"]:
        kinds[layer["digest"]] = "signature"
    with open(log, "rb") as f:
        f.seek(offset)
        uploads = ["sha256:" + m for m in put.findall(f.read().decode(errors="replace"))]
    by_kind = {k: 0 for k in ("app layer", "base layer", "config", "signature", "other")}
    for u in uploads:
        by_kind[kinds.get(u, "other")] += 1
    twice = len(uploads) - len(set(uploads))
    print(f"| {label} | {host} | {len(uploads)} | {by_kind['app layer']} | {by_kind['base layer']} | {by_kind['config']} | "
          f"{by_kind['signature']} | {by_kind['other']} | {twice} |")
PY
}
change_and_commit() { printf '<!doctype html>\n<title>app</title>\n<h1>app %s</h1>\n' "$1" >site/index.html; git commit -qam "app $1"; }

echo "re-release after a one-file change ..." >&2
wipe r1 r2
timed rerelease.first berth_release 2.0.0
change_and_commit 2.0.1
o1=$(log_size r1) o2=$(log_size r2)
timed rerelease.berth berth_release 2.0.1
cp "$work/out.txt" "$work/rerelease.json"
count '`berth release`' 2.0.1
/usr/bin/python3 - "$work/rerelease.json" >"$work/berth_pushes.txt" <<'PY'
import json, sys
record = json.load(open(sys.argv[1]))
print("; ".join(f"{p['image'].split('@')[0]}: {p['blobs']}" for p in record["pushes"]))
PY
# The signatures verify, berth's with cosign.pub and the by-hand ones with hand.pub.
"$berth" verify "${repos[1]}:2.0.1" --key cosign.pub "${plain[@]}" -q >/dev/null

wipe r1 r2
clear_skopeo_cache
rm -rf "$work/hand"; mkdir -p "$work/hand"
timed rerelease.hand.first by_hand 3.0.0
change_and_commit 3.0.1
o1=$(log_size r1) o2=$(log_size r2)
timed rerelease.hand by_hand 3.0.1
count 'by hand' 3.0.1
"$berth" verify "${repos[1]}:3.0.1" --key "$work/hand.pub" "${plain[@]}" -q >/dev/null

/usr/bin/python3 - "$work/m" "$runs" <<'PY'
import os, statistics, sys
m, runs = sys.argv[1], sys.argv[2]
def load(key):
    return [float(line) for line in open(os.path.join(m, key)) if line.strip()]
def row(label, key):
    v = load(key)
    print(f"| {label} | {statistics.median(v):.3f} | {min(v):.3f} | {max(v):.3f} |")
load_avg = " ".join(open("/proc/loadavg").read().split()[:3])
print(f"Release of a fresh version into two wiped registries, median of {runs} runs; "
      f"load average at the end: {load_avg} on {os.cpu_count()} CPUs.\n")
print("| path | median wall (s) | min (s) | max (s) |")
print("| --- | ---: | ---: | ---: |")
row("`berth release` (build, push to 2 registries, 2 tags each, sign in each, ledger)", "berth")
row("of which: decrypting cosign.key (`berth cosign public-key`, a process of its own)", "unlock")
row("by hand: all of it", "hand")
row("by hand: `berth build --layout`", "hand.build")
row("by hand: 4 x `skopeo copy`", "hand.copy")
row("by hand: 2 x (printf, `openssl dgst -sign`, base64, push_signature.py)", "hand.sign")
b, h = statistics.median(load("berth")), statistics.median(load("hand"))
ratios = [x / y for x, y in zip(load("berth"), load("hand"))]
print(f"\nberth / by hand = {b / h:.2f} (medians; per run {', '.join(f'{r:.2f}' for r in ratios)}); "
      f"target <= 1.20: {'met' if b <= 1.2 * h else 'NOT met'}\n")
runs3 = [dict(kv.split("=") for kv in line.split()) for line in open(os.path.join(m, "phases"))]
steps = [("start-up, git state, plan", None, "checking"), ("registry checks, unlocking cosign.key", "checking", "key"),
         ("build", "key", "build"), ("push by digest (2 registries at once)", "build", "push"),
         ("sign (2 signatures)", "push", "sign"), ("move 4 tags", "sign", "tag"), ("ledger, clean-up, exit", "tag", "end")]
print(f"Where `berth release` spends its time (`-v` lines stamped as they arrive; median of {len(runs3)} more releases):\n")
print("| step | median (s) |")
print("| --- | ---: |")
for label, a, z in steps:
    print(f"| {label} | {statistics.median(float(r[z]) - (float(r[a]) if a else 0) for r in runs3):.3f} |")
print(f"| whole release (under -v) | {statistics.median(float(r['end']) for r in runs3):.3f} |\n")
PY
echo "Blob uploads of the second release after a one-file change (a new version; completed uploads in each registry's access log):"
echo
echo "| path | registry | blob uploads | app layer | base layers | image config | signature blobs | other | uploaded twice |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
cat "$work/uploads.md"
echo
echo "berth's own count (release -o json, pushes): $(cat "$work/berth_pushes.txt")"
/usr/bin/python3 - "$work/m" <<'PY'
import os, sys
v = lambda k: float(open(os.path.join(sys.argv[1], k)).read().split()[0])
print(f"Wall time of the second release: berth {v('rerelease.berth'):.3f} s, by hand {v('rerelease.hand'):.3f} s "
      f"(first: berth {v('rerelease.first'):.3f} s, by hand {v('rerelease.hand.first'):.3f} s).")
PY
