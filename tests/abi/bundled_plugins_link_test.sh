#!/bin/sh
# Every bundled plugin links nothing of berth's (no libberth-sdk, no libcurl)
# and leaves no berth symbol for the loader to bind: only the C boundary
# joins a plugin to the host, so a berth or compiler upgrade cannot break it.
# Usage: bundled_plugins_link_test.sh PLUGINS_DIR
set -eu
dir=$1
count=0
failed=0
for library in "$dir"/*/libberth-*.so; do
  count=$((count + 1))
  name=$(basename "$(dirname "$library")")
  needed=$(readelf -d "$library" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  for banned in libberth-sdk libcurl; do
    if printf '%s\n' "$needed" | grep -q "^$banned"; then
      echo "plugin $name links $banned ($library)"
      failed=1
    fi
  done
  undefined=$(nm -D --undefined-only -C "$library" | grep 'berth' || true)
  if [ -n "$undefined" ]; then
    echo "plugin $name leaves berth symbols for the loader ($library):"
    printf '%s\n' "$undefined"
    failed=1
  fi
done
if [ "$count" -lt 8 ]; then
  echo "expected the 8 bundled plugins in $dir, found $count"
  failed=1
fi
exit $failed
