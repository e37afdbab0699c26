#!/usr/bin/env bash
# The signing benchmark: wall time and HTTP requests of `berth sign` and
# `berth verify` against a local docker-registry, beside the floor: the same
# cosign signature written and checked with raw curl and openssl (the fewest
# requests the format allows: one monolithic upload per blob, the manifest,
# and for verify the signature manifest and its layer). Debian's skopeo has
# its sigstore signing compiled out ("Debian-local change: sigstore
# disabled"), and cosign is not packaged, so no other signer runs here.
#
#   bench/signing/run.sh [--berth build/bin/berth] [--runs 5] [--workdir DIR]
#
# Requests are counted from docker-registry's own access log, per command.
# Each figure is the median of --runs runs. Prints a Markdown table.
set -euo pipefail

runs=5
source "$(dirname "$0")/../lib.sh"
bench_init "$@"
bench_require docker-registry curl openssl awk sha256sum /usr/bin/python3

# Info level with the text access log: requests are counted from it.
bench_start_registry registry "{level: info, formatter: text}"
R=$(bench_registry_host registry)

export HOME=$work/home DOCKER_CONFIG=$work/home/docker XDG_CONFIG_HOME=$work/home/config
mkdir -p "$HOME"
password_file=$work/password
printf 'bench-%s' "$RANDOM$RANDOM" >"$password_file"
chmod 600 "$password_file"
export COSIGN_PASSWORD
COSIGN_PASSWORD=$(cat "$password_file")

# A fresh small image for every run, so each sign is a first signature (the
# cost of a signature does not depend on the image's size).
new_image() {
  rm -rf "$work/image"
  /usr/bin/python3 "$repo/bench/registry/make_image.py" "$work/image" --layers 2 --layer-size $((1 << 20)) --tag v1 --seed "$1" >/dev/null
  "$berth" push "oci:$work/image:v1" "$R/bench/app:$1" --plain-http "$R" -q >/dev/null
  digest=$("$berth" digest "$R/bench/app:$1" --plain-http "$R")
  raw_tag=sha256-${digest#sha256:}.raw
}
(cd "$work" && "$berth" cosign generate-key-pair -q >/dev/null)
key=$work/cosign.key
pub=$work/cosign.pub

# The raw floor signs with an unencrypted P-256 key of its own (openssl).
openssl ecparam -name prime256v1 -genkey -noout -out "$work/raw.key" 2>/dev/null
openssl ec -in "$work/raw.key" -pubout -out "$work/raw.pub" 2>/dev/null

# raw_upload FILE MEDIA: one monolithic upload (POST, then PUT with the digest).
raw_upload() {
  local file=$1 sum location
  sum=sha256:$(sha256sum "$file" | cut -d' ' -f1)
  location=$(curl -sf -X POST -D - -o /dev/null "http://$R/v2/bench/app/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
  case "$location" in http*) ;; *) location="http://$R$location" ;; esac
  case "$location" in *\?*) location="$location&" ;; *) location="$location?" ;; esac
  curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$file" "${location}digest=$sum" >/dev/null
  echo "$sum $(stat -c %s "$file")"
}
raw_sign() {
  local payload=$work/raw.payload sig config manifest layer cfg
  printf '{"critical":{"identity":{"docker-reference":"%s/bench/app"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}' \
    "$R" "$digest" >"$payload"
  sig=$(openssl dgst -sha256 -sign "$work/raw.key" "$payload" | base64 -w0)
  layer=$(raw_upload "$payload")
  printf '{"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":["%s"]}}' "${layer% *}" >"$work/raw.config"
  cfg=$(raw_upload "$work/raw.config")
  manifest=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"%s","size":%s,"annotations":{"dev.cosignproject.cosign/signature":"%s"}}]}' \
    "${cfg% *}" "${cfg#* }" "${layer% *}" "${layer#* }" "$sig")
  curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "$manifest" \
    "http://$R/v2/bench/app/manifests/$raw_tag" >/dev/null
}
raw_verify() {
  local manifest layer sig
  manifest=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$R/v2/bench/app/manifests/$raw_tag")
  layer=$(printf '%s' "$manifest" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"])')
  sig=$(printf '%s' "$manifest" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["annotations"]["dev.cosignproject.cosign/signature"])')
  curl -sf "http://$R/v2/bench/app/blobs/$layer" -o "$work/raw.fetched"
  printf '%s' "$sig" | base64 -d >"$work/raw.sig"
  openssl dgst -sha256 -verify "$work/raw.pub" -signature "$work/raw.sig" "$work/raw.fetched" >/dev/null
}

requests() { grep -acE '"(GET|HEAD|POST|PUT|PATCH|DELETE) /v2' "$work/registry/log" || true; }
# measure KEY CMD...: one run; appends "seconds requests" to $work/m/KEY.
measure() {
  local key=$1; shift
  local before after start end
  before=$(requests)
  start=$(date +%s.%N)
  if ! "$@" >"$work/out.txt" 2>"$work/err.txt"; then echo "FAILED: $*" >&2; cat "$work/err.txt" >&2; exit 1; fi
  end=$(date +%s.%N)
  sleep 0.2  # The access log line of the last response may trail the client by a moment.
  after=$(requests)
  echo "$(awk "BEGIN{print $end - $start}") $((after - before))" >>"$work/m/$key"
}

for run in $(seq "$runs"); do
  echo "run $run of $runs ..." >&2
  new_image "$run"
  measure sign.berth "$berth" sign "$R/bench/app@$digest" --key "$key" --plain-http "$R" -q
  measure verify.berth "$berth" verify "$R/bench/app@$digest" --key "$pub" --plain-http "$R" -q
  measure sign.raw raw_sign
  measure unlock.berth "$berth" cosign public-key --key "$key"
  measure verify.raw raw_verify
done

/usr/bin/python3 - "$work/m" "$runs" <<'PY'
import os, statistics, sys
m, runs = sys.argv[1], sys.argv[2]
def load(key):
    rows = [line.split() for line in open(os.path.join(m, key))]
    return statistics.median(float(r[0]) for r in rows), statistics.median(int(r[1]) for r in rows)
print(f"| command | wall (median of {runs}) | HTTP requests |")
print("|---|---|---|")
for key, label in [("sign.berth", "`berth sign`"),
                   ("unlock.berth", "of which: decrypting cosign.key (`berth cosign public-key`; scrypt N=32768 as cosign)"),
                   ("sign.raw", "raw floor: openssl + curl (2 uploads, 1 manifest PUT; unencrypted key)"),
                   ("verify.berth", "`berth verify`"), ("verify.raw", "raw floor: curl (manifest, layer) + openssl")]:
    wall, requests = load(key)
    print(f"| {label} | {wall * 1000:.0f} ms | {requests} |")
PY
