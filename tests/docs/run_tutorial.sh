#!/usr/bin/env bash
# Runs the tutorial of docs/plugin-sdk.md as a newcomer would: every ```bash
# block of its "Tutorial" section, in order, in one shell, in a fresh HOME,
# with the berth of BUILD_DIR installed into a prefix by the tutorial's own
# first step. The doc is the script, so the doc cannot rot.
#
#   run_tutorial.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
source_dir=$1
build_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

script="$work/tutorial.sh"
awk '
  /^## / { in_tutorial = ($0 ~ /^## Tutorial: a plugin out of tree/) }
  in_tutorial && /^```bash$/ { in_block = 1; print "echo \"+ step " ++step "\" >&2"; next }
  in_block && /^```$/ { in_block = 0; next }
  in_block { print }
' "$source_dir/docs/plugin-sdk.md" > "$script"
steps=$(grep -c '^echo "+ step' "$script" || true)
if [[ "$steps" -lt 5 ]]; then
  echo "run_tutorial.sh: found $steps bash blocks in the tutorial, expected at least 5" >&2
  exit 1
fi

mkdir -p "$work/home"
cd "$source_dir"
compilers=()
if [[ -n "${TUTORIAL_CXX:-}" ]]; then compilers+=(CXX="$TUTORIAL_CXX"); fi
if [[ -n "${TUTORIAL_CC:-}" ]]; then compilers+=(CC="$TUTORIAL_CC"); fi
# A fresh user: nothing of this machine's berth, docker or XDG settings.
env -i PATH="/usr/local/bin:/usr/bin:/bin" HOME="$work/home" LANG=C.UTF-8 \
  BERTH_BUILD="$build_dir" CXXFLAGS="${TUTORIAL_CXXFLAGS:-}" LDFLAGS="${TUTORIAL_LDFLAGS:-}" "${compilers[@]}" \
  ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
  bash -euo pipefail "$script"
echo "tutorial: all $steps steps passed" >&2
