"""web.config_file (exporter-toolkit's web-config.yml) and web.enable_lifecycle, end to end.

Certificates are made by the openssl CLI at test time (a CA, a server certificate for
127.0.0.1, a client certificate, and a second CA the server does not trust); the clients are
real: Python's ssl/urllib, curl, `tocsin query` / `tocsin silence` with --http.config.file,
and Prometheus 2.42 scraping /metrics over TLS with basic auth.

  TOCSIN_BINARY=build/dev/agent/tocsin python3 tests/integration/web_security_test.py
"""
import base64
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request
import warnings

sys.path.insert(0, os.path.dirname(__file__))
from tocsin_harness import TOCSIN, Agent, free_port, metric_value, wait_for  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # noqa: E402  (libcrypt's bcrypt, as the agent verifies it)

PROMETHEUS = shutil.which("prometheus")
CURL = shutil.which("curl")


def bcrypt(password, cost=10):
    return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << cost))


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(d, name):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}",
            "-keyout", f"{name}.key", "-out", f"{name}.crt", cwd=d)


def make_cert(d, ca, name, san, client=False):
    ext = os.path.join(d, f"{name}.ext")
    with open(ext, "w") as f:
        f.write(f"subjectAltName={san}\n"
                f"extendedKeyUsage={'clientAuth' if client else 'serverAuth'}\n")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=d)
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", f"{name}.crt", cwd=d)


class Pki:
    """A CA, server certs for 127.0.0.1, a client cert; a second CA and its client cert."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="tocsin-pki-")
        d = self.dir = self.tmp.name
        make_ca(d, "ca")
        make_ca(d, "otherca")
        make_cert(d, "ca", "server", "IP:127.0.0.1,DNS:tocsin.test")
        make_cert(d, "ca", "server2", "IP:127.0.0.1,DNS:tocsin.test")
        make_cert(d, "ca", "client", "DNS:client.test", client=True)
        make_cert(d, "otherca", "stranger", "DNS:client.test", client=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def serial(self, name):
        out = subprocess.run(["openssl", "x509", "-noout", "-serial", "-in", self.path(name)],
                             capture_output=True, text=True, check=True).stdout
        return out.strip().split("=")[1].upper()


PKI = None


def pki():
    global PKI
    if PKI is None:
        PKI = Pki()
    return PKI


def request(url, method="GET", body=None, headers=None, ctx=None, auth=None, timeout=5):
    """(status, body, headers) or raises on transport errors (TLS refused, reset)."""
    h = dict(headers or {})
    if auth:
        h["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    req = urllib.request.Request(url, data=body, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=ctx) as r:
            return r.status, r.read().decode(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), e.headers


def client_ctx(ca="ca.crt", cert=None):
    ctx = ssl.create_default_context(cafile=pki().path(ca))
    if cert:
        ctx.load_cert_chain(pki().path(f"{cert}.crt"), pki().path(f"{cert}.key"))
    return ctx


class WebAgent(Agent):
    """An agent whose web section names a web config file (written by the test)."""

    def __init__(self, web_yml, lifecycle=False):
        super().__init__(config_text="")
        self.web_path = os.path.join(self.dir.name, "web.yml")
        self.write_web(web_yml)
        self.lifecycle = lifecycle
        self.write_config(self.config())
        self.https = "tls_server_config" in web_yml

    def config(self):
        return (f"global:\n  interval: 1s\n"
                f"web:\n  listen_address: 127.0.0.1:{self.port}\n"
                f"  config_file: {self.web_path}\n"
                + ("  enable_lifecycle: true\n" if self.lifecycle else "")
                + f"state_dir: {self.state_dir}\n"
                "collectors:\n  system: {}\n")

    def write_web(self, text):
        tmp = self.web_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.web_path)

    def url(self, path):
        return f"{'https' if self.https else 'http'}://127.0.0.1:{self.port}{path}"

    def wait_up(self, **kw):
        def up():
            self.alive_or_fail()
            try:
                return request(self.url("/-/healthy"), **kw)[0] == 200
            except (OSError, ssl.SSLError):
                return False
        wait_for(up, "the agent to answer /-/healthy")


def tls_web(**extra):
    p = pki()
    lines = [f"tls_server_config:", f"  cert_file: {p.path('server.crt')}",
             f"  key_file: {p.path('server.key')}"]
    for k, v in extra.items():
        lines.append(f"  {k}: {v}")
    return "\n".join(lines) + "\n"


class BasicAuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.agent = WebAgent(f"basic_auth_users:\n  alice: '{bcrypt('wonderland')}'\n"
                             "http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n")
        cls.agent.start()
        cls.agent.wait_up(auth=("alice", "wonderland"))

    @classmethod
    def tearDownClass(cls):
        cls.agent.stop()
        cls.agent.close()

    def test_right_and_wrong_passwords(self):
        status, _, h = request(self.agent.url("/metrics"))
        self.assertEqual(status, 401)
        self.assertEqual(h["WWW-Authenticate"], "Basic")
        self.assertEqual(h["X-Content-Type-Options"], "nosniff")
        self.assertEqual(request(self.agent.url("/metrics"), auth=("alice", "Wonderland"))[0], 401)
        self.assertEqual(request(self.agent.url("/metrics"), auth=("bob", "wonderland"))[0], 401)
        status, body, h = request(self.agent.url("/metrics"), auth=("alice", "wonderland"))
        self.assertEqual(status, 200)
        self.assertIn("tocsin_build_info", body)
        self.assertEqual(h["X-Content-Type-Options"], "nosniff")

    def test_silences_need_auth_and_json(self):
        body = json.dumps({"matchers": [{"name": "a", "value": "b", "isRegex": False}],
                           "startsAt": "2030-01-01T00:00:00Z", "endsAt": "2030-01-02T00:00:00Z",
                           "createdBy": "t", "comment": "c"}).encode()
        url = self.agent.url("/api/v2/silences")
        json_type = {"Content-Type": "application/json"}
        self.assertEqual(request(url, "POST", body, json_type)[0], 401)
        self.assertEqual(request(url, "POST", body, {"Content-Type": "text/plain"},
                                 auth=("alice", "wonderland"))[0], 415)
        status, answer, _ = request(url, "POST", body, json_type, auth=("alice", "wonderland"))
        self.assertEqual(status, 200, answer)
        self.assertIn("silenceID", json.loads(answer))

    def test_lifecycle_is_off_by_default(self):
        status, body, _ = request(self.agent.url("/-/reload"), "POST", b"",
                                  auth=("alice", "wonderland"))
        self.assertEqual(status, 403)
        self.assertEqual(body, "Lifecycle API is not enabled.\n")
        self.assertEqual(request(self.agent.url("/-/reload"), "PUT", b"",
                                 auth=("alice", "wonderland"))[0], 403)

    def test_cli_with_http_config_file(self):
        cfg = os.path.join(self.agent.dir.name, "client.yml")
        with open(cfg, "w") as f:
            f.write("basic_auth:\n  username: alice\n  password: wonderland\n")
        out = subprocess.run([TOCSIN, "query", "vector(1)", "--url", self.agent.url(""),
                              "--http.config.file", cfg], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("=> 1 @[", out.stdout)
        out = subprocess.run([TOCSIN, "query", "up", "--url", self.agent.url("")],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 1)
        add = subprocess.run([TOCSIN, "silence", "add", "--comment", "x", "job=y", "--url",
                              self.agent.url(""), "--http.config.file", cfg],
                             capture_output=True, text=True)
        self.assertEqual(add.returncode, 0, add.stderr)
        sid = add.stdout.strip()
        expire = subprocess.run([TOCSIN, "silence", "expire", sid, "--url", self.agent.url(""),
                                 "--http.config.file", cfg], capture_output=True, text=True)
        self.assertEqual(expire.returncode, 0, expire.stderr)
        with open(cfg, "w") as f:
            f.write("basic_auth:\n  username: alice\n  pasword: typo\n")
        bad = subprocess.run([TOCSIN, "silence", "query", "--url", self.agent.url(""),
                              "--http.config.file", cfg], capture_output=True, text=True)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("client.yml:3:3: basic_auth.pasword: unknown key", bad.stderr)


class TlsTest(unittest.TestCase):
    def start(self, web_yml, lifecycle=False, **wait):
        a = WebAgent(web_yml, lifecycle)
        self.addCleanup(a.close)
        a.start()
        a.wait_up(**wait)
        return a

    def test_https_and_plain_http_refused(self):
        a = self.start(tls_web(), ctx=client_ctx())
        status, body, _ = request(a.url("/metrics"), ctx=client_ctx())
        self.assertEqual(status, 200)
        self.assertIn("tocsin_build_info", body)
        with self.assertRaises((OSError, ssl.SSLError)):
            request(a.url("/metrics"), ctx=client_ctx("otherca.crt"))  # untrusted server cert
        with self.assertRaises(OSError):
            request(f"http://127.0.0.1:{a.port}/metrics")  # plain HTTP on the TLS port
        if CURL:
            out = subprocess.run([CURL, "-sS", "--cacert", pki().path("ca.crt"), a.url("/metrics"),
                                  "-o", "/dev/null", "-w", "%{http_code} %{ssl_verify_result}"],
                                 capture_output=True, text=True)
            self.assertEqual(out.stdout, "200 0", out.stderr)
            low = subprocess.run([CURL, "-sS", "--cacert", pki().path("ca.crt"), "--tls-max",
                                  "1.1", a.url("/metrics")], capture_output=True, text=True)
            self.assertNotEqual(low.returncode, 0)  # min_version TLS12 by default

    def test_client_certificates_required_and_verified(self):
        a = self.start(tls_web(client_auth_type="RequireAndVerifyClientCert",
                               client_ca_file=pki().path("ca.crt")),
                       ctx=client_ctx(cert="client"))
        self.assertEqual(request(a.url("/metrics"), ctx=client_ctx(cert="client"))[0], 200)
        for ctx in (client_ctx(), client_ctx(cert="stranger")):
            with self.assertRaises((OSError, ssl.SSLError)):
                request(a.url("/metrics"), ctx=ctx)

    def test_verify_if_given_and_allowed_sans(self):
        a = self.start(tls_web(client_auth_type="VerifyClientCertIfGiven",
                               client_ca_file=pki().path("ca.crt"),
                               client_allowed_sans="[other.test]"), ctx=client_ctx())
        self.assertEqual(request(a.url("/-/healthy"), ctx=client_ctx())[0], 200)  # none given
        for cert in ("client", "stranger"):  # SAN not allowed / CA not trusted
            with self.assertRaises((OSError, ssl.SSLError)):
                request(a.url("/-/healthy"), ctx=client_ctx(cert=cert))
        a.write_web(tls_web(client_auth_type="VerifyClientCertIfGiven",
                            client_ca_file=pki().path("ca.crt"),
                            client_allowed_sans="[client.test]"))
        a.send_signal(signal.SIGHUP)
        wait_for(lambda: request(a.url("/-/healthy"), ctx=client_ctx(cert="client"))[0] == 200,
                 "the allowed SAN to be accepted after SIGHUP")

    def test_require_any_accepts_an_unverified_certificate(self):
        a = self.start(tls_web(client_auth_type="RequireAnyClientCert"),
                       ctx=client_ctx(cert="stranger"))
        self.assertEqual(request(a.url("/-/healthy"), ctx=client_ctx(cert="stranger"))[0], 200)
        with self.assertRaises((OSError, ssl.SSLError)):
            request(a.url("/-/healthy"), ctx=client_ctx())

    def test_reload_picks_up_a_new_certificate_and_keeps_a_good_one(self):
        a = self.start(tls_web(), lifecycle=True, ctx=client_ctx())

        def served_serial():
            ctx = client_ctx()
            import socket
            with socket.create_connection(("127.0.0.1", a.port), timeout=5) as s:
                with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
                    der = t.getpeercert(binary_form=True)
            pem = ssl.DER_cert_to_PEM_cert(der)
            out = subprocess.run(["openssl", "x509", "-noout", "-serial"], input=pem,
                                 capture_output=True, text=True, check=True).stdout
            return out.strip().split("=")[1].upper()

        self.assertEqual(served_serial(), pki().serial("server.crt"))
        # A broken file: the reload fails, reports where, and the running TLS keeps serving.
        a.write_web(tls_web().replace("server.key", "server2.key"))
        status, body, _ = request(a.url("/-/reload"), "POST", b"", ctx=client_ctx())
        self.assertEqual(status, 500)
        self.assertIn("web.yml:3:3: tls_server_config.key_file", body)
        self.assertIn("does not match", body)
        self.assertEqual(served_serial(), pki().serial("server.crt"))
        a.write_web(tls_web().replace("server.", "server2."))
        status, body, _ = request(a.url("/-/reload"), "POST", b"", ctx=client_ctx())
        self.assertEqual(status, 200, body)
        self.assertEqual(served_serial(), pki().serial("server2.crt"))
        self.assertEqual(metric_value(request(a.url("/metrics"), ctx=client_ctx())[1],
                                      "tocsin_config_last_reload_successful"), 1)
        # Dropping TLS needs a restart: refused, HTTPS keeps working.
        a.write_web("basic_auth_users: {}\n")
        status, body, _ = request(a.url("/-/reload"), "POST", b"", ctx=client_ctx())
        self.assertEqual(status, 500)
        self.assertIn("takes a restart", body)

    def test_bad_web_config_at_start_exits_78(self):
        a = WebAgent(tls_web(cipher_suites="[TLS_FAKE_CIPHER]"))
        self.addCleanup(a.close)
        a.start()
        self.assertEqual(a.proc.wait(timeout=20), 78)
        self.assertIn("web.yml:4:19: tls_server_config.cipher_suites[0]: unknown cipher: "
                      "TLS_FAKE_CIPHER", a.logs())
        check = subprocess.run([TOCSIN, "check", "config", a.config_path], capture_output=True,
                               text=True)
        self.assertEqual(check.returncode, 1)
        self.assertIn("unknown cipher", check.stderr)

    def test_cipher_and_version_settings(self):
        a = self.start(tls_web(max_version="TLS12",
                               cipher_suites="[TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]",
                               curve_preferences="[CurveP384]"), ctx=client_ctx())
        import socket
        with socket.create_connection(("127.0.0.1", a.port), timeout=5) as s:
            with client_ctx().wrap_socket(s, server_hostname="127.0.0.1") as t:
                self.assertEqual(t.version(), "TLSv1.2")
                self.assertEqual(t.cipher()[0], "ECDHE-RSA-AES256-GCM-SHA384")

    def test_cli_over_https_with_client_certificate(self):
        a = self.start(tls_web(client_auth_type="RequireAndVerifyClientCert",
                               client_ca_file=pki().path("ca.crt")),
                       ctx=client_ctx(cert="client"))
        cfg = os.path.join(a.dir.name, "client.yml")
        with open(cfg, "w") as f:
            f.write(f"tls_config:\n  ca_file: {pki().path('ca.crt')}\n"
                    f"  cert_file: {pki().path('client.crt')}\n"
                    f"  key_file: {pki().path('client.key')}\n  server_name: tocsin.test\n")
        out = subprocess.run([TOCSIN, "query", "vector(1)", "--url",
                              f"https://127.0.0.1:{a.port}", "--http.config.file", cfg],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("=> 1 @[", out.stdout)
        q = subprocess.run([TOCSIN, "silence", "query", "--url", f"https://127.0.0.1:{a.port}",
                            "--http.config.file", cfg], capture_output=True, text=True)
        self.assertEqual(q.returncode, 0, q.stderr)
        no_cert = subprocess.run([TOCSIN, "query", "up", "--url", f"https://127.0.0.1:{a.port}"],
                                 capture_output=True, text=True)
        self.assertEqual(no_cert.returncode, 1)


@unittest.skipUnless(PROMETHEUS, "prometheus not installed")
class PrometheusScrapeTest(unittest.TestCase):
    def test_prometheus_scrapes_over_tls_with_basic_auth(self):
        a = WebAgent(tls_web() + f"basic_auth_users:\n  prom: '{bcrypt('scrape-secret')}'\n")
        self.addCleanup(a.close)
        a.start()
        a.wait_up(ctx=client_ctx(), auth=("prom", "scrape-secret"))
        d = tempfile.TemporaryDirectory(prefix="tocsin-prom-")
        self.addCleanup(d.cleanup)
        port = free_port()
        cfg = os.path.join(d.name, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global: {scrape_interval: 1s}\nscrape_configs:\n"
                    "  - job_name: tocsin\n    scheme: https\n"
                    f"    tls_config: {{ca_file: {pki().path('ca.crt')}}}\n"
                    "    basic_auth: {username: prom, password: scrape-secret}\n"
                    f"    static_configs: [{{targets: ['127.0.0.1:{a.port}']}}]\n"
                    "  - job_name: wrong-password\n    scheme: https\n"
                    f"    tls_config: {{ca_file: {pki().path('ca.crt')}}}\n"
                    "    basic_auth: {username: prom, password: nope}\n"
                    f"    static_configs: [{{targets: ['127.0.0.1:{a.port}']}}]\n")
        prom = subprocess.Popen([PROMETHEUS, f"--config.file={cfg}",
                                 f"--storage.tsdb.path={os.path.join(d.name, 'data')}",
                                 f"--web.listen-address=127.0.0.1:{port}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def stop():
            prom.terminate()
            prom.wait(timeout=20)
        self.addCleanup(stop)

        def targets():
            status, body, _ = request(f"http://127.0.0.1:{port}/api/v1/targets")
            if status != 200:
                return None
            ts = {t["labels"]["job"]: t for t in json.loads(body)["data"]["activeTargets"]}
            if ts.get("tocsin", {}).get("health") == "up" and \
                    ts.get("wrong-password", {}).get("health") == "down":
                return ts
            return None
        ts = wait_for(targets, "Prometheus to scrape tocsin over TLS", timeout=60)
        self.assertIn("401", ts["wrong-password"]["lastError"])
        status, body, _ = request(f"http://127.0.0.1:{port}/api/v1/query?query="
                                  "tocsin_build_info%7Bjob%3D%22tocsin%22%7D")
        self.assertEqual(len(json.loads(body)["data"]["result"]), 1, body)


if __name__ == "__main__":
    if not TOCSIN:
        sys.exit("set TOCSIN_BINARY")
    unittest.main(argv=sys.argv[:1] + sys.argv[1:])
