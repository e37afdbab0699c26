#!/usr/bin/env bash
# berth maps libcurl (and its ~30 dependencies) only when a command makes an
# HTTP request: start-up is most of the time of `berth --version` and
# `berth plugin list` (docs/benchmarks.md). Fails if the binary or the SDK
# links libcurl again (or a bundled plugin does), or if a command without
# HTTP loads it; checks the other side too, that a command doing HTTP does
# load it.
# Usage: lazy_libcurl_test.sh BUILD_DIR
set -euo pipefail
build=$1
berth=$build/bin/berth
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

for file in "$berth" "$build"/lib/libberth-sdk.so; do
  if readelf -d "$file" | grep -q 'NEEDED.*libcurl'; then fail "$file links libcurl (NEEDED)"; fi
done
# Plugins make HTTP requests through berth's http.request service: none links libcurl itself.
plugins=("$build"/lib/berth/plugins/*/libberth-*.so)
if [[ ! -e ${plugins[0]} ]]; then fail "no bundled plugins under $build/lib/berth/plugins"; fi
for file in "${plugins[@]}"; do
  if readelf -d "$file" | grep -q 'NEEDED.*libcurl'; then fail "plugin $file links libcurl (use http::HostClient)"; fi
done

loaded() {  # The shared objects the dynamic loader opened for "berth $*".
  local home; home=$(mktemp -d)
  HOME=$home XDG_DATA_HOME=$home/data XDG_CONFIG_HOME=$home/config LD_DEBUG=files "$berth" "$@" 2>&1 >/dev/null |
    grep -o 'file=[^ ]*' | sort -u || true
  rm -rf "$home"
}

for command in "--version" "plugin list"; do
  # shellcheck disable=SC2086
  if loaded $command | grep -q libcurl; then fail "berth $command loads libcurl"; fi
done
# A request to a closed port on 127.0.0.1: the command fails, but only after loading libcurl.
if ! loaded tags 127.0.0.1:9/none/none --plain-http 127.0.0.1:9 | grep -q 'libcurl\.so'; then
  fail "berth tags did not load libcurl (is the check itself broken?)"
fi

if ((failures)); then exit 1; fi
echo "ok: libcurl is loaded only by commands that make HTTP requests"
