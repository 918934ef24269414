#!/usr/bin/env python3
"""local_tls_e2e_test.py XDEPLOY_BIN: `xdeploy --backend local --tls` end to
end. Each slot runs the slots' nginx TLS front (xdeploy-tls-slot) in front of
the real falcon-xecutor, with a certificate for 127.0.0.1 from a throwaway CA
made with the openssl CLI; xdeploy's gate and prober verify the chain against
it (--health-ca-file). While blue is deployed, green added and promoted,
rolled back and promoted again, a client polls https://127.0.0.1:<public>/health
on a NEW connection each time, verifying the certificate against the CA:
0 failures allowed. After each promote, the very first request verifies and
answers from the new color. A SIGKILLed slot wrapper leaves no nginx or
service behind. Exits 77 (ctest SKIP) without nginx or openssl."""
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


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_pki(d):
    ca_key, ca = f"{d}/ca.key", f"{d}/ca.pem"
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=xdeploy test CA",
            "-keyout", ca_key, "-out", ca)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", f"{d}/key.pem",
            "-out", f"{d}/server.csr")
    with open(f"{d}/san.ext", "w", encoding="ascii") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", f"{d}/server.csr", "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
            "-days", "2", "-extfile", f"{d}/san.ext", "-out", f"{d}/cert.pem")
    return ca, f"{d}/cert.pem", f"{d}/key.pem"


def health(port, ctx):
    """(slot, None) or (None, error): a new verified TLS connection."""
    try:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=ctx)
        conn.request("GET", "/health")
        r = conn.getresponse()
        body = r.read()
        conn.close()
        if r.status != 200:
            return None, f"HTTP {r.status}"
        return json.loads(body)["slot"], None
    except (OSError, ValueError) as e:
        return None, f"{e.__class__.__name__}: {e}"


class Poller(threading.Thread):
    def __init__(self, port, ctx):
        super().__init__(daemon=True)
        self.port, self.ctx = port, ctx
        self.stop = threading.Event()
        self.total, self.failures = 0, []

    def run(self):
        while not self.stop.is_set() and self.total < 100000:
            slot, error = health(self.port, self.ctx)
            self.total += 1
            if error:
                self.failures.append(error)


def port_closed(port, budget=30.0):
    """True once nothing accepts connections on port (polled, bounded)."""
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return True
        time.sleep(0.05)
    return False


def check_sigkill_leaves_nothing(wrapper, service, cert, key, ctx):
    """xdeploy SIGKILLs a slot that ignores SIGTERM past its grace: the
    wrapper's nginx and service must not survive it on the slot's ports."""
    port = free_port()
    proc = subprocess.Popen([wrapper, "blue", str(port), cert, key, service], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while health(port, ctx)[0] != "blue":
            if time.monotonic() > deadline or proc.poll() is not None:
                fail("xdeploy-tls-slot did not come up on its own")
            time.sleep(0.05)
        proc.kill()
        proc.wait()
        if not port_closed(port):
            fail("nginx still serves the slot port after its wrapper was SIGKILLed")
        print("ok: SIGKILL of xdeploy-tls-slot takes its nginx and service down too")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def check_server_name(base):
    """--health-server-name: the certificate is checked for that name, the connection still goes to the
    slot's address. The test certificate names 127.0.0.1 and localhost, so localhost verifies and a
    name it does not carry is refused with a message saying so."""
    def status(name):
        return subprocess.run(base + ["--json", "--health-server-name", name, "status", "--check"],
                              capture_output=True, text=True, timeout=120)
    good, bad = status("localhost"), status("alerts.test")
    print(f"$ xdeploy status --check --health-server-name localhost -> {good.returncode}\n"
          f"$ xdeploy status --check --health-server-name alerts.test -> {bad.returncode}\n{bad.stdout}")
    if good.returncode != 0:
        fail(f"status --check by the certificate's name localhost: {good.returncode}\n{good.stdout}{good.stderr}")
    if bad.returncode == 0 or "alerts.test" not in bad.stdout + bad.stderr:
        fail("status --check by a name the certificate lacks did not fail naming the mismatch")
    print("ok: --health-server-name verifies the certificate by name while connecting to each slot")


def main():
    if len(sys.argv) != 2:
        fail("usage: local_tls_e2e_test.py XDEPLOY_BIN")
    os.environ["PATH"] += ":/usr/sbin"
    for tool in ("nginx", "openssl"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} missing (scripts/install-deps.sh installs it)")
            sys.exit(77)
    xdeploy = sys.argv[1]
    work = tempfile.mkdtemp(prefix="xdeploy-tls-e2e.")
    blue, green, public = free_port(), free_port(), free_port()
    ca, cert, key = make_pki(work)
    ctx = ssl.create_default_context(cafile=ca)
    base = [xdeploy, "--backend", "local", "-C", work, "--slot-ports", f"{blue},{green}", "--public-port",
            str(public), "--yes", "--health-interval", "200ms", "--tls", "--tls-cert", cert, "--tls-key", key,
            "--health-ca-file", ca]

    def run(*verb):
        r = subprocess.run(base + list(verb), capture_output=True, text=True, timeout=300)
        print(f"$ xdeploy {' '.join(verb)} -> {r.returncode}\n{r.stdout}{r.stderr}")
        if r.returncode != 0:
            fail(f"xdeploy {' '.join(verb)} exited {r.returncode}")

    def first_request_after_promote(expected):
        slot, error = health(public, ctx)
        if error or slot != expected:
            fail(f"first request after promoting {expected}: {slot} {error}")
        print(f"ok: the first request after promoting {expected} verified against the CA and answered {slot}")

    poller = None
    try:
        run("blue")
        first_request_after_promote("blue")
        poller = Poller(public, ctx)
        poller.start()
        run("teal")
        run("promote", "green")
        first_request_after_promote("green")
        run("rollback")
        first_request_after_promote("blue")
        run("promote", "green")
        first_request_after_promote("green")
        poller.stop.set()
        poller.join()
        check_server_name(base)
        print(f"polled https://127.0.0.1:{public}/health {poller.total} times across 3 switches, "
              f"{len(poller.failures)} failed")
        if poller.failures:
            fail(f"failed HTTPS requests across promotes: {poller.failures[:5]}")
        if poller.total < 20:
            fail(f"only {poller.total} requests made: the poller did not run")
        bin_dir = os.path.dirname(os.path.dirname(os.path.abspath(xdeploy)))  # build/src
        check_sigkill_leaves_nothing(os.path.join(bin_dir, "backend", "local", "xdeploy-tls-slot"),
                                     os.path.join(bin_dir, "service", "falcon-xecutor"), cert, key, ctx)
        print("OK")
    finally:
        if poller:
            poller.stop.set()
        subprocess.run(base + ["down"], capture_output=True, timeout=120)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
