#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan + UBSan) in build-fuzz and runs
# each one over its seed corpus (docs/fuzzing.md).
#   tests/fuzz/run.sh --smoke        20000 runs or 5 s each, whichever comes first (CI)
#   tests/fuzz/run.sh --runs N       N runs each (the long campaign: 1000000)
#   tests/fuzz/run.sh --time S       S seconds each
#   tests/fuzz/run.sh ... NAME...    only these harnesses (e.g. reference kubeconfig)
#   tests/fuzz/run.sh --build-dir DIR ...   use DIR, already configured with
#                                    -DBERTH_FUZZ=ON (tests/run.sh's sanitizer build)
# New inputs libFuzzer finds go to build-fuzz/corpus/NAME, never into the
# repository's corpus; a crash leaves build-fuzz/crashes/NAME/crash-* and
# makes the script fail.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

limit=(-runs=20000 -max_total_time=5)
names=()
given_build=""
while (($#)); do
  case "$1" in
    --smoke) limit=(-runs=20000 -max_total_time=5) ;;
    --runs) limit=("-runs=$2"); shift ;;
    --time) limit=("-max_total_time=$2"); shift ;;
    --build-dir) given_build=$2; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) names+=("$1") ;;
  esac
  shift
done

bash third_party/install-deps.sh --fuzz
if [[ -n "$given_build" ]]; then
  build=$given_build
  if ! grep -q '^BERTH_FUZZ:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
    echo "tests/fuzz/run.sh: $build is not a build configured with -DBERTH_FUZZ=ON" >&2
    exit 2
  fi
else
  build=${BERTH_FUZZ_BUILD_DIR:-build-fuzz}
  launcher=()
  if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
  echo "== configure $build" >&2
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBERTH_BUILD_TESTS=OFF -DBERTH_FUZZ=ON \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang "${launcher[@]}" >/dev/null
fi
echo "== build $build" >&2
start=$SECONDS
cmake --build "$build" --target berth-fuzzers -j "$(nproc)"
echo "== built $build in $((SECONDS - start)) s" >&2

if ((${#names[@]} == 0)); then
  for dir in tests/fuzz/corpus/*/; do names+=("$(basename "$dir")"); done
fi

# detect_leaks=0: LeakSanitizer needs ptrace, which some sandboxes refuse.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
for name in "${names[@]}"; do
  work="$build/corpus/$name" crashes="$build/crashes/$name"
  mkdir -p "$work" "$crashes"
  echo "== fuzz $name (${limit[*]})" >&2
  start=$(date +%s)
  # The first corpus dir receives new inputs; the repository's seeds are read only.
  if "$build/fuzz/fuzz_$name" "${limit[@]}" -max_len=65536 -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="$crashes/" "$work" "tests/fuzz/corpus/$name" >"$build/fuzz-$name.log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz-$name.log")
    echo "   $name: ${runs:-?} runs in $(($(date +%s) - start)) s, no crash" >&2
  else
    echo "   $name: FAILED after $(($(date +%s) - start)) s; see $build/fuzz-$name.log and $crashes/" >&2
    tail -n 40 "$build/fuzz-$name.log" >&2
    failed+=("$name")
  fi
done
if ((${#failed[@]})); then
  echo "fuzzing found problems in: ${failed[*]}" >&2
  exit 1
fi
