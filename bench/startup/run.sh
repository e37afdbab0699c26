#!/usr/bin/env bash
# Start-up cost of berth beside the CLIs it replaces, side by side in one
# hyperfine run: `berth --version`, `berth plugin list` with the bundled
# plugins and with 50 more installed, one plugin's command with those 50
# installed, `skopeo --version`, `kubectl version --client`. Also checks
# that a plugin's command loads that plugin only (LD_DEBUG=files).
#
#   bash bench/startup/run.sh [BUILD_DIR]      (default: build; a release build is configured if absent)
#
# Prints the markdown table (also written to bench/startup/results.md).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$root/build}
if [[ ! -x $build/bin/berth ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j "$(nproc)" >&2
fi
berth=$build/bin/berth
for tool in hyperfine skopeo kubectl python3; do
  command -v $tool >/dev/null || { echo "bench/startup: $tool is missing" >&2; exit 1; }
done
home=$(mktemp -d /tmp/berth-bench.XXXXXX)
trap 'rm -rf "$home"' EXIT
export HOME=$home XDG_DATA_HOME=$home/data XDG_CONFIG_HOME=$home/config
bundled=$("$berth" plugin list -o json | grep -c '"state"' || true)

# 50 more plugins on BERTH_PLUGIN_PATH: copies of the bundled file-secrets
# plugin under other names (their manifests renamed, nothing else provided),
# so that `plugin list` reads, hashes and checks 50 more libraries.
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
total=$(BERTH_PLUGIN_PATH=$many "$berth" plugin list -o json | grep -c '"state": "ok"' || true)
echo "berth plugin list sees $bundled bundled plugins, $total with 50 more; $(nproc) cores; $(uname -r)" >&2

# A plugin's command maps that plugin's library and no other.
loaded=$(BERTH_PLUGIN_PATH=$many LD_DEBUG=files "$berth" file-secrets where dev 2>&1 >/dev/null |
         grep -o 'file=[^ ]*libberth-[a-z0-9-]*\.so' | sort -u | tr '\n' ' ')
echo "berth file-secrets where dev, with $total plugins installed, loads: $loaded" >&2

hyperfine -N --warmup 20 --runs 200 \
  --export-markdown "$root/bench/startup/results.md" \
  -n "berth --version" "$berth --version" \
  -n "berth plugin list ($bundled plugins)" "$berth plugin list" \
  -n "berth plugin list ($total plugins)" "env BERTH_PLUGIN_PATH=$many $berth plugin list" \
  -n "berth file-secrets where dev ($total plugins)" "env BERTH_PLUGIN_PATH=$many $berth file-secrets where dev" \
  -n "skopeo --version" "skopeo --version" \
  -n "kubectl version --client" "kubectl version --client" >&2
cat "$root/bench/startup/results.md"
