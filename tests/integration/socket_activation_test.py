"""Socket activation (tocsin.socket) through its protocol: the test plays systemd.

It binds a listening TCP socket, execs the agent with it as fd 3 and LISTEN_FDS=1,
LISTEN_PID=<the agent's pid> (a shell sets LISTEN_PID=$$ and execs, so the pid is the agent's),
and checks that the agent serves on that socket, leaves web.listen_address unbound, answers a
request that was queued before it started, and refuses sockets it cannot serve on (exit 78).

Usage: TOCSIN_BINARY=build/dev/agent/tocsin python3 tests/integration/socket_activation_test.py
"""
import os
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from tocsin_harness import TOCSIN, Agent, free_port, http, wait_for  # noqa: E402


def start_activated(agent, socks, notify=None):
    """Starts `agent` with `socks` as fds 3, 4, ..., as systemd does for a socket unit."""
    env = dict(agent.env)
    env["LISTEN_FDS"] = str(len(socks))
    if notify:
        env["NOTIFY_SOCKET"] = notify
    fds = [s.fileno() for s in socks]
    moves = " ".join(f"{3 + i}<&{fd}" for i, fd in enumerate(fds))
    cmd = f'LISTEN_PID=$$; export LISTEN_PID; exec "$0" run --config "$1" --log.target stderr {moves}'
    agent.log = open(agent.log_path, "wb")
    agent.proc = subprocess.Popen(["sh", "-c", cmd, TOCSIN, agent.config_path], env=env,
                                  pass_fds=tuple(fds), stdout=agent.log, stderr=subprocess.STDOUT)
    return agent


class SocketActivationTest(unittest.TestCase):
    def setUp(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.addCleanup(self.listener.close)
        self.port = self.listener.getsockname()[1]

    def test_serves_on_the_inherited_socket(self):
        agent = Agent()  # web.listen_address is 127.0.0.1:<agent.port>, which must stay unbound
        self.addCleanup(agent.close)
        # A request queued in the backlog before the daemon runs (what socket activation is for:
        # nothing is refused while tocsin.service restarts).
        early = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        self.addCleanup(early.close)
        early.sendall(b"GET /-/healthy HTTP/1.0\r\nHost: x\r\n\r\n")
        start_activated(agent, [self.listener])
        reply = b""
        while True:
            chunk = early.recv(4096)
            if not chunk:
                break
            reply += chunk
        self.assertTrue(reply.startswith(b"HTTP/1.1 200") or reply.startswith(b"HTTP/1.0 200"),
                        reply[:200] + agent.logs().encode())

        url = f"http://127.0.0.1:{self.port}"
        wait_for(lambda: agent.alive_or_fail() and http("GET", url + "/-/ready")[0] == 200,
                 "/-/ready on the inherited socket")
        status, body = http("GET", url + "/metrics")
        self.assertEqual(status, 200)
        self.assertIn("tocsin_build_info", body)
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", agent.port), timeout=5).close()
        self.assertIn(f"socket activation: serving on the socket systemd passed in "
                      f"(127.0.0.1:{self.port})", agent.logs())
        self.assertEqual(agent.stop(), 0, agent.logs())

    def test_ready_status_names_the_inherited_address(self):
        tmp = tempfile.TemporaryDirectory(prefix="tocsin-notify-")
        self.addCleanup(tmp.cleanup)
        notify_path = os.path.join(tmp.name, "notify.sock")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        self.addCleanup(notify.close)
        agent = Agent()
        self.addCleanup(agent.close)
        start_activated(agent, [self.listener], notify=notify_path)
        notify.settimeout(30)
        messages = []
        wait_for(lambda: messages.append(notify.recv(4096).decode()) or
                 any("READY=1" in m for m in messages), "READY=1")
        ready = [m for m in messages if "READY=1" in m][0]
        self.assertIn(f"STATUS=Running; serving /metrics on 127.0.0.1:{self.port}", ready)
        self.assertEqual(agent.stop(), 0, agent.logs())

    def test_refuses_what_it_cannot_serve_on(self):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        self.addCleanup(udp.close)
        for socks, message in (([udp], "is not a listening TCP socket"),
                               ([self.listener, udp], "systemd passed 2 sockets")):
            agent = Agent()
            self.addCleanup(agent.close)
            start_activated(agent, socks)
            agent.proc.wait(timeout=30)
            self.assertEqual(agent.proc.returncode, 78, agent.logs())
            self.assertIn(message, agent.logs())


if __name__ == "__main__":
    if not TOCSIN:
        sys.exit("set TOCSIN_BINARY to the tocsin binary")
    unittest.main(verbosity=2)
