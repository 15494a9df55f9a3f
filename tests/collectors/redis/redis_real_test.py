"""The redis collector against a real redis-server (Debian's package): keys, hits and misses,
maxmemory with an eviction, AUTH (password and ACL user), a replica, a restart, a hung server.

Runs the redis_collect driver (a real tocsin config, one collector, N cycles, exposition on
stdout). Usage: redis_real_test.py REDIS_COLLECT_BINARY
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cycle_output import find, parse_cycles  # noqa: E402

DRIVER = None
PASSWORD = "r3dis-Pw.K8zz"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, what, timeout=20.0, interval=0.05):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except OSError as e:
            last = e
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")


class Resp:
    """Minimal RESP client (stdlib only)."""

    def __init__(self, port, password=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        if password:
            self.cmd("AUTH", password)

    def close(self):
        self.sock.close()

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("connection closed")
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.sock.recv(65536)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data.decode(errors="replace")
        if t == b"*":
            return [self.read() for _ in range(int(rest))]
        raise RuntimeError(f"bad reply {line!r}")

    def cmd(self, *args):
        self.send(*args)
        return self.read()


class RedisRealTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis_server = shutil.which("redis-server") or "/usr/bin/redis-server"
        cls.dir = tempfile.mkdtemp(prefix="tocsin-redis-")
        cls.port = free_port()
        cls.replica_port = free_port()
        cls.procs = {}
        cls.start_server("primary", cls.port, ["--requirepass", PASSWORD, "--maxmemory", "4mb",
                                               "--maxmemory-policy", "allkeys-lru"])
        c = Resp(cls.port, PASSWORD)
        c.cmd("ACL", "SETUSER", "monitor", "on", ">mon-Pw.77", "+info", "+config|get",
              "+auth", "+ping")
        for i in range(10):
            c.cmd("SET", f"key:{i}", "v")
        c.cmd("SET", "ttl:1", "v", "EX", "3600")
        for _ in range(3):
            c.cmd("GET", "key:1")
        for _ in range(2):
            c.cmd("GET", "nope")
        c.close()
        cls.start_server("replica", cls.replica_port,
                         ["--replicaof", "127.0.0.1", str(cls.port), "--masterauth", PASSWORD])
        wait_for(lambda: "master_link_status:up" in cls.replica_info(), "the replica link")
        # The master reports the replica "online" only after its first REPLCONF ACK.
        wait_for(lambda: "state=online" in cls.master_replication(), "the master to see it")
        for name, content in (("pw", PASSWORD), ("wrong", "Wr0ng-R3dis.Q"),
                              ("monpw", "mon-Pw.77")):
            with open(os.path.join(cls.dir, name), "w") as f:
                f.write(content + "\n")
        cls.hung = socket.socket()
        cls.hung.bind(("127.0.0.1", 0))
        cls.hung.listen(8)
        cls.config = os.path.join(cls.dir, "tocsin.yml")
        with open(cls.config, "w") as f:
            f.write(f"""global: {{interval: 2s}}
collectors:
  redis:
    - {{name: main, address: '127.0.0.1:{cls.port}', password_file: pw, labels: {{r: main}}}}
    - {{name: acl, address: '127.0.0.1:{cls.port}', username: monitor, password_file: monpw,
       labels: {{r: acl}}}}
    - {{name: wrong, address: '127.0.0.1:{cls.port}', password_file: wrong, labels: {{r: wrong}}}}
    - {{name: replica, address: '127.0.0.1:{cls.replica_port}', labels: {{r: replica}}}}
    - {{name: hung, address: '127.0.0.1:{cls.hung.getsockname()[1]}', timeout: 1s,
       labels: {{r: hung}}}}
""")

    @classmethod
    def master_replication(cls):
        c = Resp(cls.port, PASSWORD)
        try:
            return c.cmd("INFO", "replication")
        finally:
            c.close()

    @classmethod
    def replica_info(cls):
        c = Resp(cls.replica_port)
        try:
            return c.cmd("INFO", "replication")
        finally:
            c.close()

    @classmethod
    def start_server(cls, name, port, args):
        log = open(os.path.join(cls.dir, name + ".log"), "w")
        p = subprocess.Popen([cls.redis_server, "--port", str(port), "--bind", "127.0.0.1",
                              "--dir", cls.dir, "--dbfilename", name + ".rdb", "--save", "",
                              "--appendonly", "no"] + args, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        cls.procs[name] = p
        def listening():
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        wait_for(listening, f"redis {name} to listen")

    @classmethod
    def tearDownClass(cls):
        for p in cls.procs.values():
            p.kill()
            p.wait()
        cls.hung.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def collect(self, instance, cycles=1, interval_ms=0):
        p = subprocess.run([DRIVER, "--config", self.config, "--instance", instance,
                            "--cycles", str(cycles), "--interval-ms", str(interval_ms)],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return parse_cycles(p.stdout), p.stdout, p.stderr

    def info(self, port=None, password=PASSWORD):
        c = Resp(port or self.port, password)
        text = c.cmd("INFO", "ALL")
        c.close()
        return dict(l.split(":", 1) for l in text.splitlines() if ":" in l)

    def test_01_series_match_info(self):
        before = self.info()
        cycles, _, err = self.collect("main")
        status, m = cycles[-1]
        self.assertEqual(status, "ok", err)
        info = self.info()
        self.assertEqual(find(m, "redis_up"), [1])
        self.assertEqual(find(m, "redis_keyspace_hits_total"), [3])
        self.assertEqual(find(m, "redis_keyspace_misses_total"), [2])
        self.assertEqual(find(m, "redis_memory_max_bytes"), [4 * 1024 * 1024])
        self.assertEqual(find(m, "redis_db_keys", db="db0"), [11])
        self.assertEqual(find(m, "redis_db_keys_expiring", db="db0"), [1])
        self.assertEqual(find(m, "redis_db_keys", db="db15"), [0])  # zero-filled
        self.assertGreaterEqual(find(m, "redis_connected_clients")[0], 1)
        self.assertEqual(find(m, "redis_connected_slaves"), [1])
        self.assertEqual(len(find(m, "redis_connected_slave_offset_bytes", slave_state="online")),
                         1)
        self.assertEqual(find(m, "redis_evicted_keys_total"), [0])
        self.assertEqual(find(m, "redis_rejected_connections_total"), [0])
        self.assertGreater(find(m, "redis_commands_processed_total")[0], 10)
        self.assertEqual(find(m, "redis_commands_total", cmd="get"), [5])
        self.assertEqual(find(m, "redis_aof_enabled"), [0])
        self.assertEqual(find(m, "redis_rdb_last_save_timestamp_seconds"),
                         [float(info["rdb_last_save_time"])])
        self.assertGreater(find(m, "redis_rdb_changes_since_last_save")[0], 0)
        self.assertGreater(find(m, "redis_memory_used_bytes")[0], 0)
        offset = find(m, "redis_master_repl_offset")
        self.assertEqual(len(offset), 1)
        self.assertLessEqual(float(before["master_repl_offset"]), offset[0])
        self.assertLessEqual(offset[0], float(info["master_repl_offset"]))
        self.assertEqual(len(find(m, "redis_instance_info", role="master",
                                  redis_version=info["redis_version"])), 1)
        self.assertEqual([s for s in m if 'r="main"' not in s], [])

    def test_02_eviction(self):
        c = Resp(self.port, PASSWORD)
        value = "x" * 20000
        for i in range(400):  # ~8 MB into a 4 MB maxmemory with allkeys-lru
            c.send("SET", f"big:{i}", value)
        for i in range(400):
            c.read()
        c.close()
        cycles, _, _ = self.collect("main")
        m = cycles[-1][1]
        evicted = find(m, "redis_evicted_keys_total")[0]
        self.assertGreater(evicted, 0)
        self.assertEqual(evicted, float(self.info()["evicted_keys"]))
        # Redis evicts until used memory minus replica/AOF buffers fits maxmemory.
        self.assertLessEqual(find(m, "redis_memory_used_bytes")[0] -
                             find(m, "redis_mem_not_counted_for_eviction_bytes")[0],
                             find(m, "redis_memory_max_bytes")[0] * 1.1)

    def test_acl_user(self):
        cycles, _, err = self.collect("acl")
        self.assertEqual(find(cycles[-1][1], "redis_up"), [1], err)
        self.assertTrue(find(cycles[-1][1], "redis_keyspace_hits_total"))

    def test_wrong_password(self):
        cycles, out, err = self.collect("wrong", cycles=2)
        self.assertEqual([c[0] for c in cycles], ["ok", "ok"])
        for _, m in cycles:
            self.assertEqual(find(m, "redis_up"), [0])
            self.assertEqual(len(m), 1, m)  # only redis_up
        self.assertRegex(err, "WRONGPASS|invalid (username-)?password")
        self.assertNotIn("Wr0ng-R3dis.Q", out + err)

    def test_replica(self):
        cycles, _, err = self.collect("replica")
        m = cycles[-1][1]
        self.assertEqual(find(m, "redis_up"), [1], err)
        self.assertEqual(find(m, "redis_master_link_up", master_port=str(self.port)), [1])
        self.assertEqual(len(find(m, "redis_instance_info", role="slave")), 1)

    def test_hung_server_bounded_by_deadline(self):
        cycles, _, err = self.collect("hung", cycles=2)
        self.assertEqual([c[0] for c in cycles], ["ok", "ok"], err)
        for _, m in cycles:
            self.assertEqual(find(m, "redis_up"), [0])

    def test_zz_restart_reconnects(self):
        p = subprocess.Popen([DRIVER, "--config", self.config, "--instance", "replica",
                              "--cycles", "150", "--interval-ms", "100"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        import threading
        lines = []
        threading.Thread(target=lambda: lines.extend(iter(p.stdout.readline, "")),
                         daemon=True).start()
        try:
            def done_cycles():
                return parse_cycles("".join(lines))[:-1]
            first = wait_for(lambda: [c for c in done_cycles() if find(c[1], "redis_up") == [1]],
                             "a first cycle with redis_up 1")
            run_id = [s for s in first[0][1] if s.startswith("redis_instance_info")][0]
            rp = self.procs.pop("replica")
            rp.terminate()
            rp.wait(timeout=20)
            wait_for(lambda: [c for c in done_cycles() if find(c[1], "redis_up") == [0]],
                     "a cycle with redis_up 0 while the server is down")
            self.start_server("replica", self.replica_port,
                              ["--replicaof", "127.0.0.1", str(self.port), "--masterauth",
                               PASSWORD])
            after = wait_for(lambda: [c for c in done_cycles()
                                      if find(c[1], "redis_up") == [1]
                                      and not any(s == run_id for s in c[1])],
                             "a cycle against the restarted server", timeout=15)
            self.assertEqual(after[0][0], "ok")
            self.assertEqual({c[0] for c in done_cycles()}, {"ok"})
        finally:
            p.kill()
            p.wait()


if __name__ == "__main__":
    DRIVER = sys.argv.pop(1)
    unittest.main()
