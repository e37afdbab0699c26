#!/usr/bin/env bash
# Start-up cost of berth beside the CLIs it replaces, side by side in one
# hyperfine run: `berth --version`, `berth plugin list` with every plugin the
# build has, `skopeo --version`, `kubectl version --client`.
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
for tool in hyperfine skopeo kubectl; do
  command -v $tool >/dev/null || { echo "bench/startup: $tool is missing" >&2; exit 1; }
done
home=$(mktemp -d /tmp/berth-bench.XXXXXX)
trap 'rm -rf "$home"' EXIT
plugins=$(HOME=$home XDG_DATA_HOME=$home "$berth" plugin list -o json | grep -c '"state"' || true)
echo "berth plugin list sees $plugins plugins; $(nproc) cores; $(uname -r)" >&2

HOME=$home XDG_DATA_HOME=$home hyperfine -N --warmup 20 --runs 200 \
  --export-markdown "$root/bench/startup/results.md" \
  -n "berth --version" "$berth --version" \
  -n "berth plugin list ($plugins plugins)" "$berth plugin list" \
  -n "skopeo --version" "skopeo --version" \
  -n "kubectl version --client" "kubectl version --client" >&2
cat "$root/bench/startup/results.md"
