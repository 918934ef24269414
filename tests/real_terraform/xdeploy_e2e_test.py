#!/usr/bin/env python3
"""The whole story end to end: the built xdeploy -> real Terraform -> the real
aws provider (from the machine's mirror) -> the AWS endpoint emulator, on a copy
of terraform/ as shipped, with real HTTP traffic on the static IP.

  xdeploy_e2e_test.py SCENARIO --xdeploy BIN --service BIN

Scenarios (each its own temp dir, emulator and addresses: CTest runs two at once):
  seed_story    blue, teal, ~green, promote green, rollback (right after the
                promote: the stale-address bug), promote green, cleanup, then a
                new build (output-only plan: no apply, status says STALE). A
                client loop requests the public address the whole time: no
                failed request outside a promote/rollback, and none longer than
                the downtime xdeploy's prober measured. After each verb
                `status --json` and `status --check` are compared with the
                emulator's own state.
  faults        `xdeploy blue` on a build whose /health answers 500 (exit 3,
                the static IP attached to nothing), then one emulator fault per
                step: CreateInstances during teal, AttachStaticIp during
                promote, DeleteInstance during cleanup; each time the IP is on a
                healthy slot or the message names the state and the next command,
                and re-running the verb completes.
  interrupts    (state in S3 on the emulator, S3-native lock file) two
                concurrent xdeploys (one exits 5); Ctrl-C during a real apply
                (one SIGINT reaches Terraform, lock released, exit 130, re-run
                completes); SIGKILL of xdeploy mid-apply (Terraform finishes the
                apply and releases its lock; meanwhile a new run exits 5 naming
                it, a queued one then completes); SIGKILL of Terraform (stale lock: xdeploy names the
                lock ID and the exact force-unlock command, never runs it).

Exits 77 with `SKIPPED: <reason>` when terraform or the provider mirror is missing.
Prints the wall time of every xdeploy run.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import tf_harness  # noqa: E402

APP = "falcon-xecutor"  # the module's default `app`: names are <app>-blue, <app>-green, <app>-ip
SECRETS = {"TF_VAR_falconx_api_key": "e2e-key", "TF_VAR_falconx_secret_key": "e2e-secret",
           "TF_VAR_falconx_passphrase": "e2e-pass", "TF_VAR_webhook_secret": "e2e-webhook-secret-0123"}
MUTATING = {"CreateInstances", "DeleteInstance", "AttachStaticIp", "DetachStaticIp", "AllocateStaticIp",
            "ReleaseStaticIp", "PutInstancePublicPorts", "CloseInstancePublicPorts"}


def log(msg):
    print(msg, flush=True)


def expect(cond, what, detail=""):
    if not cond:
        raise AssertionError(what + (f"\n{detail}" if detail else ""))
    log(f"ok: {what}")


# Checks whose failure must fail the scenario but need not stop it: each is
# reported at once and again at the end, so one run shows every broken step.
DEFERRED = []


def expect_later(cond, what, detail=""):
    if cond:
        log(f"ok: {what}")
        return
    log(f"FAIL (reported at the end): {what}\n{detail}")
    DEFERRED.append(what)


class Run:
    def __init__(self, args, code, stdout, stderr, wall):
        self.args, self.code, self.stdout, self.stderr, self.wall = args, code, stdout, stderr, wall
        try:
            self.json = json.loads(stdout) if stdout.strip() else None
        except ValueError:
            self.json = None

    def text(self):
        tail = "\n".join(self.stderr.splitlines()[-60:])
        return (f"xdeploy {' '.join(self.args)} exited {self.code}\n--- stdout\n{self.stdout[-4000:]}\n"
                f"--- stderr (last 60 lines)\n{tail}")


class World:
    """One scenario's copy of terraform/, emulator and environment."""

    def __init__(self, tmp, xdeploy, instance_command, s3_backend=False):
        self.terraform, version, mirror = tf_harness.require_real_terraform()
        log(f"terraform {version} ({self.terraform}), provider mirror {mirror}")
        self.tmp, self.xdeploy = tmp, xdeploy
        self.tfdir = os.path.join(tmp, "terraform")
        shutil.copytree(os.path.join(ROOT, "terraform"), self.tfdir,
                        ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", ".xdeploy", "tests",
                                                      "*.tfstate*", "*.example"))
        self.flags = os.path.join(tmp, "flags")
        os.makedirs(self.flags)
        self.emu = tf_harness.Emulator(os.path.join(tmp, "emulator"),
                                       instance_command=instance_command.replace("FLAGS", self.flags))
        cli = tf_harness.write_cli_config(tmp, mirror)
        tf_harness.write_provider_override(self.tfdir, self.emu.endpoint)
        if s3_backend:
            self._s3_backend()
        self.artifact = os.path.join(tmp, "falcon-xecutor_1.0_amd64.deb")
        self.new_build("build 1")
        self.env = tf_harness.terraform_env(cli)
        # The slots' public side, mapped onto the emulator: every public address
        # listens on the emulator's service port (an ephemeral port, not 443), so
        # that is health_port, the port the module opens and puts in the health
        # URLs. The instances are stand-ins without the nginx front, so the
        # scheme is http (HTTPS through that front: local_tls_e2e_test and the
        # boot test). The gate runs from loopback, the operator's address here;
        # the emulator enforces the firewall's CIDRs against it.
        self.env.update(SECRETS, TF_VAR_artifact_path=self.artifact,
                        TF_VAR_health_port=str(self.emu.service_port), TF_VAR_health_scheme="http",
                        TF_VAR_operator_cidrs='["127.0.0.0/8"]', NO_COLOR="1")
        self.timings = []

    def _s3_backend(self):
        """Remote state in the emulator's S3 with Terraform's S3-native lock file
        (use_lockfile): a killed Terraform leaves a lock that outlives it, as on AWS."""
        host = self.emu.endpoint.split("//", 1)[1]
        conn = http.client.HTTPConnection(host, timeout=10)
        conn.request("PUT", "/tfstate", headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, "
                             "SignedHeaders=host, Signature=0"})
        r = conn.getresponse()
        r.read()
        conn.close()
        expect(r.status == 200, f"created the state bucket in the emulator's S3 (HTTP {r.status})")
        tf_harness._write(os.path.join(self.tfdir, "backend.tf"), f'''terraform {{
  backend "s3" {{
    bucket                      = "tfstate"
    key                         = "e2e/terraform.tfstate"
    region                      = "us-east-1"
    use_lockfile                = true
    access_key                  = "test"
    secret_key                  = "test"
    skip_credentials_validation = true
    skip_requesting_account_id  = true
    skip_metadata_api_check     = true
    skip_region_validation      = true
    use_path_style              = true
    endpoints = {{
      s3 = "{self.emu.endpoint}"
    }}
  }}
}}
''')

    def new_build(self, content):
        tf_harness._write(self.artifact, content)

    # -- xdeploy -----------------------------------------------------------
    def argv(self, *args):
        return [self.xdeploy, "--terraform", self.terraform, "-C", self.tfdir, "--yes",
                "--health-interval", "500ms", "--health-timeout", "90s", "--probe-interval", "100ms",
                *args]

    def start(self, *args):
        argv = self.argv(*args)
        # Files, not pipes: a test that polls /proc while xdeploy prints a whole plan
        # must not block xdeploy on a full pipe.
        self._runs = getattr(self, "_runs", 0) + 1
        base = os.path.join(self.tmp, f"run{self._runs}")
        proc = subprocess.Popen(argv, env=self.env, stdout=open(base + ".out", "w"),
                                stderr=open(base + ".err", "w"), text=True)
        proc.out_path, proc.err_path = base + ".out", base + ".err"
        return proc

    def finish(self, proc, args, started, expect_code=None, timeout=1200):
        proc.wait(timeout=timeout)
        with open(proc.out_path) as f:
            out = f.read()
        with open(proc.err_path) as f:
            err = f.read()
        r = Run(list(args), proc.returncode, out, err, time.monotonic() - started)
        self.timings.append((" ".join(args), r.wall, r.code))
        log(f"xdeploy {' '.join(args)}: exit {r.code} in {r.wall:.1f} s")
        if expect_code is not None and r.code != expect_code:
            raise AssertionError(f"expected exit {expect_code}\n" + r.text())
        return r

    def xd(self, *args, code=0, timeout=1200):
        started = time.monotonic()
        return self.finish(self.start(*args), args, started, code, timeout)

    # -- the emulator's truth ------------------------------------------------
    def state(self):
        return self.emu.state()

    def static_ip(self):
        return self.state()["staticIps"].get(f"{APP}-ip")

    def attached_color(self):
        ip = self.static_ip()
        holder = ip and ip.get("attachedTo")
        return holder.rsplit("-", 1)[1] if holder else None

    def colors(self):
        return sorted(n.rsplit("-", 1)[1] for n in self.state()["instances"])

    def last_seq(self):
        calls = self.emu.calls()
        return calls[-1]["seq"] if calls else 0

    def calls_since(self, seq, actions=None):
        return [c for c in self.emu.calls() if c["seq"] > seq and (actions is None or c["action"] in actions)]

    def public_get(self):
        """GET /health through the static IP: (status, X-Slot) or (None, error)."""
        ip = self.static_ip()
        return http_get(ip["ipAddress"], self.emu.service_port) if ip else (None, "no static IP")

    def check_truth(self, active, colors, healthy=True):
        """status --json and status --check against the emulator's state."""
        st = self.state()
        expect(self.attached_color() == active, f"emulator: static IP attached to {active}",
               json.dumps(st.get("staticIps"), indent=1))
        expect(self.colors() == sorted(colors), f"emulator: instances {sorted(colors)}", str(self.colors()))
        s = self.xd("status", "--json").json
        expect(s is not None, "status --json prints one JSON object")
        expect(s["deployment"]["active"] == active, f"status: active is {active}", json.dumps(s, indent=1))
        expect(sorted(s["slots"]) == sorted(colors), f"status: slots {sorted(colors)}", json.dumps(s, indent=1))
        for color, slot in s["slots"].items():
            inst = st["instances"].get(slot["instance_name"])
            # The slot the static IP left has a new address nobody has read yet: status says
            # it is unknown (honest), never the stale one.
            expect_later(inst is not None and (slot["public_ip"] == inst["publicIpAddress"]
                                               or (slot.get("address_unknown") and not slot["public_ip"])),
                   f"status: {color}'s public_ip is the emulator's ({inst and inst['publicIpAddress']}) "
                   "or said to be unknown", json.dumps(slot, indent=1))
        ip = self.static_ip()
        expect(s["static_ip"] == (ip and ip["ipAddress"]), "status: the static IP is the emulator's")
        c = self.xd("status", "--check", "--json", code=None)
        expect_later(c.code == (0 if healthy else 3), f"status --check exits {0 if healthy else 3}", c.text())
        if active:
            got = self.public_get()
            expect(got == (200, active), f"the public address answers as {active}", str(got))
        return s

    def report(self):
        log("wall time per xdeploy run:")
        for args, seconds, code in self.timings:
            log(f"  xdeploy {args:<32} {seconds:6.1f} s  exit {code}")

    def close(self):
        self.emu.stop()


def http_get(host, port, timeout=2):
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", "/health")
        r = conn.getresponse()
        r.read()
        return r.status, r.getheader("X-Slot")
    except OSError as e:
        return None, str(e)
    finally:
        conn.close()


def final_message(run):
    """xdeploy's closing message: from its last `xdeploy:` line to the end of stderr."""
    at = run.stderr.rfind("\nxdeploy:")
    return run.stderr[at + 1:] if at >= 0 else run.stderr


class ClientLoop:
    """Requests the public address every 50 ms from a thread, as a user would, and
    tags each answer with the verb running at the time."""

    def __init__(self, world):
        self.world = world
        self.host = world.static_ip()["ipAddress"]
        self.verb = "idle"
        self.samples = []  # (monotonic, verb, status, slot)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            status, slot = http_get(self.host, self.world.emu.service_port, timeout=1)
            self.samples.append((time.monotonic(), self.verb, status, slot))
            self._stop.wait(0.05)

    def stop(self):
        self._stop.set()
        self._thread.join()

    def failures(self, verb=None):
        return [s for s in self.samples if s[2] != 200 and (verb is None or s[1] == verb)]

    def longest_outage_ms(self, verb):
        """Longest span from the last success before a failure to the next success."""
        longest, last_ok, failing = 0.0, None, False
        for t, v, status, _ in self.samples:
            if v != verb:
                continue
            if status == 200:
                if failing and last_ok is not None:
                    longest = max(longest, (t - last_ok) * 1000)
                last_ok, failing = t, False
            else:
                failing = True
        return longest


def verb_in_loop(w, loop, label, *args, code=0):
    loop.verb = label
    try:
        return w.xd(*args, code=code)
    finally:
        loop.verb = "idle"


# ---------------------------------------------------------------------------
# 1 + 2 + 7: the seed story, promote-then-rollback, a new build
# ---------------------------------------------------------------------------
def seed_story(w):
    r = w.xd("--json", "blue")
    expect(r.json is not None and r.json["exit_code"] == 0, "blue: --json stdout is one JSON object")
    w.check_truth("blue", ["blue"])
    loop = ClientLoop(w)
    try:
        verb_in_loop(w, loop, "teal", "teal")
        w.check_truth("blue", ["blue", "green"])
        verb_in_loop(w, loop, "~green", "~green")
        w.check_truth("blue", ["blue", "green"])
        swaps = []
        for n, (verb, target) in enumerate([(("promote", "green"), "green"), (("rollback",), "blue"),
                                            (("promote", "green"), "green")]):
            label = f"swap{n}"
            r = verb_in_loop(w, loop, label, "--json", *verb)
            expect(r.json is not None and r.json.get("probe") is not None,
                   f"{' '.join(verb)}: the prober measured the swap", r.text())
            swaps.append((label, " ".join(verb), r.json["probe"]))
            w.check_truth(target, ["blue", "green"])
        verb_in_loop(w, loop, "cleanup", "cleanup")
        w.check_truth("green", ["green"])
    finally:
        loop.stop()
    log(f"client loop: {len(loop.samples)} requests, {len(loop.failures())} failed")
    outside = [s for s in loop.failures() if not s[1].startswith("swap")]
    expect(not outside, "0 failed requests outside the promote/rollback verbs", str(outside[:5]))
    for label, verb, probe in swaps:
        seen = loop.longest_outage_ms(label)
        log(f"  {verb}: prober downtime {probe['downtime_ms']} ms ({probe['failed']}/{probe['total']} failed), "
            f"client's longest outage {seen:.0f} ms, client failures {len(loop.failures(label))}")
        # The client samples every 50 ms (+ up to 1 s timeout), the prober every 100 ms.
        expect(seen <= probe["downtime_ms"] + 1500,
               f"{verb}: the client saw no outage longer than the measured swap window")

    # 7: a new build changes only outputs (current_build): no apply, status says STALE.
    w.new_build("build 2")
    seq = w.last_seq()
    r = w.xd("--json", "green")
    expect(not w.calls_since(seq, MUTATING), "new build, `xdeploy green`: no AWS change",
           str(w.calls_since(seq, MUTATING)))
    commands = [c.get("command", "") for s in r.json["steps"] for c in s.get("commands", [])]
    applies = [c for c in commands if " apply " in c and "-refresh-only" not in c]
    expect(not applies, "new build: no terraform apply of changes ran", "\n".join(commands))
    s = w.check_truth("green", ["green"])
    expect(s["slots"]["green"]["stale"] is True, "status: green is STALE after a new build", json.dumps(s, indent=1))
    expect("green runs build" in r.stderr, "new build, `xdeploy green`: says green runs an older build", r.stderr)
    w.xd("cleanup")


# ---------------------------------------------------------------------------
# 3 + 6: an unhealthy first deploy, then a fault at each step
# ---------------------------------------------------------------------------
def faults(w):
    open(os.path.join(w.flags, "unhealthy-blue"), "w").close()
    r = w.xd("--health-timeout", "15s", "blue", code=3)
    expect(w.attached_color() is None, "blue answering 500: exit 3 and the static IP is attached to nothing",
           json.dumps(w.static_ip()))
    expect("500" in r.stderr, "the message says what the gate saw (500)", r.stderr)
    os.remove(os.path.join(w.flags, "unhealthy-blue"))
    w.xd("blue")
    w.check_truth("blue", ["blue"])

    w.emu.arm(action="CreateInstances", error="InvalidInputException", message="e2e: no capacity")
    r = w.xd("teal", code=1)
    w.emu.clear_faults()
    expect("no capacity" in r.stderr + r.stdout, "teal with CreateInstances failing: Terraform's error is shown",
           r.text())
    expect(w.attached_color() == "blue" and w.public_get() == (200, "blue"),
           "the static IP stays on healthy blue")
    expect("teal" in final_message(r), "the message names the next command (teal)", final_message(r))
    w.xd("teal")
    w.check_truth("blue", ["blue", "green"])

    w.emu.arm(action="AttachStaticIp", error="InvalidInputException", message="e2e: attach refused")
    r = w.xd("promote", "green", code=None)
    w.emu.clear_faults()
    log(r.stderr)
    expect(r.code != 0, f"promote with AttachStaticIp failing: not a success (exit {r.code})")
    holder = w.attached_color()
    said = final_message(r)
    # The attach failed after the detach: xdeploy says so, and puts the IP back on blue
    # (exit 6), or, the fault still armed for that attach too, exits 1 naming the way out.
    expect(re.search(r"attached to no slot", said), "xdeploy's message says the IP was left on no slot", said)
    if holder is not None:
        expect(w.public_get() == (200, holder), f"the static IP stays on a healthy slot ({holder})")
    else:
        expect("promote blue" in said and "promote green" in said,
               "the IP is attached to nothing: the message names the commands that fix it", said)
    w.xd("promote", "green")
    w.check_truth("green", ["blue", "green"])

    w.emu.arm(action="DeleteInstance", error="InvalidInputException", message="e2e: delete refused")
    r = w.xd("cleanup", code=1)
    w.emu.clear_faults()
    expect(w.attached_color() == "green" and w.public_get() == (200, "green"),
           "cleanup with DeleteInstance failing: the static IP stays on green")
    expect("cleanup" in final_message(r), "the message names the next command (cleanup)", final_message(r))
    w.xd("cleanup")
    w.check_truth("green", ["green"])


# ---------------------------------------------------------------------------
# 4 + 5: concurrency, Ctrl-C, SIGKILL of xdeploy, SIGKILL of Terraform
# ---------------------------------------------------------------------------
def terraform_child(pid, verb="apply", deadline=600):
    """The pid of xdeploy's terraform child once it runs `verb`, polled from /proc."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                if ppid != pid:
                    continue
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    argv = f.read().decode(errors="replace").split("\0")
            except (OSError, ValueError, IndexError):
                continue
            if os.path.basename(argv[0]) == "terraform" and verb in argv:
                return int(entry)
        time.sleep(0.05)  # polling /proc for a condition, not synchronising on time
    raise AssertionError(f"xdeploy {pid} never ran terraform {verb}")


def wait_for_call(w, seq, actions, deadline=600):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        hit = w.calls_since(seq, actions)
        if hit:
            return hit[0]
        time.sleep(0.05)
    raise AssertionError(f"no {actions} call within {deadline} s")


def wait_gone(pid, deadline=600):
    end = time.monotonic() + deadline
    while time.monotonic() < end and os.path.exists(f"/proc/{pid}"):
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return
        except OSError:
            return
        time.sleep(0.1)
    expect(not os.path.exists(f"/proc/{pid}"), f"process {pid} ended")


def children_of(pid):
    """The pids whose parent is `pid` (from /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return out


def processes_under(path):
    """(pid, argv) of every process whose working directory is inside `path`: what a
    scenario started there (Terraform, its provider plugins, instances) and must not leave."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            cwd = os.readlink(f"/proc/{entry}/cwd")
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if cwd == path or cwd.startswith(path + os.sep):
            found.append((int(entry), " ".join(argv)[:120]))
    return found


def stop_orphaned_plugins(pids):
    """A SIGKILLed Terraform cannot stop its provider plugins (go-plugin servers ignore SIGINT
    and wait for the Terraform that will never call again): they are the test's own
    processes, so the test ends them (SIGTERM) instead of leaving ~540 MB behind."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for pid in pids:
        wait_gone(pid, deadline=30)


def s3_lock(w):
    path = os.path.join(w.emu.state_dir, "s3", "tfstate", "e2e", "terraform.tfstate.tflock")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def interrupts(w):
    w.xd("blue")
    w.check_truth("blue", ["blue"])

    # 5: two at once.
    started = time.monotonic()
    first = w.start("teal")
    terraform_child(first.pid, "plan")
    second = w.xd("teal", code=5)
    expect("teal" in second.stderr, "the refused run names what holds the lock", second.stderr)
    w.finish(first, ("teal",), started, 0)
    w.check_truth("blue", ["blue", "green"])

    # 4a: Ctrl-C during a real apply.
    seq = w.last_seq()
    started = time.monotonic()
    proc = w.start("~green")
    tf = terraform_child(proc.pid, "apply")
    wait_for_call(w, seq, {"DeleteInstance", "CreateInstances"})
    proc.send_signal(signal.SIGINT)
    r = w.finish(proc, ("~green", "[SIGINT]"), started, 130)
    wait_gone(tf)
    logs = "".join(open(os.path.join(w.tfdir, ".xdeploy", "logs", f)).read()
                   for f in os.listdir(os.path.join(w.tfdir, ".xdeploy", "logs")))
    expect("Interrupt received" in logs and "Two interrupts" not in logs,
           "Terraform got exactly one SIGINT and shut down gracefully")
    expect(s3_lock(w) is None, "the state lock is released")
    expect(w.attached_color() == "blue" and w.public_get() == (200, "blue"), "prod (blue) untouched")
    w.xd("~green")
    w.check_truth("blue", ["blue", "green"])

    # 4b: SIGKILL of xdeploy in the middle of a promote's apply. Terraform writes to files, not
    # pipes, so it does not die with xdeploy (Go's runtime kills it on a broken stdout/stderr):
    # it finishes the apply, saves the state and releases its S3 lock. It also holds xdeploy's
    # deploy lock, so meanwhile a new run exits 5 naming it and a queued one waits for it.
    seq = w.last_seq()
    # The attach answers after 15 s: the orphan is still applying while the checks below run.
    w.emu.arm(action="AttachStaticIp", delay_ms=15000, count=1)
    started = time.monotonic()
    proc = w.start("promote", "green")
    wait_for_call(w, seq, {"DetachStaticIp", "AttachStaticIp"})
    tf = terraform_child(proc.pid, "apply")  # the IP move's apply (the promote ran a refresh apply before)
    proc.kill()
    w.finish(proc, ("promote green", "[SIGKILL]"), started, -9)
    expect(os.path.exists(f"/proc/{tf}"), "the orphaned terraform outlives the killed xdeploy")
    r = w.xd("promote", "green", code=5)
    expect(f"(pid {tf})" in r.stderr and "killed" in r.stderr,
           "a run during the orphan's apply exits 5 and names the terraform that holds the lock", r.text())
    queued_started = time.monotonic()
    queued = w.start("--lock-wait", "10m", "promote", "green")
    wait_gone(tf)
    expect(s3_lock(w) is None, "the orphan finished its apply and released its S3 state lock")
    expect(w.attached_color() == "green", "the orphan's apply moved the static IP to green")
    w.finish(queued, ("promote green", "--lock-wait 10m"), queued_started, 0)
    st = w.xd("status", "--json")
    log(f"status after the orphan finished: exit {st.code}")
    w.check_truth("green", ["blue", "green"])

    # 4c: SIGKILL of Terraform itself leaves the S3 lock file behind.
    seq = w.last_seq()
    started = time.monotonic()
    proc = w.start("cleanup")
    tf = terraform_child(proc.pid, "apply")
    wait_for_call(w, seq, {"DeleteInstance", "CloseInstancePublicPorts", "DeleteUser"})
    plugins = children_of(tf)  # terraform-provider-aws: orphaned by the SIGKILL below
    os.kill(tf, signal.SIGKILL)
    r = w.finish(proc, ("cleanup", "[terraform SIGKILL]"), started, None)
    stop_orphaned_plugins(plugins)
    expect(r.code != 0, f"xdeploy reports the killed Terraform (exit {r.code})", r.text())
    lock = s3_lock(w)
    expect(lock is not None, "the killed Terraform left its S3 lock file")
    r = w.xd("--tf-lock-timeout", "2s", "cleanup", code=None)
    expect(r.code != 0, "re-running against the stale lock fails", r.text())
    command = f"terraform -chdir={w.tfdir} force-unlock {lock['ID']}"
    expect(lock["ID"] in r.stderr and "force-unlock" in r.stderr,
           f"the message names the lock ID and the force-unlock command ({command})", r.stderr)
    expect(s3_lock(w) == lock, "xdeploy did not force-unlock by itself")
    subprocess.run([w.terraform, f"-chdir={w.tfdir}", "force-unlock", "-force", lock["ID"]], env=w.env,
                   check=True, capture_output=True)
    w.xd("cleanup")
    w.check_truth("green", ["green"])


def state_trust(w):
    import state_trust_scenario  # noqa: E402 (issue 15's checks, on this module's World)
    state_trust_scenario.run(w, sys.modules[__name__])


SCENARIOS = {
    "state_trust": (state_trust, "{service} --port {port} --slot {color} --bind 127.0.0.1", False),
    "seed_story": (seed_story, "{service} --port {port} --slot {color} --bind 127.0.0.1", False),
    "faults": (faults, f"{sys.executable} {HERE}/switchable_slot_app.py {{port}} {{color}} FLAGS", False),
    "interrupts": (interrupts, "{service} --port {port} --slot {color} --bind 127.0.0.1", True),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario", choices=sorted(SCENARIOS))
    ap.add_argument("--xdeploy", required=True)
    ap.add_argument("--service", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (printed) for a post-mortem")
    args = ap.parse_args()
    tf_harness.require_real_terraform()
    fn, command, s3 = SCENARIOS[args.scenario]
    tmp = tempfile.mkdtemp(prefix=f"xd-e2e-{args.scenario}-")
    log(f"work dir {tmp}")
    started = time.monotonic()
    w = World(tmp, os.path.abspath(args.xdeploy), command.replace("{service}", os.path.abspath(args.service)),
              s3_backend=s3)
    ok = False
    try:
        fn(w)
        if DEFERRED:
            raise AssertionError("failed checks:\n  " + "\n  ".join(DEFERRED))
        ok = True
    finally:
        w.report()
        w.close()
        left = processes_under(tmp)
        if left:
            stop_orphaned_plugins([pid for pid, _ in left])
            log("FAIL: processes left running in the work dir:\n  " + "\n  ".join(f"{p} {a}" for p, a in left))
            ok = False
        log(f"{args.scenario}: {'PASSED' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s")
        if ok and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
