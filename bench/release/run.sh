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
# Each run, both paths release the same two commits, each as a fresh
# version: a first release into wiped registries (storage removed, registry
# restarted, skopeo's blob-info cache cleared; not timed), then a re-release
# after a one-file change. berth releases into two registries of its own and
# the by-hand path into two others (the same configuration); berth goes first
# on odd runs, by hand on even ones; both must push the same digest. Blob
# uploads of the re-release are counted from docker-registry's access log:
# each "PUT .../blobs/uploads/...digest=sha256..." answered 201. Also
# measured: decrypting cosign.key on its own (the by-hand key is not
# encrypted), and, over three more releases with -v, how long each of berth's
# steps takes. Prints Markdown tables on stdout, progress on stderr. The work
# folder (keys included; files 0600 and folders 0700 under umask 077; a
# --workdir too) and the registries go away on exit, failure or interrupt.
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
# berth releases into r1 and r2, the by-hand path into h1 and h2 (the same
# configuration), so both can release the same commits in turn.
for name in r1 r2 h1 h2; do start "$name"; done
R1=$(bench_registry_host r1)
R2=$(bench_registry_host r2)
repos=("$R1/bench/app" "$R2/bench/app")
hand_repos=("$(bench_registry_host h1)/bench/app" "$(bench_registry_host h2)/bench/app")
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
  for dest in "${hand_repos[@]}"; do
    for tag in "$version" "sha-$short"; do
      skopeo copy --quiet --preserve-digests --dest-tls-verify=false "oci:$layout:$version" "docker://$dest:$tag" || return 1
    done
  done
  [ -z "$prefix" ] || stamp "$prefix.copy" "$t"
  t=$EPOCHREALTIME
  for dest in "${hand_repos[@]}"; do
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

log_size() { stat -c %s "$work/$1/log"; }
# count LABEL VERSION NAME...: the blobs uploaded to registries NAME since
# their offsets off[NAME], by kind, one Markdown row per registry.
declare -A off
count() {
  local label=$1 version=$2 name args=(); shift 2
  for name; do args+=("$(bench_registry_host "$name")" "$work/$name/log" "${off[$name]}"); done
  /usr/bin/python3 - "$label" "$version" "$work/base" "${args[@]}" <<'PY'
import json, re, sys, urllib.request
label, version, base = sys.argv[1:4]
index = json.load(open(f"{base}/index.json"))
base_layers = {l["digest"] for l in json.load(open(f"{base}/blobs/sha256/" + index["manifests"][0]["digest"][7:]))["layers"]}
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
# change_and_commit TEXT: one file of the app changes, committed.
change_and_commit() { printf '<!doctype html>\n<title>app</title>\n<h1>app %s</h1>\n' "$1" >site/index.html; git commit -qam "app $1"; }

# release_berth SCENARIO VERSION, release_hand SCENARIO VERSION: one timed
# release; leaves the digest in $work/SCENARIO.berth or $work/SCENARIO.hand.
release_berth() {
  timed "berth.$1" berth_release "$2"
  /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$work/out.txt" >"$work/$1.berth"
  [ "$1" != again ] || cp "$work/out.txt" "$work/again.json"
}
release_hand() { timed "hand.$1" by_hand "$2" "hand.$1"; cp "$work/out.txt" "$work/$1.hand"; }
# side_by_side RUN SCENARIO VERSION: both paths, berth first on odd runs; the
# same digest, or the comparison is void.
side_by_side() {
  if [ $(($1 % 2)) = 1 ]; then release_berth "$2" "$3"; release_hand "$2" "$3"; else release_hand "$2" "$3"; release_berth "$2" "$3"; fi
  [ "$(cat "$work/$2.berth")" = "$(cat "$work/$2.hand")" ] || { echo "berth released $(cat "$work/$2.berth"), by hand $(cat "$work/$2.hand")" >&2; exit 1; }
}

for run in $(seq "$runs"); do
  echo "run $run of $runs ..." >&2
  # A first release into empty registries: everything goes up.
  wipe r1 r2 h1 h2
  clear_skopeo_cache
  rm -rf "$work/hand"; mkdir -p "$work/hand"
  change_and_commit "1.$run.0"
  side_by_side "$run" first "1.$run.0"
  # A re-release after a one-file change: the base layers are there already.
  change_and_commit "1.$run.1"
  for name in r1 r2 h1 h2; do off[$name]=$(log_size "$name"); done
  side_by_side "$run" again "1.$run.1"
  sleep 0.3  # The access log line of the last response may trail the client by a moment.
  count '`berth release`' "1.$run.1" r1 r2 >"$work/uploads-berth.md"
  count 'by hand' "1.$run.1" h1 h2 >"$work/uploads-hand.md"
  awk -F'|' '{ s += $4 } END { printf "%d ", s }' "$work/uploads-berth.md" >>"$work/uploads-per-run-berth"
  awk -F'|' '{ s += $4 } END { printf "%d ", s }' "$work/uploads-hand.md" >>"$work/uploads-per-run-hand"
  # What berth spends opening cosign.key (scrypt, as cosign), which the by-hand path's unencrypted key skips.
  timed unlock "$berth" cosign public-key --key cosign.key
done
# The signatures verify: berth's with cosign.pub, the by-hand ones with hand.pub.
"$berth" verify "${repos[1]}:1.$runs.1" --key cosign.pub "${plain[@]}" -q >/dev/null
"$berth" verify "${hand_repos[1]}:1.$runs.1" --key "$work/hand.pub" --plain-http "${hand_repos[1]%%/*}" -q >/dev/null
/usr/bin/python3 - "$work/again.json" >"$work/berth_pushes.txt" <<'PY'
import json, sys
record = json.load(open(sys.argv[1]))
print("; ".join(f"{p['image'].split('@')[0]}: {p['blobs']}" for p in record["pushes"]))
PY

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
print(" ".join(f"{k}={v:.6f}" for k, v in seen.items()))' "$2" >>"$work/m/phases.$1"
}
echo "three more pairs of releases with -v ..." >&2
for run in 1 2 3; do
  wipe r1 r2
  change_and_commit "2.$run.0"
  t=$EPOCHREALTIME
  "$berth" release "2.$run.0" "${plain[@]}" -v 2>&1 >/dev/null | phases first "$t"
  change_and_commit "2.$run.1"
  t=$EPOCHREALTIME
  "$berth" release "2.$run.1" "${plain[@]}" -v 2>&1 >/dev/null | phases again "$t"
done

/usr/bin/python3 - "$work/m" "$runs" <<'PY'
import os, statistics, sys
m, runs = sys.argv[1], sys.argv[2]
def load(key):
    return [float(line) for line in open(os.path.join(m, key)) if line.strip()]
def row(label, key):
    v = load(key)
    print(f"| {label} | {statistics.median(v):.3f} | {min(v):.3f} | {max(v):.3f} |")
load_avg = " ".join(open("/proc/loadavg").read().split()[:3])
print(f"Median of {runs} runs, a fresh version each; load average at the end: {load_avg} on {os.cpu_count()} CPUs.\n")
print("| release | path | median wall (s) | min (s) | max (s) |")
print("| --- | --- | ---: | ---: | ---: |")
for scenario, title in [("first", "first (empty registries)"), ("again", "after a one-file change")]:
    row(f"{title} | `berth release`", f"berth.{scenario}")
    row(f"{title} | by hand, all of it", f"hand.{scenario}")
    row(f"{title} | by hand: `berth build --layout`", f"hand.{scenario}.build")
    row(f"{title} | by hand: 4 x `skopeo copy`", f"hand.{scenario}.copy")
    row(f"{title} | by hand: 2 x (printf, `openssl dgst -sign`, base64, push_signature.py)", f"hand.{scenario}.sign")
row("- | `berth cosign public-key` (decrypting cosign.key alone, scrypt; a process of its own)", "unlock")
print()
for scenario, title in [("first", "first release"), ("again", "re-release after a one-file change")]:
    b, h = statistics.median(load(f"berth.{scenario}")), statistics.median(load(f"hand.{scenario}"))
    ratios = [x / y for x, y in zip(load(f"berth.{scenario}"), load(f"hand.{scenario}"))]
    print(f"- {title}: berth / by hand = {b / h:.2f} (of the medians; per run {', '.join(f'{r:.2f}' for r in ratios)}); "
          f"target <= 1.20: {'met' if b <= 1.2 * h else 'NOT met'}")
phases = {k: [dict(kv.split("=") for kv in line.split()) for line in open(os.path.join(m, "phases." + k))] for k in ("first", "again")}
steps = [("start-up, git state, plan", None, "checking"), ("registry checks, unlocking cosign.key", "checking", "key"),
         ("build", "key", "build"), ("push by digest (2 registries at once)", "build", "push"),
         ("sign (2 signatures)", "push", "sign"), ("move 4 tags", "sign", "tag"), ("ledger, clean-up, exit", "tag", "end"),
         ("whole release (under -v)", None, "end")]
print(f"\nWhere `berth release` spends its time (`-v` lines stamped as they arrive; median of {len(phases['first'])} "
      "more pairs of releases, not in the table above):\n")
print("| step | first release (s) | after a one-file change (s) |")
print("| --- | ---: | ---: |")
for label, a, z in steps:
    cells = [statistics.median(float(r[z]) - (float(r[a]) if a else 0) for r in phases[k]) for k in ("first", "again")]
    print(f"| {label} | {cells[0]:.3f} | {cells[1]:.3f} |")
print()
PY
echo "Blob uploads of the re-release after a one-file change (run $runs; completed uploads in each registry's access log):"
echo
echo "| path | registry | blob uploads | app layer | base layers | image config | signature blobs | other | uploaded twice |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
cat "$work/uploads-berth.md" "$work/uploads-hand.md"
echo
echo "Blob uploads of each run's re-release, both registries together: berth $(cat "$work/uploads-per-run-berth"); by hand $(cat "$work/uploads-per-run-hand")"
echo "berth's own count for the last one (release -o json, pushes): $(cat "$work/berth_pushes.txt")"
