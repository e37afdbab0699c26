"""Start the registry peers from Python tests and read their ready line.

    import sys; sys.path.insert(0, "tests/peers/registry")
    import peer_runner
    with peer_runner.registry("token") as reg, peer_runner.fault_proxy(reg.ready["host"], "--seed", "3") as fp:
        ...  # reg.ready["url"], reg.ready["users"], fp.ready["url"], peer_runner.stats(fp.ready["stats_url"])

Every peer is started with --exit-on-stdin-eof and a pipe as stdin, so it also goes away if the test process dies.
"""

import json
import os
import select
import signal
import subprocess
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"


class PeerProcess:
    def __init__(self, script, args, timeout=30.0, stderr=None):
        self.proc = subprocess.Popen(
            [PYTHON, os.path.join(HERE, script), *args, "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr)
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else b""
        if not line:
            self.stop()
            raise RuntimeError("%s did not print its ready line (exit code %s)" % (script, self.proc.returncode))
        self.ready = json.loads(line)

    def stop(self, timeout=10.0):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            if f:
                f.close()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def registry(mode, *args, **kw):
    return PeerProcess("registry_peer.py", ["--mode", mode, *args], **kw)


def fault_proxy(upstream_host, *args, **kw):
    return PeerProcess("fault_proxy.py", ["--upstream", upstream_host, *args], **kw)


def tamper_proxy(upstream_host, *args, **kw):
    return PeerProcess("tamper_proxy.py", ["--upstream", upstream_host, *args], **kw)


def stats(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)
