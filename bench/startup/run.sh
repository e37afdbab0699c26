#!/usr/bin/env bash
# Start-up cost of berth beside the CLIs it replaces, side by side in one
# hyperfine run: `berth --version`; `berth plugin list` with the bundled
# plugins, with 50 more on BERTH_PLUGIN_PATH, with 50 more installed by
# `berth plugin install`, and with 50 more and no cache of library hashes
# (the first listing after an install or an upgrade); one plugin's command
# with 50 more installed; `skopeo --version`; `kubectl version --client`.
# Also checks that a plugin's command loads that plugin only (LD_DEBUG=files).
#
#   bash bench/startup/run.sh [BUILD_DIR] [--baseline OTHER_BUILD_DIR]
#
# BUILD_DIR defaults to build/ (a release build is configured if absent).
# RUNS and WARMUP (default 200 and 20) set hyperfine's counts.
# --baseline adds the berth cases of another build (e.g. of the previous
# commit) to the same run, labelled "(baseline)", so both are measured under
# the same load. Prints the markdown table (also written to
# bench/startup/results.md) and how `plugin list` grows per plugin.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$root/build baseline=
while [[ $# -gt 0 ]]; do
  case $1 in
    --baseline) baseline=$(cd "$2" && pwd); shift 2 ;;
    *) build=$(cd "$1" && pwd); shift ;;
  esac
done
if [[ ! -x $build/bin/berth ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j "$(nproc)" >&2
fi
[[ -z $baseline || -x $baseline/bin/berth ]] || { echo "bench/startup: no $baseline/bin/berth" >&2; exit 1; }
berth=$build/bin/berth
for tool in hyperfine skopeo kubectl python3; do
  command -v $tool >/dev/null || { echo "bench/startup: $tool is missing" >&2; exit 1; }
done
home=$(mktemp -d /tmp/berth-bench.XXXXXX)
trap 'rm -rf "$home"' EXIT
export HOME=$home XDG_DATA_HOME=$home/data XDG_CONFIG_HOME=$home/config XDG_CACHE_HOME=$home/cache
bundled=$("$berth" plugin list -o json | grep -c '"state"' || true)

# 50 more plugins: copies of the bundled file-secrets plugin under other
# names (their manifests renamed, nothing else provided), so that `plugin
# list` reads and checks 50 more libraries of about 1 MB.
many=$home/many
for i in $(seq -w 1 50); do
  mkdir -p "$many/extra-$i"
  cp "$build/lib/berth/plugins/file-secrets/"* "$many/extra-$i/"
  python3 - "$many/extra-$i/berth-plugin.json" "extra-$i" <<'PY'
import json, sys
path, name = sys.argv[1], sys.argv[2]
manifest = json.load(open(path))
manifest.update(name=name, provides=[], commands=[])
json.dump(manifest, open(path, "w"))
PY
done
# The same 50 installed the way users install plugins: copied into
# $XDG_DATA_HOME/berth/plugins and recorded with their sha256, which every
# check compares too. (In another data home: the same names on
# BERTH_PLUGIN_PATH would be found twice.)
installed_data=$home/installed-data
for dir in "$many"/extra-*; do
  XDG_DATA_HOME=$installed_data "$berth" -q plugin install --allow-unsigned "$dir" >/dev/null
done
on_path="env BERTH_PLUGIN_PATH=$many"
installed="env XDG_DATA_HOME=$installed_data"
no_cache="env XDG_CACHE_HOME=/dev/null BERTH_PLUGIN_PATH=$many"  # Nowhere to keep a cache: every library hashed.
total=$($on_path "$berth" plugin list -o json | grep -c '"state": "ok"' || true)
total_installed=$($installed "$berth" plugin list -o json | grep -c '"state": "ok"' || true)
echo "berth plugin list sees $bundled bundled plugins, $total with 50 more on BERTH_PLUGIN_PATH," \
     "$total_installed with 50 more installed; $(nproc) cores; $(uname -r)" >&2

# A plugin's command maps that plugin's library and no other.
loaded=$($installed LD_DEBUG=files "$berth" file-secrets where dev 2>&1 >/dev/null |
         grep -o 'file=[^ ]*libberth-[a-z0-9-]*\.so' | sort -u | tr '\n' ' ')
echo "berth file-secrets where dev, with $total_installed plugins installed, loads: $loaded" >&2

# Libraries just copied are not cached until their ctime is 2 s old (the
# racy window of host/core/plugins/library_hash_cache.h); after that, one listing
# records them, as any user's second listing would.
sleep 2.1
for prefix in "" "$on_path" "$installed"; do $prefix "$berth" plugin list >/dev/null; done

cases=()
add_berth() {  # SUFFIX BERTH
  local suffix=$1 binary=$2
  cases+=(-n "berth --version$suffix" "$binary --version")
  cases+=(-n "berth plugin list ($bundled plugins)$suffix" "$binary plugin list")
  cases+=(-n "berth plugin list ($total plugins, 50 on BERTH_PLUGIN_PATH)$suffix" "$on_path $binary plugin list")
  cases+=(-n "berth plugin list ($total_installed plugins, 50 installed)$suffix" "$installed $binary plugin list")
  # A baseline without the cache would measure the line above again.
  [[ -n $suffix ]] || cases+=(-n "berth plugin list ($total plugins, no cache)$suffix" "$no_cache $binary plugin list")
  cases+=(-n "berth file-secrets where dev ($total_installed plugins)$suffix" "$installed $binary file-secrets where dev")
}
add_berth "" "$berth"
[[ -z $baseline ]] || add_berth " (baseline)" "$baseline/bin/berth"
cases+=(-n "skopeo --version" "skopeo --version" -n "kubectl version --client" "kubectl version --client")

hyperfine -N --warmup "${WARMUP:-20}" --runs "${RUNS:-200}" \
  --export-markdown "$root/bench/startup/results.md" --export-json "$home/results.json" "${cases[@]}" >&2
cat "$root/bench/startup/results.md"
# How plugin list grows: the difference from the bundled plugins alone, per plugin added.
python3 - "$home/results.json" "$bundled" "$total" "$total_installed" <<'PY'
import json, sys
path, bundled, total, installed = sys.argv[1], *sys.argv[2:]
means = {r["command"]: r["mean"] * 1000 for r in json.load(open(path))["results"]}
for suffix in ("", " (baseline)"):
    base = means.get(f"berth plugin list ({bundled} plugins){suffix}")
    for case, count in ((f"{total} plugins, 50 on BERTH_PLUGIN_PATH", total), (f"{installed} plugins, 50 installed", installed),
                        (f"{total} plugins, no cache", total)):
        more = means.get(f"berth plugin list ({case}){suffix}")
        if base is not None and more is not None:
            added = int(count) - int(bundled)
            print(f"berth plugin list ({case}){suffix}: {(more - base) / added:.3f} ms per plugin added")
PY
