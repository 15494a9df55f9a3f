"""The datastore collectors inside the real tocsin daemon: a real PostgreSQL and Redis come up in
/metrics, while a PostgreSQL that never answers, a Redis with the wrong password and a ScyllaDB
that is not there report 0 on their up-series -- and none of them delays the others or a scrape
of /metrics.

Usage: TOCSIN_BINARY=... datastore_test.py [TestClass]
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "collectors", "postgres"))
import pg_cluster  # noqa: E402
from tocsin_harness import Agent, free_port, http, metric_value, wait_for  # noqa: E402

REDIS_PASSWORD = "itest-R3dis.pw"


class DatastoreDaemonTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = pg_cluster.Cluster()
        cls.pg.init_primary()
        cls.pg.start("primary")
        cls.tmp = tempfile.mkdtemp(prefix="tocsin-it-ds-")
        cls.redis_port = free_port()
        cls.redis = subprocess.Popen(
            [shutil.which("redis-server") or "/usr/bin/redis-server", "--port",
             str(cls.redis_port), "--bind", "127.0.0.1", "--dir", cls.tmp, "--save", "",
             "--requirepass", REDIS_PASSWORD], stdout=subprocess.DEVNULL)
        cls.hung = socket.socket()  # a "PostgreSQL" that accepts and never answers
        cls.hung.bind(("127.0.0.1", 0))
        cls.hung.listen(16)
        for name, content in (("pg.dsn", cls.pg.dsn("primary")), ("redis.pw", REDIS_PASSWORD),
                              ("wrong.pw", "Wr0ng-itest.pw")):
            with open(os.path.join(cls.tmp, name), "w") as f:
                f.write(content + "\n")

    @classmethod
    def tearDownClass(cls):
        cls.redis.kill()
        cls.redis.wait()
        cls.hung.close()
        cls.pg.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_up_and_down_side_by_side(self):
        agent = Agent()
        try:
            t = self.tmp
            agent.write_config(
                agent.default_config(interval="1s").replace("collectors:\n  system: {}\n", "")
                + f"""collectors:
  postgres:
    - {{name: main, dsn_file: {t}/pg.dsn, labels: {{server: main}}}}
    - {{name: hung, dsn: 'host=127.0.0.1 port={self.hung.getsockname()[1]} user=x sslmode=disable',
       timeout: 800ms, labels: {{server: hung}}}}
  redis:
    - {{name: cache, address: '127.0.0.1:{self.redis_port}', password_file: {t}/redis.pw,
       labels: {{r: cache}}}}
    - {{name: wrong, address: '127.0.0.1:{self.redis_port}', password_file: {t}/wrong.pw,
       labels: {{r: wrong}}}}
  scylla:
    - {{name: gone, metrics_url: 'http://127.0.0.1:{free_port()}/metrics',
       api_url: 'http://127.0.0.1:{free_port()}', timeout: 800ms}}
""")
            agent.start()
            agent.wait_ready()

            def all_reported():
                body = agent.scrape()
                want = {'pg_up{server="main"}': 1, 'pg_up{server="hung"}': 0,
                        'redis_up{r="cache"}': 1, 'redis_up{r="wrong"}': 0,
                        "scylla_up": 0, "scylla_api_up": 0}
                got = {k: metric_value(body, k) for k in want}
                return body if got == want else None
            body = wait_for(all_reported, "every datastore's up-series", timeout=30)
            self.assertIsNotNone(metric_value(
                body, 'pg_stat_database_xact_commit{datid="5",datname="postgres",server="main"}'))
            self.assertIsNotNone(metric_value(body, 'redis_keyspace_hits_total{r="cache"}'))
            # /metrics keeps answering while the hung PostgreSQL holds its collector for its
            # whole timeout every cycle.
            for _ in range(10):
                status, _ = http("GET", agent.url("/metrics"), timeout=5)
                self.assertEqual(status, 200)
            agent.alive_or_fail()
            logs = agent.logs()
            self.assertNotIn("Wr0ng-itest.pw", logs)
            self.assertNotIn(REDIS_PASSWORD, logs)
            self.assertNotIn(pg_cluster.PASSWORD, logs)
            self.assertEqual(agent.stop(), 0, logs)
        finally:
            agent.close()


if __name__ == "__main__":
    unittest.main()
