#!/usr/bin/env python3
"""Cost per collection cycle: tocsin's postgres collector vs Debian's prometheus-postgres-exporter,
against the same throw-away PostgreSQL in the same run.

  tests/bench/collectors/pg_bench.py --pg-collect build/rel/tests/collectors/postgres/pg_collect \
      [--cycles 200] [--tables 50]

For each side: wall time per cycle, client CPU per cycle (tocsin: the pg_collect process's own
getrusage, which includes nothing but the collector; exporter: utime+stime of its process from
/proc/<pid>/stat across the scrapes) and server CPU per cycle (utime+stime of every PostgreSQL
process from /proc, before and after). Both run back to back, not concurrently. Prints a table and
the ratios tocsin/exporter. Not a test: nothing is asserted.
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "collectors", "postgres"))
import pg_cluster  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid, children=False):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    total = int(fields[11]) + int(fields[12])  # utime + stime
    if children:
        total += int(fields[13]) + int(fields[14])  # cutime + cstime: reaped children
    return total / CLK_TCK


def postgres_pids(datadir):
    with open(os.path.join(datadir, "postmaster.pid")) as f:
        postmaster = int(f.readline())
    pids = [postmaster]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == postmaster:
                        pids.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return pids


def server_cpu(datadir):
    """CPU of the whole server: live processes, plus the postmaster's reaped children (a
    backend that exited, e.g. the collector's after its last cycle, moves there)."""
    pids = postgres_pids(datadir)
    total = proc_cpu(pids[0], children=True)
    for pid in pids[1:]:
        try:
            total += proc_cpu(pid)
        except OSError:
            pass  # exited between listing and reading: counted in cutime on the next sample
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg-collect", required=True)
    ap.add_argument("--exporter", default=shutil.which("prometheus-postgres-exporter") or
                    "/usr/bin/prometheus-postgres-exporter")
    ap.add_argument("--cycles", type=int, default=200)
    ap.add_argument("--tables", type=int, default=50)
    args = ap.parse_args()

    pg = pg_cluster.Cluster()
    tmp = tempfile.mkdtemp(prefix="tocsin-pgbench-")
    exporter = None
    try:
        pg.init_primary()
        pg.start("primary")
        pg.psql("primary", "CREATE EXTENSION pg_stat_statements")
        ddl = "".join(f"CREATE TABLE t{i} (id int PRIMARY KEY, v text); "
                      f"INSERT INTO t{i} SELECT g, 'x' FROM generate_series(1, 100) g; "
                      for i in range(args.tables))
        pg.psql("primary", ddl)
        pg.add_replica()
        datadir, _ = pg.servers["primary"]
        with open(os.path.join(tmp, "dsn"), "w") as f:
            f.write(pg.dsn("primary") + "\n")
        config = os.path.join(tmp, "tocsin.yml")
        with open(config, "w") as f:
            f.write("collectors:\n  postgres:\n    - {name: main, dsn_file: dsn, timeout: 10s}\n")

        # tocsin: N cycles in one process, one reused connection.
        s0 = server_cpu(datadir)
        p = subprocess.run([args.pg_collect, "--config", config, "--instance", "main",
                            "--cycles", str(args.cycles), "--print", "last"],
                           capture_output=True, text=True, check=True)
        s1 = server_cpu(datadir)
        stats = dict(kv.split("=") for kv in p.stdout.strip().splitlines()[-1].split()[2:])
        series_tocsin = sum(1 for l in p.stdout.splitlines() if l and not l.startswith("#"))
        t_wall = float(stats["wall_seconds"]) / args.cycles
        t_cpu = float(stats["cpu_seconds"]) / args.cycles
        t_srv = (s1 - s0) / args.cycles

        # prometheus-postgres-exporter: N sequential scrapes of /metrics.
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = dict(os.environ, DATA_SOURCE_NAME=pg.dsn("primary") + " sslmode=disable")
        exporter = subprocess.Popen([args.exporter, f"--web.listen-address=127.0.0.1:{port}"],
                                    env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/metrics"

        def scrape():
            with urllib.request.urlopen(url, timeout=30) as r:
                return r.read().decode()
        pg_cluster.wait_for(lambda: _try(scrape), "the exporter")
        body = scrape()  # warm: connection established, version detected
        series_exporter = sum(1 for l in body.splitlines()
                              if l.startswith("pg_") and not l.startswith("pg_exporter")
                              and not l.startswith("pg_scrape"))
        e0, s0, w0 = proc_cpu(exporter.pid), server_cpu(datadir), time.monotonic()
        for _ in range(args.cycles):
            scrape()
        e1, s1, w1 = proc_cpu(exporter.pid), server_cpu(datadir), time.monotonic()
        e_wall = (w1 - w0) / args.cycles
        e_cpu = (e1 - e0) / args.cycles
        e_srv = (s1 - s0) / args.cycles

        print(f"PostgreSQL {pg.psql('primary', 'SHOW server_version')}, {args.tables} user "
              f"tables, 1 streaming replica, pg_stat_statements; {args.cycles} cycles each")
        print(f"{'':34}{'tocsin':>12}{'pg_exporter':>14}{'ratio':>8}")
        rows = [("wall ms / cycle", t_wall * 1e3, e_wall * 1e3),
                ("client CPU ms / cycle", t_cpu * 1e3, e_cpu * 1e3),
                ("server CPU ms / cycle", t_srv * 1e3, e_srv * 1e3),
                ("series per cycle (pg_*)", series_tocsin, series_exporter)]
        for name, a, b in rows:
            ratio = a / b if b else float("nan")
            print(f"{name:34}{a:12.3f}{b:14.3f}{ratio:8.2f}")
        durations = sorted(((float(l.rsplit(" ", 1)[1]), l.split('"')[1]) for l in p.stdout.splitlines()
                            if l.startswith("pg_scrape_collector_duration_seconds{")), reverse=True)
        print("tocsin, last cycle, ms per query group: " +
              ", ".join(f"{name} {secs * 1e3:.2f}" for secs, name in durations))
        print("exporter 0.11 does not collect stat_user_tables, stat_statements, replication "
              "lag or postmaster start time by default; tocsin does all of them in its cycle.")
    finally:
        if exporter:
            exporter.kill()
            exporter.wait()
        pg.close()
        shutil.rmtree(tmp, ignore_errors=True)


def _try(fn):
    try:
        return fn()
    except OSError:
        return None


if __name__ == "__main__":
    main()
