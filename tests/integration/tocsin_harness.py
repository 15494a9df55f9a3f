"""Helpers for integration tests that run the real tocsin binary.

Every wait is a bounded poll (never a fixed sleep): `wait_for` retries a predicate until it
holds or the deadline passes, and then fails the test with what it last saw.
"""
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

TOCSIN = os.environ.get("TOCSIN_BINARY", "")
DEFAULT_TIMEOUT = 20.0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, what, timeout=DEFAULT_TIMEOUT, interval=0.05):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except (OSError, urllib.error.URLError) as e:  # not up yet
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")


def http(method, url, body=None, timeout=5):
    req = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def metric_value(body, series):
    """Value of the exposition line whose name+labels text equals `series`, or None."""
    for line in body.splitlines():
        if line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        if name == series:
            return float(value)
    return None


class Agent:
    """A tocsin daemon on a free loopback port with its own temp config and state dir."""

    def __init__(self, config_text=None, env=None, extra_args=()):
        self.dir = tempfile.TemporaryDirectory(prefix="tocsin-it-")
        self.port = free_port()
        self.config_path = os.path.join(self.dir.name, "tocsin.yml")
        self.state_dir = os.path.join(self.dir.name, "state")
        self.write_config(config_text if config_text is not None else self.default_config())
        self.env = dict(os.environ)
        self.env.pop("NOTIFY_SOCKET", None)
        self.env.pop("WATCHDOG_USEC", None)
        self.env.update(env or {})
        self.extra_args = list(extra_args)
        self.proc = None
        self.log_path = os.path.join(self.dir.name, "tocsin.log")

    def default_config(self, interval="1s"):
        return (f"global:\n  interval: {interval}\n"
                f"web:\n  listen_address: 127.0.0.1:{self.port}\n"
                "  enable_lifecycle: true\n"  # tests POST /-/reload
                f"state_dir: {self.state_dir}\n"
                "collectors:\n  system: {}\n")

    def write_config(self, text):
        tmp = self.config_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.config_path)

    def start(self):
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [TOCSIN, "run", "--config", self.config_path, "--log.target", "stderr"]
            + self.extra_args, stdout=self.log, stderr=subprocess.STDOUT, env=self.env)
        return self

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self):
        wait_for(lambda: self.alive_or_fail() and http("GET", self.url("/-/ready"))[0] == 200,
                 "/-/ready to answer 200")

    def alive_or_fail(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"tocsin exited with {self.proc.returncode}:\n{self.logs()}")
        return True

    def scrape(self):
        status, body = http("GET", self.url("/metrics"))
        assert status == 200, f"/metrics answered {status}: {body}"
        return body

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=DEFAULT_TIMEOUT):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"tocsin did not stop within {timeout}s")
        return self.proc.returncode if self.proc else None

    def logs(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def close(self):
        try:
            if self.proc and self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        finally:
            if hasattr(self, "log"):
                self.log.close()
            self.dir.cleanup()
