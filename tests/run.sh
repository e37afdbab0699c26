#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, builds
# berth twice (plain with g++, and with clang's AddressSanitizer +
# UndefinedBehaviorSanitizer, where the libFuzzer harnesses are built too),
# runs every test in both builds, then each fuzz harness for a short smoke run
# (docs/fuzzing.md). Every server a test needs is started by that test on
# 127.0.0.1 and stopped after.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash third_party/install-deps.sh --test --fuzz
echo "== dependencies ready after $SECONDS s" >&2
jobs=$(nproc)
# ccache, when the machine has it, makes a rebuild after a small change quick.
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi

# Each stage says how long it took, so that a slow CI run shows where.
build_and_test() {
  local dir=$1; shift
  echo "== configure $dir ($*)" >&2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBERTH_BUILD_TESTS=ON "${launcher[@]}" "$@" >/dev/null
  echo "== build $dir" >&2
  local start=$SECONDS
  cmake --build "$dir" -j "$jobs"
  echo "== built $dir in $((SECONDS - start)) s; test $dir" >&2
  start=$SECONDS
  ctest --test-dir "$dir" -j "$jobs" --output-on-failure --timeout 900
  echo "== tested $dir in $((SECONDS - start)) s" >&2
}

build_and_test build
if [[ "${BERTH_SKIP_SANITIZERS:-0}" != 1 ]]; then
  # detect_leaks=0: LeakSanitizer needs ptrace, which some sandboxes refuse.
  # clang for this build, so that one build serves the sanitizer suite and
  # the fuzz harnesses (libFuzzer is clang's), and a second compiler reads
  # the code.
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    build_and_test build-asan -DBERTH_SANITIZE=ON -DBERTH_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang
  start=$SECONDS
  bash tests/fuzz/run.sh --smoke --build-dir build-asan
  echo "== fuzz smoke in $((SECONDS - start)) s; whole suite in $SECONDS s" >&2
fi
