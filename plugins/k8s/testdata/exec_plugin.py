#!/usr/bin/python3
"""A test kubeconfig exec credential plugin (client.authentication.k8s.io ExecCredential).

Test-only: it stands in for plugins such as gke-gcloud-auth-plugin. It follows the documented
protocol: it reads KUBERNETES_EXEC_INFO, checks the apiVersion it is asked for, and prints one
ExecCredential on stdout. Configured through its environment (the kubeconfig's exec.env):
  EXEC_COUNT_FILE   appends one line per run (tests count runs to check caching)
  EXEC_INFO_FILE    where to copy KUBERNETES_EXEC_INFO (optional)
  EXEC_API_VERSION  the apiVersion to answer with (default client.authentication.k8s.io/v1)
  EXEC_MODE         token (default) | cert | fail | garbage
  EXEC_TOKEN_FILE   the token to return (mode token)
  EXEC_CERT_FILE, EXEC_KEY_FILE   the client certificate and key to return (mode cert)
  EXEC_EXPIRES      expirationTimestamp to return (RFC 3339; optional)
"""
import json
import os
import sys


def main():
    with open(os.environ["EXEC_COUNT_FILE"], "a") as f:
        f.write("run\n")
    info = os.environ.get("KUBERNETES_EXEC_INFO", "")
    if os.environ.get("EXEC_INFO_FILE"):
        with open(os.environ["EXEC_INFO_FILE"], "w") as f:
            f.write(info)
    api = os.environ.get("EXEC_API_VERSION", "client.authentication.k8s.io/v1")
    mode = os.environ.get("EXEC_MODE", "token")
    if mode == "fail":
        print("error: you must log in first (run: fake-login)", file=sys.stderr)
        return 1
    try:
        asked = json.loads(info)
    except ValueError:
        print("KUBERNETES_EXEC_INFO is missing or not JSON", file=sys.stderr)
        return 2
    if asked.get("kind") != "ExecCredential" or asked.get("spec", {}).get("interactive") is not False:
        print("unexpected KUBERNETES_EXEC_INFO", file=sys.stderr)
        return 2
    if mode == "garbage":
        # A credential-looking line that is not an ExecCredential: callers must not echo it.
        print("token=garbage-secret-0123456789")
        return 0
    status = {}
    if mode == "token":
        with open(os.environ["EXEC_TOKEN_FILE"]) as f:
            status["token"] = f.read().strip()
    elif mode == "cert":
        with open(os.environ["EXEC_CERT_FILE"]) as f:
            status["clientCertificateData"] = f.read()
        with open(os.environ["EXEC_KEY_FILE"]) as f:
            status["clientKeyData"] = f.read()
    if os.environ.get("EXEC_EXPIRES"):
        status["expirationTimestamp"] = os.environ["EXEC_EXPIRES"]
    print(json.dumps({"apiVersion": api, "kind": "ExecCredential", "status": status}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
