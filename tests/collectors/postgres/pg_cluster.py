"""A throw-away PostgreSQL (Debian's `postgresql` package) for tests and benchmarks.

PostgreSQL refuses to run as root: when the test runs as root, every server command runs as the
`postgres` user the Debian package creates (through `runuser`), in a temp dir that user owns.
Servers listen on a unix socket in that dir only (no TCP), on a free port number (the port
names the socket). Every wait is a bounded poll.
"""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

SUPERUSER = "postgres"
PASSWORD = "s3cret-Pw.9xQ"  # tests grep logs for this string: keep it distinctive


def pg_bindir():
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                  key=lambda d: int(d.split("/")[-2]))
    if not dirs:
        raise RuntimeError("PostgreSQL is not installed (Debian package postgresql)")
    return dirs[-1]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, what, timeout=30.0, interval=0.05):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")


class Cluster:
    """Temp dir with a primary (and optionally a streaming replica) PostgreSQL."""

    def __init__(self):
        self.bindir = pg_bindir()
        self.root = os.geteuid() == 0
        self.dir = tempfile.mkdtemp(prefix="tocsin-pg-")
        os.chmod(self.dir, 0o755)
        if self.root:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.servers = {}  # name -> (datadir, port)
        self.pwfile = os.path.join(self.dir, "pwfile")
        with open(self.pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        if self.root:
            os.chown(self.pwfile, pw.pw_uid, pw.pw_gid)

    # --- running things as the postgres user ---------------------------------------------
    def run(self, args, check=True, env=None, timeout=120):
        cmd = (["runuser", "-u", "postgres", "--"] if self.root else []) + args
        full_env = dict(os.environ)
        full_env.update(env or {})
        p = subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=timeout)
        if check and p.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
        return p

    def tool(self, name):
        return os.path.join(self.bindir, name)

    # --- servers -------------------------------------------------------------------------
    def init_primary(self, name="primary", extra_conf=""):
        datadir = os.path.join(self.dir, name)
        port = free_port()
        self.run([self.tool("initdb"), "-D", datadir, "-U", SUPERUSER, "--auth=scram-sha-256",
                  "--pwfile", self.pwfile, "-E", "UTF8", "--locale=C"])
        with open(os.path.join(datadir, "postgresql.conf"), "a") as f:
            f.write(self._base_conf(port) + extra_conf)
        self.servers[name] = (datadir, port)
        return port

    def _base_conf(self, port):
        return (f"\nport = {port}\nlisten_addresses = ''\nunix_socket_directories = '{self.dir}'\n"
                "shared_preload_libraries = 'pg_stat_statements'\n"
                "pg_stat_statements.track = all\nfsync = off\nlogging_collector = off\n")

    def start(self, name):
        datadir, _ = self.servers[name]
        self.run([self.tool("pg_ctl"), "-D", datadir, "-l", os.path.join(self.dir, name + ".log"),
                  "-w", "-t", "60", "start"])

    def restart(self, name):
        datadir, _ = self.servers[name]
        self.run([self.tool("pg_ctl"), "-D", datadir, "-l", os.path.join(self.dir, name + ".log"),
                  "-m", "fast", "-w", "-t", "60", "restart"])

    def stop(self, name):
        datadir, _ = self.servers[name]
        self.run([self.tool("pg_ctl"), "-D", datadir, "-m", "immediate", "-w", "stop"],
                 check=False)

    def add_replica(self, name="replica", primary="primary"):
        _, pport = self.servers[primary]
        datadir = os.path.join(self.dir, name)
        port = free_port()
        self.run([self.tool("pg_basebackup"), "-h", self.dir, "-p", str(pport), "-U", SUPERUSER,
                  "-D", datadir, "-R", "-X", "stream", "-c", "fast"],
                 env={"PGPASSWORD": PASSWORD})
        with open(os.path.join(datadir, "postgresql.conf"), "a") as f:
            f.write(self._base_conf(port))
        self.servers[name] = (datadir, port)
        self.start(name)
        wait_for(lambda: self.psql(primary, "SELECT count(*) FROM pg_stat_replication "
                                            "WHERE state = 'streaming'") == "1",
                 "the replica to stream")
        return port

    def psql(self, name, sql, db="postgres"):
        _, port = self.servers[name]
        p = self.run([self.tool("psql") if os.path.exists(self.tool("psql")) else "psql",
                      "-h", self.dir, "-p", str(port), "-U", SUPERUSER, "-d", db,
                      "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                     env={"PGPASSWORD": PASSWORD})
        return p.stdout.strip()

    def psql_background(self, name, sql, db="postgres"):
        """A psql session left running (e.g. holding a lock); returns the Popen."""
        _, port = self.servers[name]
        cmd = (["runuser", "-u", "postgres", "--"] if self.root else []) + [
            "psql", "-h", self.dir, "-p", str(port), "-U", SUPERUSER, "-d", db, "-X", "-q",
            "-v", "ON_ERROR_STOP=1"]
        env = dict(os.environ, PGPASSWORD=PASSWORD)
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, env=env)
        p.stdin.write(sql + "\n")
        p.stdin.flush()
        return p

    def dsn(self, name, password=PASSWORD, db="postgres"):
        _, port = self.servers[name]
        return f"host={self.dir} port={port} user={SUPERUSER} dbname={db} password={password}"

    def close(self):
        for name in list(self.servers):
            self.stop(name)
        shutil.rmtree(self.dir, ignore_errors=True)
