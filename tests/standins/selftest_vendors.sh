#!/usr/bin/env bash
# Self-test of the vendor stand-ins (GitHub API, Google APIs, atlas CLI): drives every endpoint the way a client
# would, with curl and small /usr/bin/python3 helpers that seal boxes (libsodium) and sign JWTs (OpenSSL), all on
# 127.0.0.1. Where a real client exists on the machine (Google's google-auth library from the Cloud SDK package) it is
# used as a fidelity check too. Prints "N passed, N failed" and exits non-zero on any failure.
#
# Usage: tests/standins/selftest_vendors.sh [-v]
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
HELPER="$here/selftest_vendors_helper.py"
verbose=0
[[ "${1:-}" == "-v" ]] && verbose=1
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

work=$(mktemp -d /tmp/selftest-vendors.XXXXXX)
pids=()
passed=0
failed=0
skipped=0

cleanup() {
  exec 7>&- 2>/dev/null
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

# Servers read stdin from this FIFO with --exit-on-stdin-eof: when this shell dies, they see EOF and stop.
mkfifo "$work/keepalive"
exec 7<>"$work/keepalive"

ok() { passed=$((passed + 1)); [[ $verbose == 1 ]] && echo "ok   - $1"; return 0; }
fail() { failed=$((failed + 1)); echo "FAIL - $1${2:+: $2}"; return 0; }
skip() { skipped=$((skipped + 1)); echo "skip - $1${2:+: $2}"; return 0; }
check() {  # name expected actual
  if [[ "$3" == "$2" ]]; then ok "$1"; else fail "$1" "expected [$2], got [$3]"; fi
}
check_has() {  # name needle haystack
  if [[ "$3" == *"$2"* ]]; then ok "$1"; else fail "$1" "[$2] not in [$(printf '%.300s' "$3")]"; fi
}
check_lacks() {  # name needle haystack
  if [[ "$3" != *"$2"* ]]; then ok "$1"; else fail "$1" "[$2] unexpectedly present"; fi
}
jget() { "$PY" "$HELPER" get "$1"; }                  # JSON on stdin
body() { cat "$work/body"; }
bget() { jget "$1" < "$work/body"; }                   # field of the last response body
header() { grep -i "^$1:" "$work/headers" | tail -1 | cut -d: -f2- | sed 's/^ //; s/\r$//'; }
req() {  # METHOD URL [curl args...] -> prints the status; body and headers in $work/body, $work/headers
  local method=$1 url=$2
  shift 2
  curl -sS --noproxy '*' -o "$work/body" -D "$work/headers" -w '%{http_code}' -X "$method" "$url" "$@"
}

start() {  # NAME SCRIPT [ARGS...]: starts a stand-in, waits for its ready line (in $work/NAME.ready)
  local name=$1
  shift
  "$PY" "$@" --exit-on-stdin-eof < "$work/keepalive" > "$work/$name.ready" 2> "$work/$name.log" 7>&- &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 100); do
    [[ $(wc -l < "$work/$name.ready") -ge 1 ]] && break
    sleep 0.1
  done
  if [[ $(wc -l < "$work/$name.ready") -lt 1 ]]; then
    fail "$name starts and prints a ready line" "$(cat "$work/$name.log")"
    return 1
  fi
  check "$name ready line is one JSON line with its pid" "$pid" "$(jget 'd["pid"]' < "$work/$name.ready")"
}
ready() { jget "d[\"$2\"]" < "$work/$1.ready"; }

# ===================================================================================================== GitHub ====
cat > "$work/packages.json" <<'EOF'
{"orgs": {"acme": {
   "team/web": [
     {"id": 501, "name": "sha256:5555555555555555555555555555555555555555555555555555555555555555", "tags": ["v5", "latest"]},
     {"id": 502, "name": "sha256:4444444444444444444444444444444444444444444444444444444444444444", "tags": ["v4"]},
     {"id": 503, "name": "sha256:3333333333333333333333333333333333333333333333333333333333333333", "tags": ["v3"]},
     {"id": 504, "name": "sha256:2222222222222222222222222222222222222222222222222222222222222222", "tags": []},
     {"id": 505, "name": "sha256:1111111111111111111111111111111111111111111111111111111111111111", "tags": ["v1"]}],
   "solo": [{"id": 601, "name": "sha256:6666666666666666666666666666666666666666666666666666666666666666", "tags": ["v1"]}]}},
 "users": {"standin-user": {"tool": [{"id": 701, "name": "sha256:7777777777777777777777777777777777777777777777777777777777777777", "tags": ["t1"]}]},
           "octo": {"lib": [{"id": 801, "name": "sha256:8888888888888888888888888888888888888888888888888888888888888888", "tags": []}]}}}
EOF
start github "$here/github/github_api.py" --packages "$work/packages.json" || exit 1
gh=$(ready github url)
tok=$(ready github token)
auth=(-H "Authorization: Bearer $tok")
versions="$gh/orgs/acme/packages/container/team%2Fweb/versions"

check "github: no token -> 401" 401 "$(req GET "$versions")"
check "github: no token message" "Requires authentication" "$(bget 'd["message"]')"
check "github: bad token -> 401" 401 "$(req GET "$versions" -H "Authorization: Bearer ghp_nope")"
check "github: bad token -> Bad credentials" "Bad credentials" "$(bget 'd["message"]')"
check_has "github: error has documentation_url" "docs.github.com" "$(bget 'd["documentation_url"]')"
check "github: 'token' scheme accepted" 200 "$(req GET "$versions" -H "Authorization: token $tok")"
check "github: no User-Agent -> 403" 403 "$(req GET "$versions" "${auth[@]}" -H 'User-Agent:')"
check "github: unsupported X-GitHub-Api-Version -> 400" 400 \
  "$(req GET "$versions" "${auth[@]}" -H 'X-GitHub-Api-Version: 1999-01-01')"
check "github: X-GitHub-Api-Version 2022-11-28 accepted" 200 \
  "$(req GET "$versions" "${auth[@]}" -H 'X-GitHub-Api-Version: 2022-11-28')"
check_has "github: X-OAuth-Scopes lists the token's scopes" "read:packages" "$(header X-OAuth-Scopes)"

# Pagination: 5 versions, 2 per page.
check "github: page 1 -> 200" 200 "$(req GET "$versions?per_page=2" "${auth[@]}")"
link=$(header Link)
check_has "github: page 1 Link rel=next" "<$versions?per_page=2&page=2>; rel=\"next\"" "$link"
check_has "github: page 1 Link rel=last" "<$versions?per_page=2&page=3>; rel=\"last\"" "$link"
check_lacks "github: page 1 Link has no rel=prev" 'rel="prev"' "$link"
check "github: version object shape" \
  '[501, "sha256:5555555555555555555555555555555555555555555555555555555555555555", "container", ["v5", "latest"]]' \
  "$(bget '[d[0]["id"], d[0]["name"], d[0]["metadata"]["package_type"], d[0]["metadata"]["container"]["tags"]]')"
check "github: version url keeps the encoded name" "$versions/501" "$(bget 'd[0]["url"]')"
check "github: version has created_at/updated_at" "true" "$(bget 'all(k in d[0] for k in ("created_at", "updated_at"))')"
names=""
url="$versions?per_page=2"
for _ in 1 2 3 4; do
  req GET "$url" "${auth[@]}" > /dev/null
  names+="$(bget '" ".join(v["name"][7:8] for v in d)') "
  url=$(header Link | tr ',' '\n' | grep 'rel="next"' | sed 's/.*<\(.*\)>.*/\1/')
  [[ -z "$url" ]] && break
done
check "github: following rel=next visits every version once, newest first" "5 4 3 2 1 " "$(echo $names) "
req GET "$versions?per_page=2&page=3" "${auth[@]}" > /dev/null
link=$(header Link)
check_has "github: last page Link rel=prev" "page=2>; rel=\"prev\"" "$link"
check_has "github: last page Link rel=first" "page=1>; rel=\"first\"" "$link"
check_lacks "github: last page has no rel=next" 'rel="next"' "$link"
check "github: single page has no Link header" "" "$(req GET "$versions" "${auth[@]}" > /dev/null; header Link)"
check "github: unencoded nested name is not a package path" 404 \
  "$(req GET "$gh/orgs/acme/packages/container/team/web/versions" "${auth[@]}")"
check "github: unknown package -> 404" 404 "$(req GET "$gh/orgs/acme/packages/container/nope/versions" "${auth[@]}")"
check "github: unknown package message" "Package not found." "$(bget 'd["message"]')"
check "github: /user/packages uses the token's login" 200 "$(req GET "$gh/user/packages/container/tool/versions" "${auth[@]}")"
check "github: /user/packages version" 701 "$(bget 'd[0]["id"]')"
check "github: /users/{user}/packages" 801 \
  "$(req GET "$gh/users/octo/packages/container/lib/versions" "${auth[@]}" > /dev/null; bget 'd[0]["id"]')"
check "github: GET one version" 200 "$(req GET "$versions/503" "${auth[@]}")"

# Scopes: a token with read:packages only may list but not delete.
req POST "$gh/_standin/tokens" -d '{"ghp_readonly": {"login": "reader", "scopes": ["read:packages"]}}' > /dev/null
check "github: read-only token lists" 200 "$(req GET "$versions" -H "Authorization: Bearer ghp_readonly")"
check "github: read-only token cannot delete -> 403" 403 "$(req DELETE "$versions/504" -H "Authorization: Bearer ghp_readonly")"
check_has "github: 403 names accepted scopes" "delete:packages" "$(header X-Accepted-OAuth-Scopes)"
check "github: write:packages implies read:packages" 200 "$(
  req POST "$gh/_standin/tokens" -d '{"ghp_writer": {"login": "w", "scopes": ["write:packages"]}}' > /dev/null
  req GET "$versions" -H "Authorization: Bearer ghp_writer")"

# Delete.
check "github: DELETE version -> 204" 204 "$(req DELETE "$versions/504" "${auth[@]}")"
check "github: deleted version gone from the list" "false" \
  "$(req GET "$versions" "${auth[@]}" > /dev/null; bget 'any(v["id"] == 504 for v in d)')"
check "github: state=deleted lists it" "[504]" "$(req GET "$versions?state=deleted" "${auth[@]}" > /dev/null; bget '[v["id"] for v in d]')"
check "github: DELETE again -> 404" 404 "$(req DELETE "$versions/504" "${auth[@]}")"
check "github: DELETE unknown id -> 404" 404 "$(req DELETE "$versions/999999" "${auth[@]}")"
check "github: 404 body is GitHub's" "Not Found" "$(bget 'd["message"]')"
check "github: control view shows the deletion" "true" \
  "$(req GET "$gh/_standin/packages" > /dev/null; bget '[v for v in d["orgs"]["acme"]["team/web"] if v["id"] == 504][0]["deleted"]')"
check "github: last version of a package cannot be deleted -> 400" 400 \
  "$(req DELETE "$gh/orgs/acme/packages/container/solo/versions/601" "${auth[@]}")"
check "github: POST /_standin/packages reseeds" 200 "$(req POST "$gh/_standin/packages" \
  -d '{"orgs": {"acme": {"new": [{"name": "sha256:aa", "tags": ["x"]}, {"name": "sha256:bb"}]}}}')"
check "github: reseeded package listed" '["sha256:aa", "sha256:bb"]' \
  "$(req GET "$gh/orgs/acme/packages/container/new/versions" "${auth[@]}" > /dev/null; bget '[v["name"] for v in d]')"

# Actions secrets.
secrets="$gh/repos/acme/web/actions/secrets"
check "github: public-key -> 200" 200 "$(req GET "$secrets/public-key" "${auth[@]}")"
key_id=$(bget 'd["key_id"]')
pub=$(bget 'd["key"]')
check "github: public key is 32 bytes of base64" 32 "$(echo "\"$pub\"" | jget 'len(__import__("base64").b64decode(d))')"
check "github: public-key key_id matches the ready line" "$(ready github secrets_key_id)" "$key_id"
keyfile=$(ready github secrets_key_file)
check "github: private key file is 0600" 600 "$(stat -c %a "$keyfile")"
sealed=$(printf 's3cret-value' | "$PY" "$HELPER" seal "$pub")
check "github: PUT new secret -> 201" 201 "$(req PUT "$secrets/db_password" "${auth[@]}" \
  -d "{\"encrypted_value\": \"$sealed\", \"key_id\": \"$key_id\"}")"
check "github: stand-in decrypted the sealed box" "s3cret-value" \
  "$(req GET "$gh/_standin/secrets" > /dev/null; bget '[s["value"] for s in d if s["name"] == "DB_PASSWORD"][0]')"
check "github: key file opens boxes sealed to the public key" "s3cret-value" \
  "$("$PY" "$HELPER" open "$keyfile" "$sealed")"
sealed2=$(printf 'rotated' | "$PY" "$HELPER" seal "$pub")
check "github: PUT existing secret -> 204" 204 "$(req PUT "$secrets/DB_PASSWORD" "${auth[@]}" \
  -d "{\"encrypted_value\": \"$sealed2\", \"key_id\": \"$key_id\"}")"
check "github: updated value" "rotated" \
  "$(req GET "$gh/_standin/secrets" > /dev/null; bget '[s["value"] for s in d if s["name"] == "DB_PASSWORD"][0]')"
check "github: wrong key_id -> 422" 422 "$(req PUT "$secrets/X1" "${auth[@]}" \
  -d "{\"encrypted_value\": \"$sealed\", \"key_id\": \"123\"}")"
check "github: value not a sealed box -> 422" 422 "$(req PUT "$secrets/X1" "${auth[@]}" \
  -d "{\"encrypted_value\": \"$(printf 'plain text, not sealed' | base64 -w0)\", \"key_id\": \"$key_id\"}")"
check "github: missing key_id -> 422" 422 "$(req PUT "$secrets/X1" "${auth[@]}" -d "{\"encrypted_value\": \"$sealed\"}")"
check "github: malformed JSON -> 400" 400 "$(req PUT "$secrets/X1" "${auth[@]}" -d '{not json')"
check "github: invalid secret name -> 422" 422 "$(req PUT "$secrets/GITHUB_TOKEN" "${auth[@]}" \
  -d "{\"encrypted_value\": \"$sealed\", \"key_id\": \"$key_id\"}")"
check "github: secrets need the repo scope" 403 "$(req GET "$secrets" -H "Authorization: Bearer ghp_readonly")"
for name in ALPHA BETA; do
  req PUT "$secrets/$name" "${auth[@]}" -d "{\"encrypted_value\": \"$sealed\", \"key_id\": \"$key_id\"}" > /dev/null
done
check "github: list secrets" '[3, ["ALPHA", "BETA"]]' \
  "$(req GET "$secrets?per_page=2" "${auth[@]}" > /dev/null; bget '[d["total_count"], [s["name"] for s in d["secrets"]]]')"
check_has "github: secrets list paginates" "page=2>; rel=\"next\"" "$(header Link)"
check "github: GET one secret" "DB_PASSWORD" "$(req GET "$secrets/DB_PASSWORD" "${auth[@]}" > /dev/null; bget 'd["name"]')"
check "github: DELETE secret -> 204" 204 "$(req DELETE "$secrets/BETA" "${auth[@]}")"
check "github: DELETE missing secret -> 404" 404 "$(req DELETE "$secrets/BETA" "${auth[@]}")"
envsec="$gh/repos/acme/web/environments/prod/secrets"
check "github: environment public-key" "$key_id" "$(req GET "$envsec/public-key" "${auth[@]}" > /dev/null; bget 'd["key_id"]')"
check "github: PUT environment secret -> 201" 201 "$(req PUT "$envsec/API_KEY" "${auth[@]}" \
  -d "{\"encrypted_value\": \"$sealed\", \"key_id\": \"$key_id\"}")"
check "github: environment secrets listed apart" '["API_KEY"]' \
  "$(req GET "$envsec" "${auth[@]}" > /dev/null; bget '[s["name"] for s in d["secrets"]]')"
check "github: control view names the environment" "prod" \
  "$(req GET "$gh/_standin/secrets" > /dev/null; bget '[s["environment"] for s in d if s["name"] == "API_KEY"][0]')"
check "github: DELETE environment secret -> 204" 204 "$(req DELETE "$envsec/API_KEY" "${auth[@]}")"
req POST "$gh/_standin/rotate-secrets-key" > /dev/null
check "github: after key rotation the old key_id -> 422" 422 "$(req PUT "$secrets/ALPHA" "${auth[@]}" \
  -d "{\"encrypted_value\": \"$sealed\", \"key_id\": \"$key_id\"}")"

# The journal records requests, without tokens.
req GET "$gh/_standin/requests" > /dev/null
check "github: journal records requests" "true" "$(bget 'any(e["method"] == "DELETE" and e["path"].endswith("/versions/504") and e["status"] == 204 for e in d)')"
check "github: journal records the login" "standin-user" "$(bget '[e["login"] for e in d if e["status"] == 204][0]')"
check_lacks "github: journal holds no token" "$tok" "$(body)"
check "github: DELETE /_standin/requests clears the journal" "0" \
  "$(req DELETE "$gh/_standin/requests" > /dev/null; req GET "$gh/_standin/requests" > /dev/null; bget 'len(d)')"

# Rate limits: a second instance with a tokens file, limited after 3 requests.
echo '{"ghp_limited": {"login": "rl", "scopes": ["read:packages"]}}' > "$work/tokens.json"
start github_rl "$here/github/github_api.py" --tokens "$work/tokens.json" --packages "$work/packages.json" \
  --rate-limit-after 3 || exit 1
check "github(rl): no default token with --tokens" "false" "$(jget '"token" in d' < "$work/github_rl.ready")"
rl="$(ready github_rl url)/orgs/acme/packages/container/team%2Fweb/versions"
rla=(-H "Authorization: Bearer ghp_limited")
codes=""
for _ in 1 2 3; do codes+="$(req GET "$rl" "${rla[@]}") "; done
check "github(rl): first 3 requests pass" "200 200 200 " "$codes"
check "github(rl): 4th -> 403 primary limit" 403 "$(req GET "$rl" "${rla[@]}")"
check "github(rl): X-RateLimit-Remaining: 0" 0 "$(header X-RateLimit-Remaining)"
reset=$(header X-RateLimit-Reset)
now=$(date +%s)
if [[ "$reset" =~ ^[0-9]+$ ]] && (( reset >= now && reset <= now + 2 )); then ok "github(rl): X-RateLimit-Reset ~ now+1"
else fail "github(rl): X-RateLimit-Reset ~ now+1" "reset=$reset now=$now"; fi
check "github(rl): still limited before the reset" 403 "$(req GET "$rl" "${rla[@]}")"
while (( $(date +%s) < reset )); do sleep 0.1; done
sleep 0.05
codes=""
for _ in 1 2 3; do codes+="$(req GET "$rl" "${rla[@]}") "; done
check "github(rl): recovers after the reset" "200 200 200 " "$codes"
check "github(rl): next limit is secondary -> 429" 429 "$(req GET "$rl" "${rla[@]}")"
check "github(rl): Retry-After: 1" 1 "$(header Retry-After)"
check_has "github(rl): secondary limit message" "secondary rate limit" "$(bget 'd["message"]')"
sleep 1.1
check "github(rl): recovers after Retry-After" 200 "$(req GET "$rl" "${rla[@]}")"

# Process contract: SIGTERM stops it and removes its temp dir; stdin EOF stops an --exit-on-stdin-eof instance.
rl_pid=$(ready github_rl pid)
rl_key=$(ready github_rl secrets_key_file)
kill "$rl_pid"
for _ in $(seq 1 50); do kill -0 "$rl_pid" 2>/dev/null || break; sleep 0.1; done
check "github(rl): SIGTERM stops it" "gone" "$(kill -0 "$rl_pid" 2>/dev/null && echo running || echo gone)"
check "github(rl): temp dir removed on exit" "gone" "$([[ -e "$(dirname "$rl_key")" ]] && echo present || echo gone)"
coproc EOFTEST { exec "$PY" "$here/github/github_api.py" --exit-on-stdin-eof 2>/dev/null; }
eof_pid=$EOFTEST_PID
read -r -t 10 eof_ready <&"${EOFTEST[0]}"
check "github: ready line over a pipe" "$eof_pid" "$(echo "$eof_ready" | jget 'd["pid"]')"
eval "exec ${EOFTEST[1]}>&-"
for _ in $(seq 1 50); do kill -0 "$eof_pid" 2>/dev/null || break; sleep 0.1; done
check "github: exits when stdin closes" "gone" "$(kill -0 "$eof_pid" 2>/dev/null && echo running || echo gone)"

# ===================================================================================================== Google ====
cat > "$work/images.json" <<'EOF'
{"repositories": ["projects/berth-standin/locations/us-west1/repositories/empty"],
 "images": [
  {"project": "berth-standin", "location": "us-west1", "repository": "apps", "image": "team/web", "digest": "sha256:aaaa", "tags": ["v3", "latest"], "imageSizeBytes": 1000},
  {"project": "berth-standin", "location": "us-west1", "repository": "apps", "image": "team/web", "digest": "sha256:bbbb", "tags": ["v2"], "imageSizeBytes": 2000},
  {"project": "berth-standin", "location": "us-west1", "repository": "apps", "image": "team/web", "digest": "sha256:cccc", "tags": [], "imageSizeBytes": 3000},
  {"project": "berth-standin", "location": "us-west1", "repository": "apps", "image": "api", "digest": "sha256:dddd", "tags": ["v1"], "imageSizeBytes": 4000},
  {"project": "other-project", "location": "us-west1", "repository": "apps", "image": "x", "digest": "sha256:eeee", "tags": []}]}
EOF
start google "$here/google/google_apis.py" --images "$work/images.json" || exit 1
g=$(ready google url)
token_uri=$(ready google token_uri)
sakey=$(ready google key_file)
check "google: key file is 0600" 600 "$(stat -c %a "$sakey")"
check "google: key file names this token_uri" "$token_uri" "$(jget 'd["token_uri"]' < "$sakey")"
check "google: key file is a service_account key" "service_account" "$(jget 'd["type"]' < "$sakey")"
check "google: key file private_key_id matches the ready line" "$(ready google private_key_id)" \
  "$(jget 'd["private_key_id"]' < "$sakey")"
grant=(--data-urlencode "grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer")
token_req() { req POST "$token_uri" "${grant[@]}" --data-urlencode "assertion=$("$PY" "$HELPER" jwt "$sakey" "$@")"; }
check "google: valid assertion -> 200" 200 "$(token_req)"
check "google: token response" '["Bearer", 3599, true]' \
  "$(bget '[d["token_type"], d["expires_in"], d["access_token"].startswith("ya29.")]')"
gtok=$(bget 'd["access_token"]')
check "google: wrong aud -> 400" 400 "$(token_req --aud https://oauth2.example.invalid/token)"
check "google: wrong aud -> invalid_grant" "invalid_grant" "$(bget 'd["error"]')"
check_has "google: wrong aud description" "audience" "$(bget 'd["error_description"]')"
check "google: Google's documented aud accepted" 200 "$(token_req --aud https://oauth2.googleapis.com/token)"
req POST "$g/_standin/config" -d '{"strict_aud": true}' > /dev/null
check "google: strict aud rejects Google's aud" "400 invalid_grant" \
  "$(token_req --aud https://oauth2.googleapis.com/token) $(bget 'd["error"]')"
check "google: strict aud takes the token_uri" 200 "$(token_req)"
req POST "$g/_standin/config" -d '{"strict_aud": false}' > /dev/null
check "google: expired -> invalid_grant" "400 invalid_grant" "$(token_req --iat-offset -7200) $(bget 'd["error"]')"
check_has "google: expired description" "iat and exp" "$(bget 'd["error_description"]')"
check "google: lifetime 3601 s -> invalid_grant" "400 invalid_grant" "$(token_req --lifetime 3601) $(bget 'd["error"]')"
check "google: lifetime 3600 s accepted" 200 "$(token_req --lifetime 3600)"
check "google: iat far in the future -> invalid_grant" "400 invalid_grant" \
  "$(token_req --iat-offset 600) $(bget 'd["error"]')"
check "google: wrong key -> invalid_grant" "400 invalid_grant" "$(token_req --wrong-key) $(bget 'd["error"]')"
check "google: wrong key description" "Invalid JWT Signature." "$(bget 'd["error_description"]')"
check "google: wrong kid -> invalid_grant" "400 invalid_grant" "$(token_req --kid 0000) $(bget 'd["error"]')"
check "google: no scope -> invalid_scope" "400 invalid_scope" "$(token_req --scope '') $(bget 'd["error"]')"
check "google: unsupported grant_type" "400 unsupported_grant_type" \
  "$(req POST "$token_uri" --data-urlencode grant_type=password) $(bget 'd["error"]')"
check "google: tampered assertion -> invalid_grant" "400 invalid_grant" "$(req POST "$token_uri" "${grant[@]}" \
  --data-urlencode "assertion=$("$PY" "$HELPER" jwt "$sakey" | sed 's/\.[^.]*$/.AAAA/')") $(bget 'd["error"]')"
req GET "$g/_standin/requests" > /dev/null
check "google: journal keeps the assertion's claims" "$token_uri" "$(bget '[e for e in d if e["path"] == "/token"][0]["jwt"]["claims"]["aud"]')"
check "google: journal drops the assertion itself" "<redacted jwt>" "$(bget '[e for e in d if e["path"] == "/token"][0]["body"]["assertion"]')"

# Metadata server.
mdtoken="$g/computeMetadata/v1/instance/service-accounts/default/token"
check "google: metadata without Metadata-Flavor -> 403" 403 "$(req GET "$mdtoken")"
check "google: metadata with Metadata-Flavor -> 200" 200 "$(req GET "$mdtoken" -H 'Metadata-Flavor: Google')"
check "google: metadata answers with Metadata-Flavor" "Google" "$(header Metadata-Flavor)"
check "google: metadata token fields" '["Bearer", true]' "$(bget '[d["token_type"], d["expires_in"] > 0]')"
mtok=$(bget 'd["access_token"]')
check "google: metadata wrong flavor -> 403" 403 "$(req GET "$mdtoken" -H 'Metadata-Flavor: Amazon')"
check "google: metadata email" "$(ready google client_email)" \
  "$(req GET "$g/computeMetadata/v1/instance/service-accounts/default/email" -H 'Metadata-Flavor: Google' > /dev/null; body)"

# Artifact Registry.
images="$g/v1/projects/berth-standin/locations/us-west1/repositories/apps/dockerImages"
check "google: AR without token -> 401" 401 "$(req GET "$images")"
check "google: AR 401 is a Google error" "UNAUTHENTICATED" "$(bget 'd["error"]["status"]')"
check "google: AR unknown token -> 401" 401 "$(req GET "$images" -H "Authorization: Bearer ya29.bogus")"
check "google: AR with a jwt-bearer token -> 200" 200 "$(req GET "$images?pageSize=2" -H "Authorization: Bearer $gtok")"
check "google: AR page 1" '["team%2Fweb@sha256:aaaa", "team%2Fweb@sha256:bbbb"]' \
  "$(bget '[i["name"].split("/dockerImages/")[1] for i in d["dockerImages"]]')"
check "google: AR image fields" \
  '["us-west1-docker.pkg.dev/berth-standin/apps/team/web@sha256:aaaa", ["v3", "latest"], "1000", true]' \
  "$(bget '[d["dockerImages"][0][k] for k in ("uri", "tags", "imageSizeBytes")] + [all(k in d["dockerImages"][0] for k in ("uploadTime", "mediaType", "buildTime"))]')"
next=$(bget 'd.get("nextPageToken", "")')
check "google: AR page 1 has nextPageToken" "yes" "$([[ -n "$next" ]] && echo yes || echo no)"
check "google: AR page 2 with the metadata token" 200 \
  "$(req GET "$images?pageSize=2&pageToken=$next" -H "Authorization: Bearer $mtok")"
check "google: AR page 2" '[["sha256:cccc", "sha256:dddd"], false]' \
  "$(bget '[[i["name"].split("@")[1] for i in d["dockerImages"]], "nextPageToken" in d]')"
check "google: AR bad pageToken -> 400 INVALID_ARGUMENT" "400 INVALID_ARGUMENT" \
  "$(req GET "$images?pageToken=garbage" -H "Authorization: Bearer $gtok") $(bget 'd["error"]["status"]')"
check "google: AR other project -> 403 PERMISSION_DENIED" "403 PERMISSION_DENIED" \
  "$(req GET "$g/v1/projects/other-project/locations/us-west1/repositories/apps/dockerImages" \
     -H "Authorization: Bearer $gtok") $(bget 'd["error"]["status"]')"
check "google: AR unknown repository -> 404 NOT_FOUND" "404 NOT_FOUND" \
  "$(req GET "$g/v1/projects/berth-standin/locations/us-west1/repositories/nope/dockerImages" \
     -H "Authorization: Bearer $gtok") $(bget 'd["error"]["status"]')"
check "google: AR empty repository -> 200 without dockerImages" "200 false" \
  "$(req GET "$g/v1/projects/berth-standin/locations/us-west1/repositories/empty/dockerImages" \
     -H "Authorization: Bearer $gtok") $(bget '"dockerImages" in d')"
req GET "$mdtoken?scopes=https://www.googleapis.com/auth/userinfo.email" -H 'Metadata-Flavor: Google' > /dev/null
narrow=$(bget 'd["access_token"]')
check "google: AR token without cloud-platform scope -> 403" "403 PERMISSION_DENIED" \
  "$(req GET "$images" -H "Authorization: Bearer $narrow") $(bget 'd["error"]["status"]')"
check "google: POST /_standin/images reseeds" 200 "$(req POST "$g/_standin/images" \
  -d '{"images": [{"project": "berth-standin", "location": "europe", "repository": "r2", "image": "i", "digest": "sha256:ffff"}]}')"
check "google: reseeded repository listed" '["sha256:ffff"]' "$(req GET \
  "$g/v1/projects/berth-standin/locations/europe/repositories/r2/dockerImages" -H "Authorization: Bearer $gtok" > /dev/null
  bget '[i["name"].split("@")[1] for i in d["dockerImages"]]')"
req POST "$g/_standin/images" --data-binary "@$work/images.json" > /dev/null
req POST "$g/_standin/config" -d '{"rate_limit_after": 2}' > /dev/null
codes=""
for _ in 1 2 3; do codes+="$(req GET "$images" -H "Authorization: Bearer $gtok") "; done
check "google: --rate-limit-after 2 -> 429 on the 3rd call" "200 200 429 " "$codes"
check "google: 429 is RESOURCE_EXHAUSTED with Retry-After: 1" "RESOURCE_EXHAUSTED 1" \
  "$(bget 'd["error"]["status"]') $(header Retry-After)"
sleep 1.1
check "google: recovers after Retry-After" 200 "$(req GET "$images" -H "Authorization: Bearer $gtok")"
req POST "$g/_standin/config" -d '{"rate_limit_after": null}' > /dev/null

# Secret Manager.
sm="$g/v1/projects/berth-standin/secrets"
sma=(-H "Authorization: Bearer $gtok" -H "Content-Type: application/json")
number=$(ready google project_number)
check "google: SM create -> 200" 200 "$(req POST "$sm?secretId=db-password" "${sma[@]}" -d '{"replication": {"automatic": {}}}')"
check "google: SM secret name uses the project number" "projects/$number/secrets/db-password" "$(bget 'd["name"]')"
check "google: SM create again -> 409 ALREADY_EXISTS" "409 ALREADY_EXISTS" \
  "$(req POST "$sm?secretId=db-password" "${sma[@]}" -d '{"replication": {"automatic": {}}}') $(bget 'd["error"]["status"]')"
check "google: SM create without replication -> 400" 400 "$(req POST "$sm?secretId=x" "${sma[@]}" -d '{}')"
check "google: SM create with a bad secretId -> 400" 400 \
  "$(req POST "$sm?secretId=bad%2Fid" "${sma[@]}" -d '{"replication": {"automatic": {}}}')"
read -r vector_crc vector_impl < <(printf '123456789' | "$PY" "$HELPER" crc32c)
check "google: reference CRC-32C check value ($vector_impl)" 3808858755 "$vector_crc"
value='p@ss w0rd with spaces'
read -r crc crc_impl < <(printf '%s' "$value" | "$PY" "$HELPER" crc32c)
data=$(printf '%s' "$value" | base64 -w0)
check "google: SM addVersion with the right crc32c -> 200" 200 "$(req POST "$sm/db-password:addVersion" "${sma[@]}" \
  -d "{\"payload\": {\"data\": \"$data\", \"dataCrc32c\": \"$crc\"}}")"
check "google: SM version" "[\"projects/$number/secrets/db-password/versions/1\", \"ENABLED\", true]" \
  "$(bget '[d["name"], d["state"], d["clientSpecifiedPayloadChecksum"]]')"
check "google: SM addVersion with a wrong crc32c -> 400" "400 INVALID_ARGUMENT" \
  "$(req POST "$sm/db-password:addVersion" "${sma[@]}" \
     -d "{\"payload\": {\"data\": \"$data\", \"dataCrc32c\": \"$((crc ^ 1))\"}}") $(bget 'd["error"]["status"]')"
check "google: SM addVersion with %3A -> 200" 200 "$(req POST "$sm/db-password%3AaddVersion" "${sma[@]}" \
  -d "{\"payload\": {\"data\": \"$(printf v2 | base64 -w0)\"}}")"
check "google: SM access latest -> 200" 200 "$(req GET "$sm/db-password/versions/latest:access" "${sma[@]}")"
check "google: SM latest is version 2" "projects/$number/secrets/db-password/versions/2" "$(bget 'd["name"]')"
req GET "$sm/db-password/versions/1:access" "${sma[@]}" > /dev/null
check "google: SM access returns the value" "$value" "$(bget '__import__("base64").b64decode(d["payload"]["data"]).decode()')"
check "google: SM access returns the crc32c ($crc_impl agrees)" "$crc" "$(bget 'd["payload"]["dataCrc32c"]')"
check "google: SM addVersion to a missing secret -> 404" 404 "$(req POST "$sm/nope:addVersion" "${sma[@]}" \
  -d "{\"payload\": {\"data\": \"$data\"}}")"
req POST "$sm?secretId=api-key" "${sma[@]}" -d '{"replication": {"automatic": {}}}' > /dev/null
check "google: SM list" '[2, ["api-key", "db-password"]]' \
  "$(req GET "$sm" "${sma[@]}" > /dev/null; bget '[d["totalSize"], [s["name"].split("/")[-1] for s in d["secrets"]]]')"
req GET "$sm?pageSize=1" "${sma[@]}" > /dev/null
smnext=$(bget 'd["nextPageToken"]')
check "google: SM list page 2 by pageToken" '["db-password"]' \
  "$(req GET "$sm?pageSize=1&pageToken=$smnext" "${sma[@]}" > /dev/null; bget '[s["name"].split("/")[-1] for s in d["secrets"]]')"
check "google: SM project number works in the URL" 200 "$(req GET "$g/v1/projects/$number/secrets/api-key" "${sma[@]}")"
check "google: SM DELETE -> 200" 200 "$(req DELETE "$sm/api-key" "${sma[@]}")"
check "google: SM access after delete -> 404" "404 NOT_FOUND" \
  "$(req GET "$sm/api-key/versions/latest:access" "${sma[@]}") $(bget 'd["error"]["status"]')"
check "google: SM other project -> 403" 403 "$(req GET "$g/v1/projects/other-project/secrets" "${sma[@]}")"
check "google: SM journal redacts payload data" "false" \
  "$(req GET "$g/_standin/requests" > /dev/null; bget 'any("'"$data"'" in __import__("json").dumps(e) for e in d)')"

# A real client: Google's google-auth library (shipped with the Google Cloud CLI package), where installed.
"$PY" "$here/google/check_with_google_auth.py" "$work/google.ready" projects/berth-standin/locations/us-west1/repositories/apps \
  > "$work/google_auth.out" 2> "$work/google_auth.err"
rc=$?
if [[ $rc == 2 ]]; then skip "google: google-auth fidelity check" "google-auth not installed"
elif [[ $rc == 0 ]]; then ok "google: google-auth mints, uses and refreshes tokens against the stand-in"
else fail "google: google-auth fidelity check" "$(cat "$work/google_auth.out" "$work/google_auth.err" | tail -5)"; fi

check "google: revoke-tokens -> old token 401" 401 "$(req POST "$g/_standin/revoke-tokens" > /dev/null
  req GET "$images" -H "Authorization: Bearer $gtok")"

# ====================================================================================================== atlas ====
atlas="$here/atlas/atlas"
export ATLAS_STANDIN_STATE="$work/atlas-state" ATLAS_STANDIN_LOG="$work/atlas.log" SELFTEST_SENTINEL=sentinel-value-xyz
run_atlas() { "$atlas" "$@" > "$work/out" 2> "$work/err"; echo $?; }
out() { cat "$work/out"; }
err() { cat "$work/err"; }
check "atlas: is executable with a /usr/bin/python3 shebang" "#!/usr/bin/python3 yes" \
  "$(head -1 "$atlas") $([[ -x "$atlas" ]] && echo yes)"
check "atlas: create" 0 "$(run_atlas micros service create --service=web --no-sd)"
check "atlas: create twice -> 1" 1 "$(run_atlas micros service create --service=web --no-sd)"
check_has "atlas: create twice says so" "already exists" "$(err)"
check "atlas: unknown flag -> 1" 1 "$(run_atlas micros service create --service=api --bogus)"
check_has "atlas: unknown flag message" "unknown flag: --bogus" "$(err)"
check "atlas: missing required flag -> 1" 1 "$(run_atlas micros service deploy --service=web --env=ddev)"
check_has "atlas: missing flag message" 'required flag "--file"' "$(err)"
check "atlas: flag without value -> 1" 1 "$(run_atlas micros service show --service=web --env)"
check "atlas: unknown command -> 1" 1 "$(run_atlas micros service frobnicate --service=web)"
check_has "atlas: unknown command message" 'unknown command "frobnicate"' "$(err)"
check "atlas: extra argument -> 1" 1 "$(run_atlas micros stash list -s web -e ddev extra)"
check "atlas: stash flag -k on list -> 1" 1 "$(run_atlas micros stash list -s web -e ddev -k X)"
check "atlas: --help -> 0" 0 "$(run_atlas micros service deploy --help)"
check_has "atlas: help lists flags" "--file" "$(out)"
check "atlas: bad env name -> 1" 1 "$(run_atlas micros service show --service=web --env=Prod_1)"
printf 'name: web\ncompose:\n  web:\n    image: docker.atl-paas.net/web\n    tag: app-1.0.0\nconfig:\n  environmentVariables:\n    DB_PASSWORD: ((ssm:/web/DB_PASSWORD))\n' > "$work/sd.yml"
check "atlas: deploy unknown service -> 1" 1 "$(run_atlas micros service deploy --service=ghost --env=ddev --file="$work/sd.yml")"
check_has "atlas: deploy unknown service message" "service 'ghost' not found" "$(err)"
check "atlas: deploy missing file -> 1" 1 "$(run_atlas micros service deploy --service=web --env=ddev --file="$work/none.yml")"
check "atlas: deploy with an unset stash reference -> 1" 1 \
  "$(run_atlas micros service deploy --service=web --env=ddev --file="$work/sd.yml")"
check_has "atlas: says which stash key is missing" "DB_PASSWORD" "$(err)"
( umask 077; printf '{"DB_PASSWORD": "hunter2", "OTHER": "o"}' > "$work/vars.json" )
check "atlas: stash set -f" 0 "$(run_atlas micros stash set -s web -e ddev -f "$work/vars.json")"
check_lacks "atlas: stash set prints no values" "hunter2" "$(out)$(err)"
check "atlas: stash set -k -v" 0 "$(run_atlas micros stash set -s web -e ddev -k THIRD -v 3)"
check "atlas: stash set needs -k with -v" 1 "$(run_atlas micros stash set -s web -e ddev -v lonely)"
check "atlas: stash set rejects -f and -k together" 1 "$(run_atlas micros stash set -s web -e ddev -k A -v B -f "$work/vars.json")"
echo '["not", "an", "object"]' > "$work/bad.json"
check "atlas: stash set -f with a non-object -> 1" 1 "$(run_atlas micros stash set -s web -e ddev -f "$work/bad.json")"
check "atlas: stash list" "DB_PASSWORD OTHER THIRD" "$(run_atlas micros stash list -s web -e ddev > /dev/null; out | paste -sd" ")"
check "atlas: stash list --output json" '["DB_PASSWORD", "OTHER", "THIRD"]' \
  "$(run_atlas micros stash list -s web -e ddev --output json > /dev/null; out | jget 'd["keys"]')"
check "atlas: stash delete" 0 "$(run_atlas micros stash delete -s web -e ddev -k OTHER)"
check "atlas: stash delete missing key -> 1" 1 "$(run_atlas micros stash delete -s web -e ddev -k OTHER)"
check "atlas: deploy" 0 "$(run_atlas micros service deploy --service=web --env=ddev --file="$work/sd.yml")"
export ATLAS_STANDIN_SERVICE_URL="http://127.0.0.1:1/{service}-{env}"
check "atlas: show" 0 "$(run_atlas micros service show --service=web --env=ddev)"
check_has "atlas: show prints the configured URL" "http://127.0.0.1:1/web-ddev" "$(out)"
check_has "atlas: show prints the version" "Version:      1" "$(out)"
check "atlas: show --output json" '["DEPLOYED", 1, "http://127.0.0.1:1/web-ddev"]' \
  "$(run_atlas micros service show --service=web --env=ddev --output json > /dev/null; out | jget '[d["status"], d["version"], d["url"]]')"
check "atlas: show in an env never deployed" "NOT_DEPLOYED" \
  "$(run_atlas micros service show -s web -e stg --output json > /dev/null; out | jget 'd["status"]')"
check "atlas: ATLAS_STANDIN_FAIL=deploy -> 1" 1 \
  "$(ATLAS_STANDIN_FAIL=deploy run_atlas micros service deploy --service=web --env=ddev --file="$work/sd.yml")"
check "atlas: failed deploy leaves the version" 1 \
  "$(run_atlas micros service show --service=web --env=ddev --output json > /dev/null; out | jget 'd["version"]')"
check "atlas: ATLAS_STANDIN_FAIL=stash -> 1" 1 "$(ATLAS_STANDIN_FAIL=stash run_atlas micros stash set -s web -e ddev -k Z -v z)"
check "atlas: failed stash set changes nothing" "DB_PASSWORD THIRD" "$(run_atlas micros stash list -s web -e ddev > /dev/null; out | paste -sd" ")"
start=$(date +%s%N)
check "atlas: ATLAS_STANDIN_SLEEP=stash-list=0.3 still answers" 0 "$(ATLAS_STANDIN_SLEEP=stash-list=0.3 run_atlas micros stash list -s web -e ddev)"
check "atlas: ATLAS_STANDIN_SLEEP slept" "yes" "$( (( ($(date +%s%N) - start) / 1000000 >= 300 )) && echo yes)"
ATLAS_STANDIN_SLEEP=5 "$atlas" micros stash list -s web -e ddev > /dev/null 2>&1 &
sleeper=$!
for _ in $(seq 50); do [[ -e "$ATLAS_STANDIN_STATE/sleeping.json" ]] && break; sleep 0.1; done
check "atlas: sleeping.json names the sleeping command" "stash-list" "$(jget 'd["command"]' < "$ATLAS_STANDIN_STATE/sleeping.json")"
kill -INT "$sleeper"; wait "$sleeper" 2> /dev/null
check "atlas: sleeping.json is removed when interrupted" "gone" "$([[ -e "$ATLAS_STANDIN_STATE/sleeping.json" ]] || echo gone)"
check "atlas: ATLAS_STANDIN_FAIL=create -> 1" 1 "$(ATLAS_STANDIN_FAIL=create run_atlas micros service create --service=api)"
check "atlas: second deploy -> version 2" 2 \
  "$(run_atlas micros service deploy -s web -e ddev -f "$work/sd.yml" --output json > /dev/null; out | jget 'd["version"]')"
chmod 644 "$work/vars.json"
run_atlas micros stash set -s web -e ddev -f "$work/vars.json" > /dev/null
invocations=$(grep -c . "$work/atlas.log")
check "atlas: every invocation logged" "$(jget 'd["invocations"]' < "$ATLAS_STANDIN_STATE/state.json")" "$invocations"
check "atlas: log records argv" '["micros", "stash", "set", "-s", "web", "-e", "ddev", "-f", "'"$work/vars.json"'"]' \
  "$(tail -1 "$work/atlas.log" | jget 'd["args"]')"
check "atlas: log records the file's mode" '["0644", "0600"]' \
  "$(grep '"-f"' "$work/atlas.log" | grep vars.json | sed -n '1p;$p' | tac | "$PY" -c '
import json, sys; print(json.dumps([json.loads(l)["files"][0]["mode"] for l in sys.stdin]))')"
copy=$(grep -- '--file=' "$work/atlas.log" | tail -1 | jget 'd["files"][0]["copy"]')
check "atlas: keeps a copy of the descriptor" "same" "$(cmp -s "$copy" "$work/sd.yml" && echo same)"
check "atlas: the copy is 0600" 600 "$(stat -c %a "$copy")"
check "atlas: log has env names" "true" "$(tail -1 "$work/atlas.log" | jget '"SELFTEST_SENTINEL" in d["env_names"]')"
check_lacks "atlas: log has no env values" "sentinel-value-xyz" "$(cat "$work/atlas.log")"
check "atlas: log file is 0600" 600 "$(stat -c %a "$work/atlas.log")"
check "atlas: state file is 0600" 600 "$(stat -c %a "$ATLAS_STANDIN_STATE/state.json")"
check "atlas: without ATLAS_STANDIN_STATE -> 1" 1 "$(env -u ATLAS_STANDIN_STATE "$atlas" micros stash list -s web -e ddev 2>/dev/null; echo $?)"

(( skipped > 0 )) && echo "$skipped skipped"
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
