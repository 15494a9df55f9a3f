#!/usr/bin/env python3
"""Cost per collection cycle of tocsin's redis collector next to the bare cost of the INFO it
issues, against one throw-away redis-server in the same run (and, for reference, Debian's
prometheus-redis-exporter when installed).

  tests/bench/collectors/redis_bench.py --redis-collect \
      build/rel/tests/collectors/redis/redis_collect [--cycles 2000]

Rows: wall time per cycle; client CPU per cycle (redis_collect's getrusage; redis-benchmark's
and the exporter's utime+stime from /proc); redis-server CPU per cycle. "INFO ALL" is
redis-benchmark issuing exactly the command the collector sends, one client, no pipelining.
Not a test: nothing is asserted.
"""
import argparse
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--redis-collect", required=True)
    ap.add_argument("--cycles", type=int, default=2000)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="tocsin-redisbench-")
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                               "--dir", tmp, "--save", ""], stdout=subprocess.DEVNULL)
    exporter = None
    try:
        wait_listening(port)
        # Some data so that INFO has a keyspace and command stats.
        subprocess.run(["redis-benchmark", "-p", str(port), "-n", "20000", "-r", "5000",
                        "-t", "set,get,incr,lpush", "-q"], check=True, capture_output=True)
        config = os.path.join(tmp, "tocsin.yml")
        with open(config, "w") as f:
            f.write(f"collectors:\n  redis:\n    - {{name: main, address: '127.0.0.1:{port}', "
                    "timeout: 10s}\n")
        rows = []

        # Bare INFO ALL, one client, sequential (redis-benchmark's own loop).
        s0, w0 = proc_cpu(server.pid), time.monotonic()
        b = subprocess.Popen(["redis-benchmark", "-p", str(port), "-n", str(args.cycles), "-c",
                              "1", "-P", "1", "-q", "INFO", "ALL"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        b.stdout.read()
        b.stderr.read()
        # redis-benchmark exits before /proc could be read: its CPU comes from wait4's rusage.
        _, _, ru = os.wait4(b.pid, 0)
        b.returncode = 0
        w1, s1 = time.monotonic(), proc_cpu(server.pid)
        rows.append(("INFO ALL (redis-benchmark)", (w1 - w0) / args.cycles,
                     (ru.ru_utime + ru.ru_stime) / args.cycles, (s1 - s0) / args.cycles))

        # tocsin's collector: N cycles in one process.
        s0 = proc_cpu(server.pid)
        p = subprocess.run([args.redis_collect, "--config", config, "--instance", "main",
                            "--cycles", str(args.cycles), "--print", "last"],
                           capture_output=True, text=True, check=True)
        s1 = proc_cpu(server.pid)
        stats = dict(kv.split("=") for kv in p.stdout.strip().splitlines()[-1].split()[2:])
        series = sum(1 for l in p.stdout.splitlines() if l.startswith("redis_"))
        rows.append((f"tocsin redis collector ({series} series)",
                     float(stats["wall_seconds"]) / args.cycles,
                     float(stats["cpu_seconds"]) / args.cycles, (s1 - s0) / args.cycles))

        # Reference: prometheus-redis-exporter scraped sequentially.
        exe = shutil.which("prometheus-redis-exporter")
        if exe:
            eport = free_port()
            exporter = subprocess.Popen([exe, "-redis.addr", f"redis://127.0.0.1:{port}",
                                         "-web.listen-address", f"127.0.0.1:{eport}"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_listening(eport)
            url = f"http://127.0.0.1:{eport}/metrics"
            body = urllib.request.urlopen(url, timeout=30).read().decode()
            eseries = sum(1 for l in body.splitlines() if l.startswith("redis_"))
            n = max(1, args.cycles // 10)
            e0, s0, w0 = proc_cpu(exporter.pid), proc_cpu(server.pid), time.monotonic()
            for _ in range(n):
                urllib.request.urlopen(url, timeout=30).read()
            e1, s1, w1 = proc_cpu(exporter.pid), proc_cpu(server.pid), time.monotonic()
            rows.append((f"redis_exporter 1.45 ({eseries} series, {n} scrapes)",
                         (w1 - w0) / n, (e1 - e0) / n, (s1 - s0) / n))

        version = subprocess.run(["redis-server", "--version"], capture_output=True,
                                 text=True).stdout.split()[2].removeprefix("v=")
        print(f"redis-server {version}, {args.cycles} cycles")
        print(f"{'':46}{'wall ms':>10}{'client CPU ms':>15}{'server CPU ms':>15}")
        for name, wall, cpu, srv in rows:
            cpu_s = f"{cpu * 1e3:15.4f}" if cpu is not None else f"{'n/a':>15}"
            print(f"{name:46}{wall * 1e3:10.4f}{cpu_s}{srv * 1e3:15.4f}")
        base = rows[0]
        t = rows[1]
        print(f"ratio tocsin/INFO: wall {t[1] / base[1]:.2f}x, server CPU {t[3] / base[3]:.2f}x")
        if len(rows) > 2:
            e = rows[2]
            print(f"ratio tocsin/redis_exporter: wall {t[1] / e[1]:.2f}x, client CPU "
                  f"{t[2] / e[2]:.2f}x, server CPU {t[3] / e[3]:.2f}x")
    finally:
        if exporter:
            exporter.kill()
            exporter.wait()
        server.kill()
        server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
