#!/usr/bin/env bash
# berth's main job on a local default, from a fresh clone: installs what is
# missing, builds berth, starts a private docker-registry on 127.0.0.1, and
# releases examples/hello into it: berth's own daemonless builder makes the
# image (reproducibly), release tags it ({version}, sha-{git.short}), pushes
# it, signs it with a freshly generated cosign key and records it in the
# ledger; then berth verifies the signature, shows what was released, and
# ends with the Kubernetes and Micros deploy plans for that release
# (--dry-run: no cluster or atlas CLI is needed, nothing is applied).
# Nothing leaves this machine; the registry is stopped at the end.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash third_party/install-deps.sh --demo
# Only what the demo runs: berth and its plugins, not the test suite (in a
# build directory of its own, so a developer's test build is left as it is).
cmake -S . -B build-examples -G Ninja -DCMAKE_BUILD_TYPE=Release -DBERTH_BUILD_TESTS=OFF >/dev/null
cmake --build build-examples -j "$(nproc)" >&2
berth=$root/build-examples/bin/berth

# A private home so the demo never touches the user's plugins, keys or logins.
demo=$(mktemp -d /tmp/berth-demo.XXXXXX)
registry_pid=""
cleanup() {
  if [[ -n $registry_pid ]]; then
    kill "$registry_pid" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$registry_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$registry_pid" 2>/dev/null || true
  fi
  rm -rf "$demo"
}
trap cleanup EXIT
export HOME=$demo XDG_DATA_HOME=$demo/data XDG_CONFIG_HOME=$demo/config DOCKER_CONFIG=$demo/docker

# A local registry on a free port.
cat > "$demo/registry.yml" <<YAML
version: 0.1
storage:
  filesystem: {rootdirectory: $demo/registry-data}
  delete: {enabled: true}
http: {addr: "127.0.0.1:0", secret: demo-$RANDOM}
log: {level: info}
YAML
docker-registry serve "$demo/registry.yml" >"$demo/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do
  port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$demo/registry.log" | head -n1 | cut -d: -f2 || true)
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n ${port:-} ]] || { echo "docker-registry did not start:" >&2; cat "$demo/registry.log" >&2; exit 1; }
registry=127.0.0.1:$port

# The example project, pointed at that registry, signing with a new key.
cp -r examples/hello "$demo/hello"
cd "$demo/hello"
sed -i "s|127.0.0.1:5000|$registry|g" berth.yaml
printf 'signing:\n  signer: cosign\n  key: cosign.key\n  public_key: cosign.pub\n' >> berth.yaml
export COSIGN_PASSWORD="demo-$RANDOM$RANDOM"

run() { echo; echo "\$ berth $*"; "$berth" "$@"; }
run --version
run plugin list
run keygen
# Release tags name commits (sha-{git.short} refuses to render without one), so
# the copy becomes a git repository with one commit; keygen has already put
# cosign.key into .gitignore.
git init -q
git add -A
git -c user.name=berth-demo -c user.email=demo@berth.invalid commit -q -m "hello, ready for 1.0.0"
# berth.yaml names a signing key, so berth wants to be told the project is
# trusted (as for any clone, after reading berth.yaml).
run trust
run release 1.0.0 --plain-http "$registry"
run tags "$registry/demo/hello" --plain-http "$registry"
run inspect "$registry/demo/hello:1.0.0" --plain-http "$registry"
run verify "$registry/demo/hello:1.0.0" --key cosign.pub --plain-http "$registry"
run history
echo; echo "\$ cat RELEASES.md"; cat RELEASES.md
# The plans must not reach a real cluster or a real atlas the user may have.
export KUBECONFIG=$demo/no-kubeconfig
sed -i "s|      env: ddev|      env: ddev\n      atlas: $demo/no-atlas|" berth.yaml
# A program berth.yaml names is a change that needs trust again.
run trust
run deploy kubernetes --version 1.0.0 --dry-run -o yaml
run deploy micros --version 1.0.0 --dry-run -o yaml
