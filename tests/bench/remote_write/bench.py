#!/usr/bin/env python3
"""remote_write benchmark: tocsin against Prometheus 2.42 in agent mode doing the same job,
side by side in one run (not part of ctest).

The job: system metrics every second plus a local scrape target of --series series (default
50k) every --scrape-interval, pushed with remote_write to one receiver (a real Prometheus
with --web.enable-remote-write-receiver; the two senders are told apart by an external label).
tocsin does it alone (its system collector); Prometheus's agent needs node_exporter (Debian's
prometheus-node-exporter) for the system metrics, so its side is measured as agent +
node_exporter and the agent alone.

After --warmup seconds, for --measure seconds: CPU time of each process (utime+stime from
/proc/<pid>/stat), samples acknowledged by the receiver as each sender reports them
(tocsin_remote_storage_samples_total / prometheus_remote_storage_samples_total), and at the end
RSS (VmRSS), PSS and USS (smaps_rollup: Pss, Private_Clean + Private_Dirty). Prints samples/s,
samples per CPU-second (= samples/s per core), memory, and the ratios tocsin / Prometheus.

Usage: bench.py --tocsin build/release/agent/tocsin [--series 50000] [--warmup 30]
       [--measure 60] [--scrape-interval 5s]
"""
import argparse
import http.server
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def wait_http(url, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            get(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{what} did not come up at {url}")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def memory(pid):
    rss = pss = uss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            k, _, rest = line.partition(":")
            if k == "Pss":
                pss = int(rest.split()[0]) * 1024
            elif k in ("Private_Clean", "Private_Dirty"):
                uss += int(rest.split()[0]) * 1024
    return rss, pss, uss


def counter(url, name):
    total = 0.0
    for line in get(url).splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            total += float(line.rsplit(" ", 1)[1])
    return total


class Target(http.server.BaseHTTPRequestHandler):
    bodies = []
    turn = 0

    def log_message(self, *a):
        pass

    def do_GET(self):
        Target.turn += 1
        body = Target.bodies[Target.turn % len(Target.bodies)]
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def target_bodies(series):
    out = []
    for variant in range(3):
        rnd = random.Random(variant)
        lines = ["# HELP bench_value A synthetic gauge.", "# TYPE bench_value gauge"]
        for i in range(series):
            lines.append('bench_value{shard="%d",series="%d"} %d' % (i % 50, i, rnd.randrange(10**6)))
        out.append(("\n".join(lines) + "\n").encode())
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tocsin", required=True)
    ap.add_argument("--prometheus", default=shutil.which("prometheus") or "/usr/bin/prometheus")
    ap.add_argument("--node-exporter", default=shutil.which("prometheus-node-exporter")
                    or "/usr/bin/prometheus-node-exporter")
    ap.add_argument("--series", type=int, default=50000)
    ap.add_argument("--scrape-interval", default="5s")
    ap.add_argument("--warmup", type=float, default=30)
    ap.add_argument("--measure", type=float, default=60)
    args = ap.parse_args()

    work = tempfile.TemporaryDirectory(prefix="tocsin-rw-bench-")
    d = work.name
    procs = []

    def spawn(name, argv):
        log = open(os.path.join(d, name + ".log"), "wb")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        procs.append(p)
        return p

    try:
        Target.bodies = target_bodies(args.series)
        target_port = free_port()
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", target_port), Target)
        threading.Thread(target=srv.serve_forever, daemon=True).start()

        recv_port = free_port()
        with open(os.path.join(d, "recv.yml"), "w") as f:
            f.write("global: {}\n")
        spawn("receiver", [args.prometheus, f"--config.file={d}/recv.yml",
                           f"--storage.tsdb.path={d}/recv-data",
                           f"--web.listen-address=127.0.0.1:{recv_port}",
                           "--web.enable-remote-write-receiver"])
        wait_http(f"http://127.0.0.1:{recv_port}/-/ready", "receiver")
        write_url = f"http://127.0.0.1:{recv_port}/api/v1/write"

        ne_port = free_port()
        ne = spawn("node_exporter", [args.node_exporter,
                                     f"--web.listen-address=127.0.0.1:{ne_port}"])
        wait_http(f"http://127.0.0.1:{ne_port}/metrics", "node_exporter")

        agent_port = free_port()
        with open(os.path.join(d, "agent.yml"), "w") as f:
            f.write("global:\n  external_labels: {sender: prometheus}\n"
                    "scrape_configs:\n"
                    "  - job_name: node\n    scrape_interval: 1s\n    scrape_timeout: 1s\n"
                    f"    static_configs: [{{targets: ['127.0.0.1:{ne_port}']}}]\n"
                    f"  - job_name: bench\n    scrape_interval: {args.scrape_interval}\n"
                    f"    scrape_timeout: {args.scrape_interval}\n"
                    f"    static_configs: [{{targets: ['127.0.0.1:{target_port}']}}]\n"
                    f"remote_write:\n  - url: {write_url}\n")
        agent = spawn("prometheus_agent", [args.prometheus, "--enable-feature=agent",
                                           f"--config.file={d}/agent.yml",
                                           f"--storage.agent.path={d}/agent-data",
                                           f"--web.listen-address=127.0.0.1:{agent_port}"])
        wait_http(f"http://127.0.0.1:{agent_port}/-/ready", "prometheus agent")

        tocsin_port = free_port()
        with open(os.path.join(d, "tocsin.yml"), "w") as f:
            f.write("global:\n  interval: 1s\n  retention: 5m\n"
                    "  external_labels: {sender: tocsin}\n"
                    f"web:\n  listen_address: 127.0.0.1:{tocsin_port}\n"
                    f"state_dir: {d}/tocsin-state\n"
                    "collectors:\n  system: {}\n"
                    "scrape_configs:\n"
                    f"  - job_name: bench\n    scrape_interval: {args.scrape_interval}\n"
                    f"    scrape_timeout: {args.scrape_interval}\n"
                    f"    static_configs: [{{targets: ['127.0.0.1:{target_port}']}}]\n"
                    f"remote_write:\n  - url: {write_url}\n")
        tocsin = spawn("tocsin", [args.tocsin, "run", "--config", f"{d}/tocsin.yml",
                                  "--log.target", "stderr"])
        wait_http(f"http://127.0.0.1:{tocsin_port}/-/ready", "tocsin")

        t_metrics = f"http://127.0.0.1:{tocsin_port}/metrics"
        p_metrics = f"http://127.0.0.1:{agent_port}/metrics"
        print(f"warming up {args.warmup:.0f}s ({args.series} scraped series every "
              f"{args.scrape_interval} + system metrics every 1s) ...", flush=True)
        time.sleep(args.warmup)
        start = {
            "tocsin": (cpu_seconds(tocsin.pid), counter(t_metrics, "tocsin_remote_storage_samples_total")),
            "agent": (cpu_seconds(agent.pid), counter(p_metrics, "prometheus_remote_storage_samples_total")),
            "node_exporter": (cpu_seconds(ne.pid), 0),
        }
        t0 = time.monotonic()
        print(f"measuring {args.measure:.0f}s ...", flush=True)
        time.sleep(args.measure)
        elapsed = time.monotonic() - t0
        end = {
            "tocsin": (cpu_seconds(tocsin.pid), counter(t_metrics, "tocsin_remote_storage_samples_total")),
            "agent": (cpu_seconds(agent.pid), counter(p_metrics, "prometheus_remote_storage_samples_total")),
            "node_exporter": (cpu_seconds(ne.pid), 0),
        }
        mem = {"tocsin": memory(tocsin.pid), "agent": memory(agent.pid),
               "node_exporter": memory(ne.pid)}
        pending = counter(t_metrics, "tocsin_remote_storage_samples_pending")
        store_bytes = counter(t_metrics, "tocsin_store_bytes")

        def row(name, cpu, samples, m):
            sps = samples / elapsed
            per_core = samples / cpu if cpu > 0 else float("nan")
            print(f"{name:<28} {sps:>12.0f} {cpu / elapsed * 100:>8.1f}% {per_core:>14.0f} "
                  f"{m[0] / 2**20:>9.1f} {m[1] / 2**20:>9.1f} {m[2] / 2**20:>9.1f}")
            return sps, cpu, per_core, m

        cpu = {k: end[k][0] - start[k][0] for k in end}
        sent = {k: end[k][1] - start[k][1] for k in end}
        print()
        print(f"{'sender':<28} {'samples/s':>12} {'CPU':>9} {'samples/CPU-s':>14} "
              f"{'RSS MiB':>9} {'PSS MiB':>9} {'USS MiB':>9}")
        t = row("tocsin", cpu["tocsin"], sent["tocsin"], mem["tocsin"])
        a = row("prometheus --agent", cpu["agent"], sent["agent"], mem["agent"])
        both_mem = tuple(x + y for x, y in zip(mem["agent"], mem["node_exporter"]))
        ab = row("prometheus --agent + node_exp", cpu["agent"] + cpu["node_exporter"],
                 sent["agent"], both_mem)
        print()
        print(f"tocsin queue pending at the end: {pending:.0f} samples; its in-memory store "
              f"(global.retention 5m, which the agent-mode Prometheus has no equivalent of) "
              f"estimates {store_bytes / 2**20:.1f} MiB")
        for label, other in (("agent alone", a), ("agent + node_exporter", ab)):
            print(f"ratios tocsin / {label}: samples per CPU-second x{t[2] / other[2]:.2f}, "
                  f"RSS x{t[3][0] / other[3][0]:.2f}, PSS x{t[3][1] / other[3][1]:.2f}, "
                  f"USS x{t[3][2] / other[3][2]:.2f}")
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        work.cleanup()


if __name__ == "__main__":
    main()
