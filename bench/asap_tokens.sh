#!/bin/sh
# ASAP tokens minted per second on one core, beside `openssl speed rsa2048`
# signs per second measured in the same run, plus the cost of one whole
# `berth asap token` process (start, plugin load, key load, mint).
#
#   bench/asap_tokens.sh            (after building into ./build)
#   BUILD=build-release COUNT=50000 bench/asap_tokens.sh
#
# Rates per CPU second compare like with like: `openssl speed` counts CPU
# time unless given -elapsed, so a busy machine does not skew the ratio.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${BUILD:-$root/build}" && pwd)
count=${COUNT:-20000}
berth=$build/bin/berth
bench=$build/bin/berth-asap-bench
for tool in "$berth" "$bench"; do
  [ -x "$tool" ] || { echo "asap_tokens.sh: $tool is missing; build first (ninja -C build)" >&2; exit 1; }
done
command -v hyperfine >/dev/null || { echo "asap_tokens.sh: hyperfine is not installed (apt-get install hyperfine)" >&2; exit 1; }
pin=""
command -v taskset >/dev/null && pin="taskset -c 0"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export HOME="$work" XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" BERTH_PLUGIN_PATH=""
"$berth" asap keygen --issuer micros/bench -a bench -o json >/dev/null

mint=$($pin "$bench" --config .asap-config --count "$count" --verify)
ssl=$($pin openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6, $7}')
ssl_sign=${ssl% *}
ssl_verify=${ssl#* }
$pin hyperfine -N --warmup 5 --runs 100 --export-json hyperfine.json "$berth asap token -a bench" >/dev/null

/usr/bin/python3 - "$mint" "$ssl_sign" "$ssl_verify" hyperfine.json "$count" <<'PY'
import json, os, platform, sys
mint = json.loads(sys.argv[1])
ssl_sign, ssl_verify = float(sys.argv[2]), float(sys.argv[3])
run = json.load(open(sys.argv[4]))["results"][0]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
print(f"Machine: {cpu}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; pinned to core 0; {sys.argv[5]} tokens.\n")
print("| Measure | Per second | Note |")
print("| --- | ---: | --- |")
print(f"| berth ASAP tokens minted, per CPU second | {mint['mint_per_cpu_second']:,.0f} | RS256, RSA 2048, {mint['token_bytes']} bytes each |")
print(f"| openssl speed rsa2048 signs, per CPU second | {ssl_sign:,.0f} | same run |")
print(f"| berth tokens / openssl signs | {mint['mint_per_cpu_second'] / ssl_sign:.0%} | the rest is claims, JSON, base64, jti |")
print(f"| berth ASAP tokens minted, per wall second | {mint['mint_per_second']:,.0f} | lower when the machine is busy |")
print(f"| berth ASAP tokens verified (all rules), per CPU second | {mint['verify_per_cpu_second']:,.0f} | key already fetched |")
print(f"| openssl speed rsa2048 verifies, per CPU second | {ssl_verify:,.0f} | same run |")
cpu_ms = (run["user"] + run["system"]) * 1000
print(f"| `berth asap token -a bench`, whole process | {1 / run['mean']:,.0f} | {run['mean'] * 1000:.1f} ms ± {run['stddev'] * 1000:.1f} ms wall, "
      f"{cpu_ms:.1f} ms CPU (hyperfine, 100 runs) |")
PY
