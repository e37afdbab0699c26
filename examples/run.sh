#!/usr/bin/env bash
# berth's main job on a local default, from a fresh clone: installs what is
# missing, builds berth, and shows what it does with nothing but this machine:
# the installed plugins, and secrets kept by the local file store.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash third_party/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" >&2
berth=build/bin/berth

# A private home so the demo never touches the user's own plugins or secrets.
demo=$(mktemp -d /tmp/berth-demo.XXXXXX)
trap 'rm -rf "$demo"' EXIT
export XDG_DATA_HOME=$demo/data HOME=$demo

echo "\$ berth --version"; $berth --version
echo; echo "\$ berth plugin list"; $berth plugin list
printf 'API_KEY=sk-demo-%s\nDB_URL="postgres://app@localhost/app"\n' "$RANDOM$RANDOM" > "$demo/.env.local"
echo; echo "\$ berth secrets sync dev --from .env.local"; (cd "$demo" && "$root/$berth" secrets sync dev --from .env.local)
echo; echo "\$ berth secrets list dev"; $berth secrets list dev
echo; echo "\$ berth file-secrets where dev"; $berth file-secrets where dev
