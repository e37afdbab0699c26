#!/usr/bin/env bash
# The plugin-distribution benchmark (issue #18): `berth plugin sync` of a
# locked set of 8 plugins into a fresh HOME from a local docker-registry,
# beside curl downloading the same bytes (and sha256sum checking them).
#
#   bench/plugins/run.sh [--berth build/bin/berth] [--runs 5] [--workdir DIR]
#
# The 8 plugins are berth's own (asap ... micros), copied, signed with an
# Ed25519 key made by openssl, and published with `berth plugin publish` to
# one registry over plain HTTP. berth runs from a copy of the binary and its
# SDK library without bundled plugins beside it (a bundled plugin of the same
# name would be refused as found twice). A project lists the 8 in berth.yaml
# and `berth plugin lock` pins them (not timed).
#
# Timed, each run: `berth plugin sync` into a fresh HOME and an empty
# .berth/plugins (it fetches each index, variant manifest, config and layer,
# verifies digests and signatures, installs and records); and curl fetching
# the same four documents per plugin (the index by tag, the rest by digest)
# one after another in one process, reusing its connection, then sha256sum
# over them. Prints a Markdown table on stdout, progress on stderr.
set -euo pipefail

runs=5
source "$(dirname "$0")/../lib.sh"
umask 077
bench_init "$@"
trap 'exit 130' INT TERM
trap 'echo "$0: failed at line $LINENO" >&2' ERR
bench_require docker-registry curl openssl sha256sum /usr/bin/python3

plugins=(asap builders cosign file-secrets gcp-artifact ghcr k8s micros)
build_dir=$(dirname "$(dirname "$berth")")
mkdir -p "$work/prefix/bin" "$work/prefix/lib" "$work/pkgs" "$work/project" "$work/keys"
cp "$berth" "$work/prefix/bin/berth"
cp -P "$build_dir"/lib/libberth-sdk.so* "$work/prefix/lib/"
bb=$work/prefix/bin/berth

openssl genpkey -algorithm ed25519 -out "$work/keys/bench.key" 2>/dev/null
openssl pkey -in "$work/keys/bench.key" -pubout -out "$work/keys/bench.pub"
fresh_home() {
  rm -rf "$work/home" "$work/project/.berth/plugins"
  mkdir -p "$work/home/config/berth"
  printf 'trusted-plugin-keys:\n  - name: bench\n    file: %s\n' "$work/keys/bench.pub" >"$work/home/config/berth/config.yaml"
}
export HOME=$work/home XDG_CONFIG_HOME=$work/home/config XDG_DATA_HOME=$work/home/data XDG_CACHE_HOME=$work/home/cache
export DOCKER_CONFIG=$work/home/docker BERTH_PLUGIN_PATH= BERTH_TRUST_PROJECT=1
fresh_home

bench_start_registry reg
host=$(bench_registry_host reg)
{
  printf 'service: bench\nimage: %s/team/bench\nplugins:\n' "$host"
  for name in "${plugins[@]}"; do
    cp -r "$build_dir/lib/berth/plugins/$name" "$work/pkgs/$name"
    "$bb" -q plugin sign "$work/pkgs/$name" --key "$work/keys/bench.key" >/dev/null
    "$bb" -q plugin publish "$work/pkgs/$name" "$host/plugins/$name:1.0.0" --plain-http "$host" >/dev/null
    printf '  - name: %s\n    source: oci://%s/plugins/%s:1.0.0\n' "$name" "$host" "$name"
  done
} >"$work/project/berth.yaml"
cd "$work/project"
"$bb" -q plugin lock --plain-http "$host" -o json >"$work/lock.json"
echo "published and locked ${#plugins[@]} plugins on $host" >&2

# The documents curl fetches: per plugin the index, this machine's variant,
# its config and its layer, by digest.
: >"$work/urls"
for name in "${plugins[@]}"; do
  index=$(curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$host/v2/plugins/$name/manifests/1.0.0")
  /usr/bin/python3 - "$host" "$name" "$index" >>"$work/urls" <<'PY'
import json, sys, urllib.request
host, name, index = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
variant = next(m for m in index["manifests"] if m["platform"]["architecture"] in ("amd64", "arm64"))
base = f"http://{host}/v2/plugins/{name}"
req = urllib.request.Request(f"{base}/manifests/{variant['digest']}", headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
manifest = json.load(urllib.request.urlopen(req))
print(f"{base}/manifests/1.0.0")
print(f"{base}/manifests/{variant['digest']}")
print(f"{base}/blobs/{manifest['config']['digest']}")
print(f"{base}/blobs/{manifest['layers'][0]['digest']}")
PY
done
bytes=0

now() { date +%s.%N; }
declare -a berth_times curl_times
for run in $(seq "$runs"); do
  fresh_home
  start=$(now)
  "$bb" -q plugin sync --plain-http "$host" -o json >"$work/sync.json"
  berth_times+=("$(echo "$(now) - $start" | bc)")
  [ "$(grep -c '"installed"' "$work/sync.json")" = "${#plugins[@]}" ] || { echo "sync did not install all ${#plugins[@]}" >&2; exit 1; }

  rm -rf "$work/curl" && mkdir -p "$work/curl"
  start=$(now)
  (cd "$work/curl" && i=0 && args=() && while read -r url; do
     i=$((i + 1)); args+=(-o "doc$i" -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json' "$url")
   done <"$work/urls" && curl -sfL "${args[@]}" && sha256sum doc* >/dev/null)
  curl_times+=("$(echo "$(now) - $start" | bc)")
  bytes=$(du -cb "$work/curl"/doc* | tail -1 | cut -f1)
  echo "run $run: berth ${berth_times[-1]} s, curl ${curl_times[-1]} s" >&2
done

/usr/bin/python3 - "$bytes" "${#plugins[@]}" "${berth_times[*]}" "${curl_times[*]}" <<'PY'
import statistics, sys
size, count, berth, curl = int(sys.argv[1]), sys.argv[2], [float(x) for x in sys.argv[3].split()], [float(x) for x in sys.argv[4].split()]
print(f"{count} plugins, {size / 1048576:.1f} MiB fetched, {len(berth)} runs (seconds)\n")
print("| | median | min | max |")
print("|---|---|---|---|")
for label, v in (("berth plugin sync (fetch, verify, install)", berth), ("curl, same documents, + sha256sum", curl)):
    print(f"| {label} | {statistics.median(v):.3f} | {min(v):.3f} | {max(v):.3f} |")
print(f"\nberth / curl (medians): {statistics.median(berth) / statistics.median(curl):.2f}x")
PY
