"""The production path on loopback, for the delivery scenarios and the burst
benchmark: the FalconX stand-in (tests/mock_falconx) -> falcon-xecutor in LIVE
mode with a file claim store (one service per slot, both sharing the store)
-> the real nginx front (src/service/packaging, rendered as a slot renders it,
with the sender allow-listed) -> TradingView's client (tradingview_client.py).

Clocks: the stand-in and the services can run under libfaketime (Debian's
faketime package) with one fixed offset, so a scenario can start at second :57
of a minute without waiting for the wall clock; both see the same shifted
time, so quote expiry and alert age agree. The test computes the same shifted
time for the alert's `time:` line.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
# The nginx front's test support lives with the service's tests (it renders the
# template from src/service/packaging itself).
sys.path.insert(0, os.path.join(HERE, "..", "service"))
import nginx_front_test as front_support  # noqa: E402  (Pki, Front, free_port: one copy)

FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
API_KEY = "delivery-key"
API_SECRET = "bW9jay1mYWxjb254LXNlY3JldC1rZXktMDEyMzQ1Njc4OQ=="
PASSPHRASE = "delivery-pass"
WEBHOOK_SECRET = "delivery-secret"
SENDER = "127.0.0.1"  # the allow-listed address the client sends from


_ports_handed_out = set()
_ports_lock = threading.Lock()


def free_port():
    """A kernel-picked free port never handed out before in this process: the
    scenarios start stacks in parallel, and bind-then-release alone let two
    of them pick the same port."""
    while True:
        port = front_support.free_port()
        with _ports_lock:
            if port not in _ports_handed_out:
                _ports_handed_out.add(port)
                return port


def listening(port, proc, budget=30.0):
    """True once `port` accepts connections while `proc` still runs; False if
    proc exits first (e.g. the port was taken meanwhile by someone else)."""
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc.poll() is None
        except OSError:
            time.sleep(0.05)
    return False


def start_with_retries(start, what, tries=4):
    """start() -> (proc, ok). Retried on fresh ports: on a machine shared with
    other test runs a port picked as free can be taken before it is bound."""
    for _ in range(tries):
        proc, ok = start()
        if ok:
            return proc
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=30)
    raise RuntimeError(f"{what} did not start listening after {tries} tries")


def faketime_available():
    return os.path.exists(FAKETIME_LIB)


def sanitizer_runtime(binary):
    """The ASan runtime an instrumented binary links (build-asan), else None:
    it must come first in LD_PRELOAD, before libfaketime."""
    try:
        out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=False).stdout
    except OSError:
        return None
    for line in out.splitlines():
        if "libasan" in line and "=>" in line:
            return line.split("=>", 1)[1].split("(")[0].strip()
    return None


def clock_env(offset_s, binary):
    """Environment that shifts a process's wall clock by offset_s whole seconds
    (monotonic clocks untouched: timeouts and deadlines stay real)."""
    if not offset_s:
        return {}
    preload = " ".join(p for p in (sanitizer_runtime(binary), FAKETIME_LIB) if p)
    return {"LD_PRELOAD": preload, "FAKETIME": f"{offset_s:+d}",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1"}


def front_init(front, root, pki, upstream_port, allowed_ips):
    """Front.__init__ without its exit on failure: sets front.ok to whether
    THIS nginx listens on both ports (nginx keeps retrying a taken port for
    ~2 s before it exits, while another process answers on it)."""
    ports = (free_port(), free_port())
    try:
        front_support.Front.__init__(front, root, pki, upstream_port, allowed_ips=allowed_ips,
                                     ports=ports)
        front.ok = True
    except SystemExit:  # wait_listening() gave up: nginx exited
        front.ok = False
    if front.ok:
        with open(os.path.join(root, "error.log"), encoding="utf-8", errors="replace") as f:
            front.ok = "Address already in use" not in f.read() and front.proc.poll() is None


class Mock:
    """tests/mock_falconx on a free port; steered through /_admin."""

    def __init__(self, binary, work, offset_s=0):
        self.log_path = os.path.join(work, "mock.log")
        env = dict(os.environ, MOCK_FALCONX_API_KEY=API_KEY, MOCK_FALCONX_SECRET_KEY=API_SECRET,
                   MOCK_FALCONX_PASSPHRASE=PASSPHRASE, **clock_env(offset_s, binary))

        def start():
            self.port = free_port()
            with open(self.log_path, "a", encoding="utf-8") as log:
                proc = subprocess.Popen([binary, "--port", str(self.port)], env=env, stdout=log,
                                        stderr=subprocess.STDOUT)
            return proc, listening(self.port, proc)

        self.proc = start_with_retries(start, "mock_falconx")
        self.url = f"http://127.0.0.1:{self.port}"

    def admin(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method="POST" if data else "GET")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def configure(self, **behaviour):
        return self.admin("/_admin/config", behaviour)

    def down(self, ms):
        return self.admin("/_admin/down", {"ms": ms})

    def stats(self, budget=15.0):
        """The stand-in's counters; waits while it is down (connections refused)."""
        deadline = time.monotonic() + budget
        while True:
            try:
                return self.admin("/_admin/stats")
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


class Service:
    """One falcon-xecutor slot in live mode behind its own nginx front."""

    def __init__(self, binary, work, pki, slot, mock, claims_dir, offset_s=0, extra_env=None,
                 front_allows_sender=True):
        self.slot = slot
        self.log_path = os.path.join(work, f"service-{slot}.log")
        env = dict(os.environ, FALCONX_API_KEY=API_KEY, FALCONX_SECRET_KEY=API_SECRET,
                   FALCONX_PASSPHRASE=PASSPHRASE, FALCONX_BASE_URL=mock.url,
                   XECUTOR_WEBHOOK_SECRET=WEBHOOK_SECRET, XECUTOR_EXECUTE="1",
                   XECUTOR_CLAIM_STORE=f"file:{claims_dir}", XECUTOR_ALLOWED_IPS=SENDER,
                   XECUTOR_TRUSTED_PROXIES="127.0.0.1",
                   XECUTOR_HALT_FILE=os.path.join(work, "HALT"), **clock_env(offset_s, binary))
        env.update(extra_env or {})

        def start_service():
            self.port = free_port()
            with open(self.log_path, "a", encoding="utf-8") as log:
                proc = subprocess.Popen([binary, "--port", str(self.port), "--slot", slot], env=env,
                                        stdout=log, stderr=subprocess.STDOUT)
            return proc, listening(self.port, proc)

        def start_front():
            root = os.path.join(work, f"nginx-{slot}")
            shutil.rmtree(root, ignore_errors=True)
            front = front_support.Front.__new__(front_support.Front)
            self.front = front
            front_init(front, root, pki, self.port, SENDER if front_allows_sender else "")
            return front.proc, front.ok

        self.proc = start_with_retries(start_service, f"falcon-xecutor {slot}")
        try:
            start_with_retries(start_front, f"nginx front of {slot}")
        except BaseException:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            raise
        self.url = f"https://127.0.0.1:{self.front.https_port}/webhook"

    def order_status(self, alert_id):
        """GET /orders/<id> on the service itself (loopback, bearer secret)."""
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/orders/{alert_id}",
                                     headers={"Authorization": f"Bearer {WEBHOOK_SECRET}"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            return {"http_status": e.code, **json.loads(e.read() or b"{}")}

    def log_events(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            out = []
            for line in f:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
            return out

    def stop(self):
        for p in (self.front.proc, self.proc):
            if p.poll() is None:
                p.terminate()
        for p in (self.front.proc, self.proc):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


class Stack:
    """A stand-in, one or two slots sharing one file claim store."""

    def __init__(self, bins, work, pki, slots=("blue",), offset_s=0, service_env=None,
                 front_allows_sender=True):
        os.makedirs(work, exist_ok=True)
        self.work = work
        self.offset_s = offset_s
        self.mock = None
        self.services = []
        try:
            self.mock = Mock(bins["mock"], work, offset_s)
            claims = os.path.join(work, "claims")
            os.makedirs(claims, exist_ok=True)
            for slot in slots:
                self.services.append(Service(bins["service"], work, pki, slot, self.mock, claims,
                                             offset_s, service_env, front_allows_sender))
        except BaseException:
            self.stop()
            raise

    def fake_now(self):
        """The wall clock the stand-in and the services see."""
        return time.time() + self.offset_s

    def stop(self):
        for s in self.services:
            s.stop()
        if self.mock and self.mock.proc.poll() is None:
            self.mock.proc.terminate()
            self.mock.proc.wait(timeout=30)

    def remove(self):
        shutil.rmtree(self.work, ignore_errors=True)
