#!/usr/bin/env python3
"""A Docker-compatible container engine for berth's tests: podman's Docker Engine API on a private unix socket.

There is no Docker daemon on these machines; podman serves the same API (`podman system service`), and the real
docker CLI talks to it. Everything is private to one temp dir: the image store (--root, vfs), the run state
(--runroot), containers.conf (runc, cgroupfs and no default ulimits, without which containers cannot start here)
and registries.conf (the registries given with --insecure-registry are pulled from over plain http).

Ready line: {"docker_host": "unix:///.../docker.sock", "socket", "workdir", "pid", "service_pid",
"podman": [argv prefix for podman on the same store]}.
Stop: SIGTERM/SIGINT or stdin EOF (--exit-on-stdin-eof): every container is removed, the service stopped by PID,
the temp dir removed (unless --keep).
"""

import argparse
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time


def log(msg):
    sys.stderr.write("engine-peer: %s\n" % msg)
    sys.stderr.flush()


def die_with_parent():
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def answers(sock_path):
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            s.connect(sock_path)
            s.sendall(b"GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


class Engine:
    def __init__(self, args):
        self.args = args
        self.dir = tempfile.mkdtemp(prefix="berth-engine-")
        self.service = None
        self.stop_event = threading.Event()
        self.exit_code = 0
        self.socket = os.path.join(self.dir, "docker.sock")
        self.podman = ["podman", "--root", os.path.join(self.dir, "root"), "--runroot", os.path.join(self.dir, "run"),
                       "--runtime", "runc", "--cgroup-manager", "cgroupfs", "--storage-driver", "vfs"]
        self.env = dict(os.environ)
        self.env["CONTAINERS_CONF"] = os.path.join(self.dir, "containers.conf")
        self.env["CONTAINERS_REGISTRIES_CONF"] = os.path.join(self.dir, "registries.conf")

    def write_config(self):
        with open(self.env["CONTAINERS_CONF"], "w") as f:
            f.write("[containers]\ndefault_ulimits = []\n")
        with open(self.env["CONTAINERS_REGISTRIES_CONF"], "w") as f:
            f.write("unqualified-search-registries = []\n")
            for host in self.args.insecure_registry:
                f.write('[[registry]]\nlocation = "%s"\ninsecure = true\n' % host)

    def start(self):
        self.write_config()
        log_file = open(os.path.join(self.dir, "service.log"), "wb")
        self.service = subprocess.Popen(self.podman + ["system", "service", "--time=0", "unix://" + self.socket],
                                        env=self.env, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
                                        preexec_fn=die_with_parent)
        deadline = time.monotonic() + self.args.timeout
        while not answers(self.socket):
            if self.service.poll() is not None:
                raise RuntimeError("podman system service exited with %s (see %s/service.log)" % (self.service.returncode, self.dir))
            if time.monotonic() > deadline:
                raise RuntimeError("podman system service did not answer within %ss" % self.args.timeout)
            time.sleep(0.05)
        ready = {"docker_host": "unix://" + self.socket, "socket": self.socket, "workdir": self.dir, "pid": os.getpid(),
                 "service_pid": self.service.pid, "podman": self.podman, "env": {k: self.env[k] for k in ("CONTAINERS_CONF", "CONTAINERS_REGISTRIES_CONF")}}
        sys.stdout.write(json.dumps(ready) + "\n")
        sys.stdout.flush()
        log("ready on %s (service pid %d)" % (ready["docker_host"], self.service.pid))

    def watch_stdin(self):
        try:
            while os.read(0, 65536):
                pass
        except OSError:
            pass
        self.stop_event.set()

    def run(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stop_event.set())
        try:
            self.start()
            if self.args.exit_on_stdin_eof:
                threading.Thread(target=self.watch_stdin, daemon=True).start()
            while not self.stop_event.wait(0.2):
                if self.service.poll() is not None:
                    log("the service exited by itself with code %s" % self.service.returncode)
                    self.exit_code = 1
                    break
        except Exception as e:
            log("failed: %s" % e)
            self.exit_code = 1
        finally:
            self.stop()
        return self.exit_code

    def stop(self):
        # Containers outlive the service (conmon): remove them through podman on the same store first.
        subprocess.run(self.podman + ["rm", "--all", "--force", "--time", "0"], env=self.env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        if self.service and self.service.poll() is None:
            self.service.terminate()
            try:
                self.service.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.service.kill()
                self.service.wait()
        if self.args.keep:
            log("kept %s" % self.dir)
            return
        # vfs layers can hold read-only directories; the store is ours alone.
        subprocess.run(self.podman + ["system", "reset", "--force"], env=self.env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--insecure-registry", action="append", default=[], help="HOST:PORT pulled from over plain http")
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--keep", action="store_true")
    p.add_argument("--exit-on-stdin-eof", action="store_true")
    return Engine(p.parse_args(argv)).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
