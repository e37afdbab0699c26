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

runs=3
source "$(dirname "$0")/../lib.sh"
bench_init "$@"
bench_require docker-registry skopeo curl openssl /usr/bin/time /usr/bin/python3

wipe() { bench_stop_registry "$1"; rm -rf "$work/$1/storage"; bench_start_registry "$1"; }
host() { bench_registry_host "$1"; }
clear_skopeo_cache() { rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb "$HOME/.local/share/containers/cache/blob-info-cache-v1.boltdb"; }

# measure KEY CMD...: one timed run; appends "wall rss_kib" to $work/m/KEY.
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
cpu = float(re.search(r"User time \(seconds\): (\S+)", text).group(1)) + float(re.search(r"System time \(seconds\): (\S+)", text).group(1))
print(seconds, rss, cpu)
PY
}

export HOME=$work/home DOCKER_CONFIG=$work/home/docker XDG_CONFIG_HOME=$work/home/config
mkdir -p "$HOME"
echo "building the images in $work ..." >&2
/usr/bin/python3 "$repo/bench/registry/make_image.py" "$work/one" --layers 1 --layer-size $((1 << 30)) --tag v1 --seed 1 >/dev/null
/usr/bin/python3 "$repo/bench/registry/make_image.py" "$work/many" --layers 16 --layer-size $((64 << 20)) --tag v1 --seed 2 >/dev/null
blob=$(ls -S "$work/one/blobs/sha256" | head -1)
blob_file=$work/one/blobs/sha256/$blob
bench_start_registry r1
bench_start_registry r2
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
    data[key] = (statistics.median(r[0] for r in rows), max(r[1] for r in rows) / 1024, statistics.median(r[2] for r in rows))
cases = [
    ("push 1 GiB image", [("curl PUT (raw limit)", "push.curl"), ("berth push", "push.berth"), ("skopeo copy", "push.skopeo")]),
    ("pull 1 GiB to OCI layout", [("curl GET (raw limit)", "pull.curl"), ("openssl dgst -sha256 (raw limit)", "pull.openssl"),
                                  ("berth pull", "pull.berth"), ("skopeo copy", "pull.skopeo")]),
    ("copy 16 x 64 MiB, repo to repo, one registry", [("berth copy", "mount.berth"), ("skopeo copy", "mount.skopeo")]),
    ("copy 16 x 64 MiB, registry to registry", [("berth copy", "cross.berth"), ("skopeo copy", "cross.skopeo")]),
]
load = open("/proc/loadavg").read().split()[:3]
print(f"Median of {runs} runs (wall and CPU time of the client process alone); peak RSS is the largest seen. "
      f"Load average at the end: {' '.join(load)} on {os.cpu_count()} CPUs.\n")
print("| case | tool | wall time (s) | client CPU (s) | peak RSS (MiB) |")
print("| --- | --- | ---: | ---: | ---: |")
for case, tools in cases:
    for label, key in tools:
        wall, rss, cpu = data[key]
        print(f"| {case} | {label} | {wall:.3f} | {cpu:.2f} | {rss:.1f} |")
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
