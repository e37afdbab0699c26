#!/usr/bin/env bash
# The registry benchmark: berth against skopeo against the raw limits (curl
# PUT/GET of the same blob, openssl dgst -sha256), side by side on one local
# docker-registry over plain HTTP, storage wiped between runs.
#
#   bench/registry/run.sh [--berth build/bin/berth] [--runs 3] [--workdir DIR]
#
# Cases: push a 1 GiB single-layer image; pull it to an OCI layout; copy a
# 16-layer image of 64 MiB layers between two repositories of one registry
# and between two registries. Each figure is the median of --runs runs; wall
# time and peak RSS come from /usr/bin/time -v. Prints a Markdown table and
# the targets of docs/benchmarks.md with their verdicts.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
berth=$repo/build/bin/berth
runs=3
work=
while [ $# -gt 0 ]; do
  case "$1" in
    --berth) berth=$(realpath "$2"); shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --workdir) work=$2; shift 2 ;;
    *) echo "usage: $0 [--berth PATH] [--runs N] [--workdir DIR]" >&2; exit 2 ;;
  esac
done
for tool in docker-registry skopeo curl openssl /usr/bin/time /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
[ -x "$berth" ] || { echo "no berth binary at $berth (build first)" >&2; exit 2; }
if [ -z "$work" ]; then work=$(mktemp -d /tmp/berth-bench.XXXXXX); fi
mkdir -p "$work"
declare -A registry_pid
cleanup() {
  for name in "${!registry_pid[@]}"; do kill "${registry_pid[$name]}" 2>/dev/null || true; wait "${registry_pid[$name]}" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_registry NAME: docker-registry on a port kept across restarts.
declare -A registry_port
start_registry() {
  local name=$1 dir=$work/$1
  mkdir -p "$dir/storage"
  [ -n "${registry_port[$name]:-}" ] || registry_port[$name]=$(free_port)
  cat >"$dir/config.yml" <<YAML
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: $dir/storage}
  delete: {enabled: true}
  maintenance: {uploadpurging: {enabled: false}}
http: {addr: 127.0.0.1:${registry_port[$name]}, secret: bench-secret}
YAML
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
  registry_pid[$name]=$!
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:${registry_port[$name]}/v2/" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "registry $name did not start: $(cat "$dir/log")" >&2
  exit 1
}
stop_registry() {
  kill "${registry_pid[$1]}" && wait "${registry_pid[$1]}" 2>/dev/null || true
  unset "registry_pid[$1]"
}
wipe() { stop_registry "$1"; rm -rf "$work/$1/storage"; start_registry "$1"; }
host() { echo "127.0.0.1:${registry_port[$1]}"; }
clear_skopeo_cache() { rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb "$HOME/.local/share/containers/cache/blob-info-cache-v1.boltdb"; }

# measure KEY CMD...: one timed run; appends "wall rss_kib" to $work/m/KEY.
mkdir -p "$work/m"
measure() {
  local key=$1; shift
  if ! /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt"; then
    echo "FAILED: $*" >&2; cat "$work/err.txt" >&2; exit 1
  fi
  /usr/bin/python3 - "$work/time.txt" >>"$work/m/$key" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1).split(":")
seconds = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
print(seconds, rss)
PY
}

export HOME=$work/home DOCKER_CONFIG=$work/home/docker XDG_CONFIG_HOME=$work/home/config
mkdir -p "$HOME"
echo "building the images in $work ..." >&2
/usr/bin/python3 "$here/make_image.py" "$work/one" --layers 1 --layer-size $((1 << 30)) --tag v1 --seed 1 >/dev/null
/usr/bin/python3 "$here/make_image.py" "$work/many" --layers 16 --layer-size $((64 << 20)) --tag v1 --seed 2 >/dev/null
blob=$(ls -S "$work/one/blobs/sha256" | head -1)
blob_file=$work/one/blobs/sha256/$blob
start_registry r1
start_registry r2
R1=$(host r1)
R2=$(host r2)
plain=(--plain-http "$R1" --plain-http "$R2")
cat "$blob_file" "$work"/many/blobs/sha256/* >/dev/null  # Warm the page cache for every tool alike.

for run in $(seq "$runs"); do
  echo "run $run of $runs ..." >&2
  # Push 1 GiB.
  wipe r1
  location=$(curl -sfi -X POST "http://$R1/v2/bench/raw/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
  case "$location" in http*) ;; *) location="http://$R1$location" ;; esac
  measure push.curl curl -sf -T "$blob_file" -X PUT -H 'Content-Type: application/octet-stream' "$location&digest=sha256:$blob"
  wipe r1
  measure push.berth "$berth" push "oci:$work/one:v1" "$R1/bench/one:1" "${plain[@]}"
  wipe r1
  clear_skopeo_cache
  measure push.skopeo skopeo copy --quiet --preserve-digests --dest-tls-verify=false "oci:$work/one:v1" "docker://$R1/bench/one:1"

  # Pull 1 GiB to an OCI layout (the image stays; the layout is new each time).
  rm -rf "$work/get.bin"
  measure pull.curl curl -sf -o "$work/get.bin" "http://$R1/v2/bench/one/blobs/sha256:$blob"
  rm -f "$work/get.bin"
  measure pull.openssl openssl dgst -sha256 "$blob_file"
  rm -rf "$work/pulled"
  measure pull.berth "$berth" pull "$R1/bench/one:1" "oci:$work/pulled:x" "${plain[@]}"
  rm -rf "$work/pulled"
  clear_skopeo_cache
  measure pull.skopeo skopeo copy --quiet --preserve-digests --src-tls-verify=false "docker://$R1/bench/one:1" "oci:$work/pulled:x"
  rm -rf "$work/pulled"

  # 16 x 64 MiB between two repositories of one registry, and between registries.
  wipe r1
  "$berth" push "oci:$work/many:v1" "$R1/bench/a:1" "${plain[@]}" >/dev/null
  measure mount.berth "$berth" copy "$R1/bench/a:1" "$R1/bench/b:1" "${plain[@]}"
  clear_skopeo_cache
  measure mount.skopeo skopeo copy --quiet --preserve-digests --src-tls-verify=false --dest-tls-verify=false "docker://$R1/bench/a:1" "docker://$R1/bench/c:1"
  wipe r2
  measure cross.berth "$berth" copy "$R1/bench/a:1" "$R2/bench/a:1" "${plain[@]}"
  wipe r2
  clear_skopeo_cache
  measure cross.skopeo skopeo copy --quiet --preserve-digests --src-tls-verify=false --dest-tls-verify=false "docker://$R1/bench/a:1" "docker://$R2/bench/a:1"
done

/usr/bin/python3 - "$work/m" "$runs" <<'PY'
import os, statistics, sys
folder, runs = sys.argv[1], sys.argv[2]
data = {}
for key in os.listdir(folder):
    rows = [tuple(map(float, line.split())) for line in open(os.path.join(folder, key)) if line.strip()]
    data[key] = (statistics.median(r[0] for r in rows), max(r[1] for r in rows) / 1024)
cases = [
    ("push 1 GiB image", [("curl PUT (raw limit)", "push.curl"), ("berth push", "push.berth"), ("skopeo copy", "push.skopeo")]),
    ("pull 1 GiB to OCI layout", [("curl GET (raw limit)", "pull.curl"), ("openssl dgst -sha256 (raw limit)", "pull.openssl"),
                                  ("berth pull", "pull.berth"), ("skopeo copy", "pull.skopeo")]),
    ("copy 16 x 64 MiB, repo to repo, one registry", [("berth copy", "mount.berth"), ("skopeo copy", "mount.skopeo")]),
    ("copy 16 x 64 MiB, registry to registry", [("berth copy", "cross.berth"), ("skopeo copy", "cross.skopeo")]),
]
print(f"Median of {runs} runs; peak RSS is the largest seen.\n")
print("| case | tool | wall time (s) | peak RSS (MiB) |")
print("| --- | --- | ---: | ---: |")
for case, tools in cases:
    for label, key in tools:
        wall, rss = data[key]
        print(f"| {case} | {label} | {wall:.3f} | {rss:.1f} |")
w = lambda k: data[k][0]
checks = [
    ("push within 10% of curl PUT", w("push.berth") <= 1.10 * w("push.curl"), f"{w('push.berth') / w('push.curl'):.2f}x curl PUT"),
    ("pull at least 4x faster than skopeo", w("pull.skopeo") >= 4 * w("pull.berth"), f"skopeo/berth = {w('pull.skopeo') / w('pull.berth'):.2f}"),
    ("pull within 1.5x of max(curl GET, openssl)", w("pull.berth") <= 1.5 * max(w("pull.curl"), w("pull.openssl")),
     f"{w('pull.berth') / max(w('pull.curl'), w('pull.openssl')):.2f}x"),
    ("same-registry copy (mount) under 100 ms", w("mount.berth") < 0.100, f"{w('mount.berth') * 1000:.0f} ms"),
    ("peak RSS under 64 MiB for the 1 GiB layer", max(data["push.berth"][1], data["pull.berth"][1]) < 64,
     f"push {data['push.berth'][1]:.1f} MiB, pull {data['pull.berth'][1]:.1f} MiB"),
]
print("\n| target | result | met |")
print("| --- | --- | --- |")
for name, ok, detail in checks:
    print(f"| {name} | {detail} | {'yes' if ok else 'NO'} |")
PY
