"""The postgres collector against a real PostgreSQL (Debian's package): a primary with
pg_stat_statements and a streaming replica made with pg_basebackup, a restart mid-run, a wrong
password, a hung server and a statement timeout.

Runs the pg_collect driver (a real tocsin config, one collector, N cycles, exposition on
stdout). Usage: pg_real_test.py PG_COLLECT_BINARY
"""
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pg_cluster  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cycle_output import find, parse_cycles  # noqa: E402

DRIVER = None


class PostgresRealTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = pg_cluster.Cluster()
        cls.pg.init_primary()
        cls.pg.start("primary")
        cls.pg.psql("primary", "CREATE EXTENSION pg_stat_statements")
        cls.pg.psql("primary", "CREATE TABLE items (id int PRIMARY KEY, v text)")
        cls.pg.psql("primary", "INSERT INTO items SELECT g, 'x' FROM generate_series(1, 1000) g")
        cls.pg.psql("primary", "DELETE FROM items WHERE id <= 300")
        cls.pg.psql("primary", "SELECT count(*) FROM items WHERE v = 'x'")
        cls.pg.add_replica()
        cls.tmp = tempfile.mkdtemp(prefix="tocsin-pgcfg-")
        cls.config = os.path.join(cls.tmp, "tocsin.yml")
        with open(os.path.join(cls.tmp, "primary.dsn"), "w") as f:
            f.write(cls.pg.dsn("primary") + "\n")
        with open(os.path.join(cls.tmp, "wrong.dsn"), "w") as f:
            f.write(cls.pg.dsn("primary", password="Wr0ng-Pass.Q7") + "\n")
        cls.hung = socket.socket()  # accepts connections and never answers
        cls.hung.bind(("127.0.0.1", 0))
        cls.hung.listen(8)
        hung_port = cls.hung.getsockname()[1]
        _, rport = cls.pg.servers["replica"]
        with open(cls.config, "w") as f:
            f.write(f"""global: {{interval: 2s}}
collectors:
  postgres:
    - name: primary
      dsn_file: primary.dsn
      labels: {{server: primary}}
    - name: replica
      dsn: 'host={cls.pg.dir} port={rport} user=postgres dbname=postgres password={pg_cluster.PASSWORD}'
      labels: {{server: replica}}
    - name: wrong
      dsn_file: wrong.dsn
      labels: {{server: wrong}}
    - name: hung
      dsn: 'host=127.0.0.1 port={hung_port} user=postgres dbname=postgres sslmode=disable'
      timeout: 1s
      connect_timeout: 1s
      labels: {{server: hung}}
    - name: slow
      dsn_file: primary.dsn
      statement_timeout: 300ms
      labels: {{server: slow}}
""")

    @classmethod
    def tearDownClass(cls):
        cls.hung.close()
        cls.pg.close()

    def collect(self, instance, cycles=1, interval_ms=0, check=True):
        p = subprocess.run([DRIVER, "--config", self.config, "--instance", instance,
                            "--cycles", str(cycles), "--interval-ms", str(interval_ms)],
                           capture_output=True, text=True, timeout=120)
        if check:
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return parse_cycles(p.stdout), p.stdout, p.stderr

    def test_primary_series(self):
        # Table statistics reach the shared stats at the end of the writers' sessions; poll.
        def dead_tuples():
            cycles, _, _ = self.collect("primary")
            v = find(cycles[-1][1], "pg_stat_user_tables_n_dead_tup", relname="items")
            return cycles[-1][1] if v and v[0] >= 300 else None
        m = pg_cluster.wait_for(dead_tuples, "n_dead_tup of items to reach 300", timeout=20,
                                interval=0.3)
        self.assertEqual(find(m, "pg_up", server="primary"), [1])
        self.assertEqual(find(m, "pg_exporter_last_scrape_error"), [0])
        static = [s for s in m if s.startswith("pg_static{")]
        self.assertEqual(len(static), 1, static)
        server_num = int(self.pg.psql("primary", "SHOW server_version_num"))
        self.assertIn(f'short_version="{server_num // 10000}.{server_num % 10000}.0"', static[0])
        self.assertGreater(find(m, "pg_stat_database_xact_commit", datname="postgres")[0], 0)
        self.assertGreater(find(m, "pg_stat_database_blks_hit", datname="postgres")[0], 0)
        self.assertEqual(len(find(m, "pg_stat_database_numbackends")), 3)  # postgres, template0/1
        if server_num >= 140000:
            self.assertTrue(find(m, "pg_stat_database_active_time_seconds_total"))
        self.assertTrue(find(m, "pg_stat_database_conflicts_confl_lock", datname="postgres"))
        for state in ("active", "idle", "idle in transaction", "idle in transaction (aborted)",
                      "fastpath function call", "disabled"):
            self.assertEqual(len(find(m, "pg_stat_activity_count", datname="postgres",
                                      state=state)), 1, state)
            self.assertTrue(find(m, "pg_stat_activity_max_tx_duration", state=state))
        self.assertEqual(len(find(m, "pg_locks_count", datname="postgres")), 9)
        size = int(self.pg.psql("primary", "SELECT pg_database_size('postgres')"))
        self.assertAlmostEqual(find(m, "pg_database_size_bytes", datname="postgres")[0], size,
                               delta=size * 0.05)
        self.assertEqual(find(m, "pg_database_connection_limit", datname="postgres"), [-1])
        self.assertEqual(find(m, "pg_replication_is_replica"), [0])
        self.assertEqual(find(m, "pg_replication_lag_seconds"), [0])
        lsn_diff = find(m, "pg_stat_replication_pg_wal_lsn_diff", state="streaming")
        self.assertEqual(len(lsn_diff), 1)
        self.assertGreaterEqual(lsn_diff[0], 0)
        self.assertGreater(find(m, "pg_stat_replication_pg_current_wal_lsn_bytes")[0], 0)
        self.assertTrue(find(m, "pg_stat_replication_replay_lag_seconds"))
        if server_num >= 170000:
            self.assertTrue(find(m, "pg_stat_checkpointer_num_timed_total"))
        else:
            self.assertTrue(find(m, "pg_stat_bgwriter_checkpoints_timed_total"))
        self.assertTrue(find(m, "pg_stat_bgwriter_buffers_alloc_total"))
        self.assertEqual(find(m, "pg_stat_user_tables_n_live_tup", relname="items",
                              schemaname="public", datname="postgres"), [700])
        self.assertGreater(find(m, "pg_stat_user_tables_table_size_bytes", relname="items")[0], 0)
        self.assertTrue(find(m, "pg_stat_statements_calls_total", user="postgres",
                             datname="postgres"))
        self.assertTrue(find(m, "pg_stat_statements_seconds_total"))
        self.assertEqual(find(m, "pg_settings_max_connections"),
                         [float(self.pg.psql("primary", "SHOW max_connections"))])
        self.assertEqual(find(m, "pg_settings_shared_buffers_bytes"), [
            float(self.pg.psql("primary", "SELECT setting::bigint * 8192 FROM pg_settings "
                                          "WHERE name = 'shared_buffers'"))])
        self.assertEqual(find(m, "pg_settings_fsync"), [0])  # the test server runs fsync=off
        self.assertEqual(find(m, "pg_settings_checkpoint_timeout_seconds"), [300])
        start = float(self.pg.psql("primary",
                                   "SELECT extract(epoch from pg_postmaster_start_time())"))
        self.assertAlmostEqual(find(m, "pg_postmaster_start_time_seconds")[0], start, places=3)
        failed = [s for s, v in m.items()
                  if s.startswith("pg_scrape_collector_success") and v != 1]
        self.assertEqual(failed, [])
        # Every series carries the configured label.
        self.assertEqual([s for s in m if 'server="primary"' not in s], [])

    def test_replica(self):
        self.pg.psql("primary", "INSERT INTO items VALUES (5000, 'replicated')")
        cycles, _, _ = self.collect("replica")
        m = cycles[-1][1]
        self.assertEqual(find(m, "pg_up"), [1])
        self.assertEqual(find(m, "pg_replication_is_replica"), [1])
        lag = find(m, "pg_replication_lag_seconds")
        self.assertEqual(len(lag), 1)
        self.assertGreaterEqual(lag[0], 0)
        self.assertEqual(len(find(m, "pg_replication_last_replay_seconds")), 1)
        self.assertEqual(find(m, "pg_stat_replication_pg_wal_lsn_diff"), [])  # none downstream

    def test_wrong_password_gives_pg_up_0_without_leaking_it(self):
        cycles, out, err = self.collect("wrong", cycles=2)
        self.assertEqual([c[0] for c in cycles], ["ok", "ok"])
        for _, m in cycles:
            self.assertEqual(find(m, "pg_up"), [0])
            self.assertEqual([s for s in m if s.startswith("pg_stat")], [])
        self.assertIn("password authentication failed", err)
        self.assertNotIn("Wr0ng-Pass.Q7", err + out)
        self.assertNotIn(pg_cluster.PASSWORD, err + out)

    def test_hung_server_is_bounded_by_the_deadline(self):
        cycles, _, err = self.collect("hung", cycles=2)
        # "ok" (not "late"): each cycle ended before its 1s deadline with pg_up 0.
        self.assertEqual([c[0] for c in cycles], ["ok", "ok"], err)
        for _, m in cycles:
            self.assertEqual(find(m, "pg_up"), [0])
        self.assertIn("timed out", err)

    def test_statement_timeout_fails_one_query_only(self):
        # pg_table_size() needs an AccessShareLock on the table: an exclusive lock held by
        # another session blocks the stat_user_tables query until statement_timeout.
        locker = self.pg.psql_background(
            "primary", "BEGIN; LOCK TABLE items IN ACCESS EXCLUSIVE MODE; SELECT 'locked';")
        try:
            pg_cluster.wait_for(lambda: self.pg.psql(
                "primary", "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' "
                           "AND relation = 'items'::regclass") == "1", "the lock")
            cycles, _, err = self.collect("slow")
            status, m = cycles[-1]
            self.assertEqual(status, "ok", err)
            self.assertEqual(find(m, "pg_up"), [1])
            self.assertEqual(find(m, "pg_scrape_collector_success", collector="stat_user_tables"),
                             [0])
            self.assertEqual(find(m, "pg_scrape_collector_success", collector="stat_database"),
                             [1])
            self.assertEqual(find(m, "pg_exporter_last_scrape_error"), [1])
            self.assertEqual(find(m, "pg_locks_count", datname="postgres",
                                  mode="accessexclusivelock"), [1])
            self.assertIn("statement timeout", err)
        finally:
            locker.stdin.write("ROLLBACK;\n\\q\n")
            locker.stdin.close()
            locker.wait(timeout=30)

    def test_restart_reconnects(self):
        p = subprocess.Popen([DRIVER, "--config", self.config, "--instance", "primary",
                              "--cycles", "200", "--interval-ms", "100"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(iter(p.stdout.readline, "")),
                                  daemon=True)
        reader.start()
        try:
            def cycles_now():
                return parse_cycles("".join(lines))
            first = pg_cluster.wait_for(
                lambda: [c for c in cycles_now()[:-1] if find(c[1], "pg_up") == [1]],
                "a first cycle with pg_up 1")
            start_before = find(first[0][1], "pg_postmaster_start_time_seconds")[0]
            self.pg.restart("primary")
            after = pg_cluster.wait_for(
                lambda: [c for c in cycles_now()[:-1]
                         if find(c[1], "pg_postmaster_start_time_seconds")
                         and find(c[1], "pg_postmaster_start_time_seconds")[0] > start_before],
                "a cycle against the restarted server", timeout=15)
            self.assertEqual(find(after[0][1], "pg_up"), [1])
            self.assertEqual(after[0][0], "ok")
            statuses = {c[0] for c in cycles_now()[:-1]}
            self.assertEqual(statuses, {"ok"})  # down cycles too end in time, with pg_up 0
        finally:
            p.kill()
            p.wait()


if __name__ == "__main__":
    DRIVER = sys.argv.pop(1)
    unittest.main()
