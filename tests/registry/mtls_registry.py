#!/usr/bin/python3
"""docker-registry over TLS that requires a client certificate (http.tls.clientcas).

The real registry; only the certificates are made here, with the peers' pki.py: a CA, a server cert for
127.0.0.1, and a client cert signed by the same CA. Follows the test-peer contract of
tests/peers/registry/README.md: binds 127.0.0.1 on a free port, prints one JSON ready line
{"host", "url", "ca_file", "client_cert", "client_key", "pid", "registry_pid"}, logs to stderr, stops
docker-registry by PID and removes its temp dir on SIGTERM/SIGINT or (with --exit-on-stdin-eof) stdin EOF.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers", "registry"))
import pki  # noqa: E402


def main():
    exit_on_eof = "--exit-on-stdin-eof" in sys.argv[1:]
    work = tempfile.mkdtemp(prefix="berth-mtls-")
    ca_key, ca_cert = pki.make_ca("berth mtls test CA")
    server_key, server_cert = pki.make_leaf(ca_key, ca_cert, "127.0.0.1", ip_addresses=["127.0.0.1"], dns_names=["localhost"])
    client_key, client_cert = pki.make_leaf(ca_key, ca_cert, "berth test client", server=False)
    paths = {name: os.path.join(work, name) for name in ("ca.pem", "server.pem", "server.key", "client.pem", "client.key")}
    pki.write_cert(paths["ca.pem"], ca_cert)
    pki.write_cert(paths["server.pem"], server_cert)
    pki.write_key(paths["server.key"], server_key)
    pki.write_cert(paths["client.pem"], client_cert)
    pki.write_key(paths["client.key"], client_key)
    config = os.path.join(work, "config.yml")
    with open(config, "w") as f:
        f.write("version: 0.1\nlog: {level: info}\nstorage:\n  filesystem: {rootdirectory: %s}\n  delete: {enabled: true}\n"
                "http:\n  addr: 127.0.0.1:0\n  secret: mtls-test\n  tls:\n    certificate: %s\n    key: %s\n    clientcas: [%s]\n"
                % (os.path.join(work, "storage"), paths["server.pem"], paths["server.key"], paths["ca.pem"]))
    log = open(os.path.join(work, "registry.log"), "w+")
    registry = subprocess.Popen(["docker-registry", "serve", config], stdout=log, stderr=subprocess.STDOUT)

    def stop(*_):
        registry.terminate()
        try:
            registry.wait(timeout=10)
        except subprocess.TimeoutExpired:
            registry.kill()
        shutil.rmtree(work, ignore_errors=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    port = None
    for _ in range(300):
        with open(log.name) as f:
            found = re.search(r"listening on 127\.0\.0\.1:(\d+)", f.read())
        if found:
            port = int(found.group(1))
            break
        if registry.poll() is not None:
            break
        time.sleep(0.02)
    if port is None:
        sys.stderr.write("mtls_registry: docker-registry did not start:\n" + open(log.name).read())
        stop()
    sys.stdout.write(json.dumps({"host": "127.0.0.1:%d" % port, "url": "https://127.0.0.1:%d" % port, "ca_file": paths["ca.pem"],
                                 "client_cert": paths["client.pem"], "client_key": paths["client.key"], "pid": os.getpid(),
                                 "registry_pid": registry.pid}) + "\n")
    sys.stdout.flush()
    sys.stderr.write("mtls_registry: ready on https://127.0.0.1:%d\n" % port)
    if exit_on_eof:
        threading.Thread(target=lambda: (sys.stdin.read(), stop()), daemon=True).start()
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
