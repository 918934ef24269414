#!/usr/bin/env python3
"""nginx_front_test.py FALCON_XECUTOR_BIN: the one nginx front config
(nginx-front.conf.in, rendered by render-nginx-front.sh inside
nginx-standalone.conf.in) run by Debian's nginx in front of the real service,
all on 127.0.0.1 with ports picked by the kernel. Certificates come from a
throwaway CA made with the openssl CLI at test time.

Checks: TLS verified against that CA (and refused against another CA), port 80
redirects with 308, /health keeps its identity, client address headers cannot
be spoofed through the front, 4 KiB body cap (also for a huge announced
Content-Length), a stalled header is cut off, unknown paths stop at nginx, a
burst from an allow-listed sender is not rate-limited (another address still
is, without an error-log line per rejection); and
with client certificates switched on: /webhook needs TradingView's CN from the
configured CA while /health does not. Exits 77 (ctest SKIP) without nginx or
openssl."""
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

# The front it tests ships with the service's package.
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "..", "..", "src", "service", "packaging")
TRADINGVIEW_CN = "TradingView Webhooks"
TRADINGVIEW_IP = "52.89.214.238"
SECRET = "front-test-secret"


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print(f"ok: {message}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, what, budget=30.0):
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            fail(f"{what} exited with {proc.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    fail(f"{what} not listening on {port} after {budget} s")


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


class Pki:
    """A throwaway CA, a server certificate for 127.0.0.1 and client certificates."""

    def __init__(self, root):
        self.root = root
        self.ca_key, self.ca = self._ca("ca", "falcon-xecutor test CA")
        self.other_ca_key, self.other_ca = self._ca("other-ca", "Some other CA")
        self.server_key, self.server = self._leaf("server", "localhost", self.ca, self.ca_key,
                                                  "subjectAltName=IP:127.0.0.1,DNS:localhost")
        self.tv_key, self.tv = self._leaf("tradingview", TRADINGVIEW_CN, self.ca, self.ca_key)
        self.wrong_cn_key, self.wrong_cn = self._leaf("wrong-cn", "Not TradingView", self.ca, self.ca_key)
        self.foreign_key, self.foreign = self._leaf("foreign", TRADINGVIEW_CN, self.other_ca,
                                                    self.other_ca_key)

    def _path(self, name):
        return os.path.join(self.root, name)

    def _ca(self, name, cn):
        key, crt = self._path(f"{name}.key"), self._path(f"{name}.pem")
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={cn}",
                "-keyout", key, "-out", crt)
        return key, crt

    def _leaf(self, name, cn, ca, ca_key, extension=None):
        key, csr, crt = self._path(f"{name}.key"), self._path(f"{name}.csr"), self._path(f"{name}.pem")
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={cn}", "-keyout", key, "-out", csr)
        args = ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
                "-out", crt]
        if extension:
            ext = self._path(f"{name}.ext")
            with open(ext, "w", encoding="ascii") as f:
                f.write(extension + "\n")
            args += ["-extfile", ext]
        openssl(*args)
        return key, crt


def suite_marker_directives():
    """nginx overwrites its environment with its process title, so the
    end-of-suite check (tests/no_process_left_behind) finds an nginx left
    running by these directives in its command line instead."""
    names = ("XD_TEST_SUITE", "XD_TEST_NAME")
    return "".join(f' env "{n}={os.environ[n]}";' for n in names if n in os.environ)


class Front:
    """One nginx with the rendered front, under its own prefix."""

    def __init__(self, root, pki, upstream_port, client_ca=None, allowed_ips="", ports=None):
        self.prefix = root
        self.http_port, self.https_port = ports or (free_port(), free_port())
        os.makedirs(os.path.join(root, "tmp"), exist_ok=True)
        args = [os.path.join(HERE, "render-nginx-front.sh"), os.path.join(HERE, "nginx-front.conf.in"),
                str(self.http_port), str(self.https_port), str(upstream_port), "localhost", pki.server,
                pki.server_key]
        if client_ca:
            args.append(client_ca)
        front = subprocess.run(args, check=True, capture_output=True, text=True,
                               env=dict(os.environ, XECUTOR_ALLOWED_IPS=allowed_ips)).stdout
        with open(os.path.join(root, "front.conf"), "w", encoding="ascii") as f:
            f.write(front)
        with open(os.path.join(HERE, "nginx-standalone.conf.in"), encoding="ascii") as f:
            main = f.read().replace("@PREFIX@", root)
        with open(os.path.join(root, "nginx.conf"), "w", encoding="ascii") as f:
            f.write(main)
        self.proc = subprocess.Popen(
            ["nginx", "-p", root, "-e", os.path.join(root, "error.log"), "-c",
             os.path.join(root, "nginx.conf"), "-g", "daemon off;" + suite_marker_directives()])
        wait_listening(self.https_port, self.proc, "nginx")
        wait_listening(self.http_port, self.proc, "nginx")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def tls_context(ca, cert=None, key=None):
    ctx = ssl.create_default_context(cafile=ca)
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


def request(port, method, path, ctx=None, body=None, headers=None, source=None):
    """(status, headers, body) of one request; ctx None means plain HTTP.
    `source`: the loopback address to send from (all of 127/8 is local)."""
    bind = (source, 0) if source else None
    if ctx is None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=bind)
    else:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=ctx,
                                           source_address=bind)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def order(secret=SECRET):
    return f"BUY\n0.1 BTC\n30000 USD\nsecret: {secret}\n".encode()


def logged_webhooks(service_log, budget=10.0):
    deadline = time.monotonic() + budget
    while True:
        with open(service_log, encoding="utf-8") as f:
            # Only whole lines: one still being written is read on the next pass.
            seen = [json.loads(line) for line in f if '"path":"/webhook"' in line and line.endswith("\n")]
        if seen or time.monotonic() > deadline:
            return seen
        time.sleep(0.05)


def check_plain_front(pki, front, service_log):
    ctx = tls_context(pki.ca)
    status, headers, body = request(front.https_port, "GET", "/health", ctx)
    check(status == 200 and json.loads(body)["slot"] == "blue" and headers.get("x-slot") == "blue",
          "/health through the front: 200, slot blue, X-Slot intact, chain verified against the test CA")

    try:
        request(front.https_port, "GET", "/health", tls_context(pki.other_ca))
        fail("a client trusting another CA accepted the front's certificate")
    except ssl.SSLCertVerificationError:
        check(True, "a client trusting another CA refuses the front's certificate")

    status, headers, _ = request(front.http_port, "POST", "/webhook", body=order())
    check(status == 308 and headers.get("location") == f"https://127.0.0.1:{front.https_port}/webhook",
          f"port {front.http_port} redirects to HTTPS with 308 (method and body kept): {headers.get('location')}")

    status, headers, _ = request(front.https_port, "POST", "/webhook", ctx, body=b"x" * 5000)
    check(status == 413 and "x-slot" not in headers, "a 5000-byte body is refused 413 by nginx")

    # A huge announced length is refused from the headers alone: no body is sent.
    with socket.create_connection(("127.0.0.1", front.https_port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            s.sendall(b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n")
            head = s.recv(64)
    check(head.startswith(b"HTTP/1.1 413"), "Content-Length: 1e9 answered 413 before any body byte")

    status, headers, body = request(front.https_port, "POST", "/webhook", ctx, body=order(),
                                    headers={"X-Real-IP": TRADINGVIEW_IP, "X-Forwarded-For": TRADINGVIEW_IP})
    check(status == 401 and json.loads(body)["outcome"] == "address_refused",
          "spoofed X-Real-IP / X-Forwarded-For of a TradingView address: refused (the client is 127.0.0.1)")
    # The service writes its request log line after the response has gone out,
    # so the line may land a moment after the client has read the answer.
    seen = logged_webhooks(service_log)
    # request_log leaves "client" out when it equals the peer.
    check(seen and seen[-1].get("client", seen[-1]["peer"]) == "127.0.0.1",
          "the service logged the real peer 127.0.0.1 as the client")

    status, headers, _ = request(front.https_port, "GET", "/admin", ctx)
    check(status == 404 and "x-slot" not in headers, "unknown paths stop at nginx (404)")

    # A client that never finishes its header is dropped (client_header_timeout 5 s).
    with socket.create_connection(("127.0.0.1", front.https_port), timeout=60) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            started = time.monotonic()
            try:
                rest = s.recv(4096)
            except (ConnectionError, ssl.SSLError):
                rest = b""
    check(not rest.startswith(b"HTTP/1.1 200"),
          f"a stalled header is cut off by nginx after {time.monotonic() - started:.1f} s")


def burst(front, ctx, source, n=60):
    """n simultaneous /webhook POSTs from `source`: their statuses."""
    statuses = []
    lock = threading.Lock()

    def one():
        try:
            status, _, _ = request(front.https_port, "POST", "/webhook", ctx, body=order(), source=source)
        except OSError as e:
            status = str(e)
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def check_burst_limits(pki, front):
    """The allow-listed sender (127.0.0.1 here, TradingView's addresses on a
    slot) is not limited by nginx; any other address still is, and its
    rejections write no error-log line."""
    ctx = tls_context(pki.ca)
    allowed = burst(front, ctx, "127.0.0.1")
    check(allowed.count(429) == 0 and len(allowed) == 60,
          f"60 simultaneous alerts from an allow-listed address: no 429 ({sorted(set(map(str, allowed)))})")
    other = burst(front, ctx, "127.0.0.2")
    check(other.count(429) >= 20,
          f"60 simultaneous alerts from another address: still limited ({other.count(429)} x 429)")
    with open(os.path.join(front.prefix, "error.log"), encoding="utf-8", errors="replace") as f:
        limit_lines = [line for line in f if "limiting" in line]
    check(not limit_lines, f"no error-log line for the rejections ({len(limit_lines)} found)")


def check_client_certificates(pki, front):
    def post(ctx):
        return request(front.https_port, "POST", "/webhook", ctx, body=order())

    status, headers, _ = request(front.https_port, "GET", "/health", tls_context(pki.ca))
    check(status == 200 and headers.get("x-slot") == "blue", "mTLS on: /health needs no client certificate")
    status, headers, _ = post(tls_context(pki.ca))
    check(status == 403 and "x-slot" not in headers, "mTLS on: /webhook without a certificate -> 403")
    status, headers, _ = post(tls_context(pki.ca, pki.wrong_cn, pki.wrong_cn_key))
    check(status == 403 and "x-slot" not in headers, "mTLS on: /webhook with another CN -> 403")
    try:
        status, headers, _ = post(tls_context(pki.ca, pki.foreign, pki.foreign_key))
        check(status in (400, 403) and "x-slot" not in headers,
              f"mTLS on: the right CN from another CA -> {status}")
    except (ssl.SSLError, ConnectionError) as e:
        check(True, f"mTLS on: the right CN from another CA -> handshake refused ({e.__class__.__name__})")
    status, headers, body = post(tls_context(pki.ca, pki.tv, pki.tv_key))
    check(headers.get("x-slot") == "blue" and json.loads(body)["outcome"] == "address_refused",
          "mTLS on: TradingView's certificate reaches the service (which applies its own checks)")


def main():
    if len(sys.argv) != 2:
        fail("usage: nginx_front_test.py FALCON_XECUTOR_BIN")
    for tool in ("nginx", "openssl"):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            print(f"SKIP: {tool} missing (scripts/install-deps.sh installs it)")
            sys.exit(77)
    os.environ["PATH"] += ":/usr/sbin"
    work = tempfile.mkdtemp(prefix="nginx-front-test.")
    procs = []
    try:
        pki = Pki(work)
        port = free_port()
        env = dict(os.environ, XECUTOR_WEBHOOK_SECRET=SECRET, XECUTOR_ALLOWED_IPS=TRADINGVIEW_IP,
                   XECUTOR_TRUSTED_PROXIES="127.0.0.1")
        service_log = os.path.join(work, "service.log")
        with open(service_log, "w", encoding="utf-8") as log:
            service = subprocess.Popen([sys.argv[1], "--port", str(port), "--slot", "blue"], env=env,
                                       stdout=log, stderr=subprocess.STDOUT)
        procs.append(service)
        wait_listening(port, service, "falcon-xecutor")

        plain = Front(os.path.join(work, "plain"), pki, port, allowed_ips="127.0.0.1")
        procs.append(plain.proc)
        check_plain_front(pki, plain, service_log)
        check_burst_limits(pki, plain)
        plain.stop()

        mtls = Front(os.path.join(work, "mtls"), pki, port, client_ca=pki.ca)
        procs.append(mtls.proc)
        check_client_certificates(pki, mtls)
        mtls.stop()
        print("OK")
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
