#!/usr/bin/env bash
# `cmake --install` into a fresh prefix gives a berth whose bundled plugins
# all load and work from there, with a fresh HOME, also under the prefix's
# system policy that requires signed plugins (berth knows its own, unsigned,
# and no other), and an SDK package that a plugin asking for an earlier 0.x
# version finds.
#
#   install_test.sh BUILD_DIR
set -euo pipefail
build_dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix with space"
mkdir -p "$work/home"

cmake --install "$build_dir" --prefix "$prefix" >/dev/null
run() {
  env -i PATH="/usr/bin:/bin" HOME="$work/home" LANG=C.UTF-8 ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
    UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" "$prefix/bin/berth" "$@"
}

listed=$(run plugin list --load -o json)
bundled=$(ls "$build_dir/lib/berth/plugins" | wc -l)
python3 - "$listed" "$bundled" <<'PY'
import json, sys
plugins = json.loads(sys.argv[1])
bundled = int(sys.argv[2])
bad = [p for p in plugins if p["state"] != "ok"]
if bad:
    sys.exit("installed berth refuses: " + "; ".join(p["name"] + ": " + str(p["reason"]) for p in bad))
names = [p["name"] for p in plugins if p["source"] == "bundled"]
if len(names) != bundled:
    sys.exit(f"installed berth lists {len(names)} bundled plugins, the build has {bundled}: {names}")
print(f"install: {len(names)} bundled plugins load from the prefix", file=sys.stderr)
PY

# A bundled plugin's command and object, from the installed tree.
printf 'install-test-value' | run secrets set dev INSTALL_KEY --store file >/dev/null
run file-secrets where dev -o json | grep -q '"secrets": 1'

# The prefix's own system config (<prefix>/etc/berth/config.yaml): under
# require-signatures every plugin berth installed still loads, recognised
# from the table in the installed binary, and a plugin added to the prefix
# afterwards (as a CI image might) is refused until a trusted key signs it.
mkdir -p "$prefix/etc/berth"
printf 'plugin-policy:\n  require-signatures: true\n' > "$prefix/etc/berth/config.yaml"
cp -r "$build_dir/test-plugins/echo/echo" "$prefix/lib/berth/plugins/echo"
listed=$(run plugin list --load -o json)
python3 - "$listed" "$bundled" "$prefix" <<'PY'
import json, sys
plugins = {p["name"]: p for p in json.loads(sys.argv[1])}
bundled, prefix = int(sys.argv[2]), sys.argv[3]
echo = plugins.pop("echo")
expected = (f"plugin 'echo' at {prefix}/lib/berth/plugins/echo: not signed (no berth-plugin.sig); "
            f"{prefix}/etc/berth/config.yaml requires every plugin but berth's own to be signed by a trusted key "
            "(plugin-policy.require-signatures)")
if echo["state"] != "refused" or echo["reason"] != expected:
    sys.exit(f"under the policy, the added echo plugin is {echo['state']}: {echo['reason']}")
bad = [p["name"] + ": " + str(p["reason"]) for p in plugins.values() if p["state"] != "ok"]
if bad or len(plugins) != bundled:
    sys.exit("under the policy, installed berth refuses its own plugins: " + "; ".join(bad))
print(f"install: under require-signatures, {bundled} own plugins load and an added one is refused", file=sys.stderr)
PY
rm -rf "$prefix/lib/berth/plugins/echo" "$prefix/etc/berth"

# The SDK package: found by a project asking for an earlier minor version.
mkdir -p "$work/consumer"
cat > "$work/consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(consumer LANGUAGES CXX)
find_package(BerthSDK 0.1 REQUIRED)
message(STATUS "BerthSDK ${BerthSDK_VERSION} runtime at ${BERTH_SDK_RUNTIME_DIR}")
CMAKE
cmake -S "$work/consumer" -B "$work/consumer/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
echo "install: ok" >&2
