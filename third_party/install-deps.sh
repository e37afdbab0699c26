#!/usr/bin/env bash
# Installs, from Debian's packages (and npm for the JWT interop peers), what
# berth needs to build, with --test what its test suite needs, and with --fuzz
# what the fuzz harnesses need. Only
# missing packages are installed; a machine that has them all is untouched.
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev libboost-program-options-dev
  libcurl4-openssl-dev libssl-dev libsodium-dev
  nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev
  zlib1g-dev libarchive-dev
)
# Real peers and tools the tests drive (see tests/README.md).
test_packages=(
  docker-registry skopeo apache2-utils curl openssl ca-certificates tar gzip
  python3 python3-cryptography python3-nacl python3-yaml
  nodejs npm hyperfine time
  buildah podman runc docker.io
  clang libc++-dev libc++abi-dev
)

# The libFuzzer harnesses (tests/fuzz, docs/fuzzing.md): clang and its
# sanitizer and libFuzzer runtimes; llvm-symbolizer for readable reports.
fuzz_packages=(clang libclang-rt-dev llvm)

# What the README's main job runs beside berth: a local registry.
demo_packages=(docker-registry curl)

packages=("${build_packages[@]}")
for option in "$@"; do
  case "$option" in
    --test) packages+=("${test_packages[@]}") ;;
    --fuzz) packages+=("${fuzz_packages[@]}") ;;
    --demo) packages+=("${demo_packages[@]}") ;;
  esac
done

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
# nodejs may come from another source with npm inside it.
if [[ " ${missing[*]} " == *" npm "* ]] && command -v npm >/dev/null; then
  missing=("${missing[@]/npm}")
fi
if [[ " ${missing[*]} " == *" nodejs "* ]] && command -v node >/dev/null; then
  missing=("${missing[@]/nodejs}")
fi
# The tests need only a docker CLI (podman serves the Engine API); any will do.
if [[ " ${missing[*]} " == *" docker.io "* ]] && command -v docker >/dev/null; then
  missing=("${missing[@]/docker.io}")
fi
read -r -a missing <<<"${missing[*]}"

if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
