#!/bin/sh
# Installs the npm peers (jose, jwt-authentication) that the ASAP interop
# tests run, into tests/interop/asap/node_modules, from the committed
# package-lock.json. Runs as the CTest fixture before those tests; fails
# loudly when node or npm is missing so that the tests never pass unrun.
set -eu
cd "$(dirname "$0")"
for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "setup_npm.sh: '$tool' is not installed; the ASAP interop tests need Node.js and npm (apt-get install nodejs npm)" >&2
    exit 1
  fi
done
# npm ci leaves a copy of the lock file it installed; skip when it matches.
if [ -f node_modules/.package-lock.json ] && [ -d node_modules/jose ] && [ -d node_modules/jwt-authentication ] &&
   [ node_modules/.package-lock.json -nt package-lock.json ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
