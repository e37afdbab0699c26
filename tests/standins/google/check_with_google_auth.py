#!/usr/bin/python3
# Fidelity check of google_apis.py with a real client: Google's own google-auth library (the copy the Google Cloud
# CLI package ships under /usr/lib/google-cloud-sdk/lib/third_party). It mints a token from the stand-in's key file
# through the key file's token_uri, uses it on the Artifact Registry listing, and refreshes Compute Engine
# credentials through the metadata server. Everything goes to the 127.0.0.1 URLs given on the command line.
#
# Usage: check_with_google_auth.py READY_JSON_FILE REPOSITORY_PATH
# Prints one JSON object with what it saw; exit 0 when every step worked, 2 when google-auth is not installed.

import json
import os
import sys

kSdkThirdParty = "/usr/lib/google-cloud-sdk/lib/third_party"


def Main():
    with open(sys.argv[1]) as f:
        ready = json.load(f)
    repository = sys.argv[2]
    if not os.path.isdir(os.path.join(kSdkThirdParty, "google", "auth")):
        print(json.dumps({"skipped": "google-auth not installed"}))
        return 2
    # Before importing google.auth: the metadata root is read from the environment at import time.
    os.environ["GCE_METADATA_HOST"] = ready["metadata_host"]
    os.environ["GCE_METADATA_IP"] = ready["metadata_host"]
    os.environ["NO_PROXY"] = "127.0.0.1"
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        os.environ.pop(name, None)
    sys.path.insert(0, kSdkThirdParty)
    import google.auth
    import google.auth.compute_engine
    import google.auth.transport.requests
    import google.oauth2.service_account

    result = {"google_auth_version": google.auth.__version__}
    request = google.auth.transport.requests.Request()
    credentials = google.oauth2.service_account.Credentials.from_service_account_file(
        ready["key_file"], scopes=["https://www.googleapis.com/auth/cloud-platform"])
    credentials.refresh(request)
    result["service_account_token_valid"] = bool(credentials.token) and credentials.valid
    session = google.auth.transport.requests.AuthorizedSession(credentials)
    response = session.get("%s/v1/%s/dockerImages" % (ready["artifactregistry_url"], repository),
                           params={"pageSize": 1})
    result["list_status"] = response.status_code
    result["list_images"] = len(response.json().get("dockerImages", []))

    metadata_credentials = google.auth.compute_engine.Credentials()
    metadata_credentials.refresh(request)
    result["metadata_token_valid"] = bool(metadata_credentials.token) and metadata_credentials.valid
    result["metadata_email"] = metadata_credentials.service_account_email
    print(json.dumps(result))
    ok = (result["service_account_token_valid"] and result["list_status"] == 200 and
          result["metadata_token_valid"] and result["metadata_email"] == ready["client_email"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(Main())
