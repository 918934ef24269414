#!/usr/bin/env python3
"""Two CI runners, one state (issue 18): the built xdeploy -> real Terraform ->
the real aws provider -> the AWS endpoint emulator, from two working copies
("runners") whose Terraform state is in the emulator's S3.

  xdeploy_team_test.py --xdeploy BIN [--keep]

  1. `xdeploy init --backend s3` on both: the first creates the bucket (versioned,
     encrypted, private) and writes backend.tf; the second finds the bucket and
     shares the state.
  2. runner A: blue, teal. Runner B's `status` sees them (one state).
  3. A runs `promote green`; meanwhile B's `rollback` exits 5 naming A's run, and
     B's `--lock-wait 10m rollback` waits for A and then runs: the end state is
     a sequential run's (blue active, both slots).
  4. `history` on either runner lists both runners' operations.
  5. A is SIGKILLed in the middle of `cleanup`'s apply: its lock stays; B's
     `status` names it, `unlock` without --force refuses, `unlock --force`
     clears it, and B's `cleanup` then completes.

Exits 77 with `SKIPPED: <reason>` when terraform or the provider mirror is missing.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import tf_harness  # noqa: E402
from xdeploy_e2e_test import (APP, SECRETS, Run, expect, http_get, log, terraform_child,  # noqa: E402
                              wait_gone)

BUCKET, KEY = "team-state", "falcon-xecutor/terraform.tfstate"
LOCK = KEY + ".xdeploy/lock"
# The slots are the small stand-in the faults scenario uses (it answers /health as its color):
# what this scenario exercises is the state, the lock and the history, not the service.
SLOT_COMMAND = f"{sys.executable} {HERE}/switchable_slot_app.py {{port}} {{color}} FLAGS"


class Runner:
    """One working copy of terraform/ with its own .terraform and .xdeploy, as on a CI runner."""

    def __init__(self, name, tmp, emu, xdeploy, env):
        self.name, self.emu, self.xdeploy, self.env = name, emu, xdeploy, env
        self.tmp = tmp
        self.tfdir = os.path.join(tmp, name, "terraform")
        shutil.copytree(os.path.join(ROOT, "terraform"), self.tfdir,
                        ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", ".xdeploy", "tests",
                                                      "*.tfstate*", "*.example", "backend.tf"))
        tf_harness.write_provider_override(self.tfdir, emu.endpoint)
        self.runs = 0
        self.timings = []

    def argv(self, *args):
        return [self.xdeploy, "--terraform", self.env["XD_TERRAFORM"], "-C", self.tfdir, "--yes",
                "--health-interval", "500ms", "--health-timeout", "90s", "--probe-interval", "100ms", *args]

    def start(self, *args):
        self.runs += 1
        base = os.path.join(self.tmp, f"{self.name}-run{self.runs}")
        proc = subprocess.Popen(self.argv(*args), env=self.env, stdout=open(base + ".out", "w"),
                                stderr=open(base + ".err", "w"), text=True)
        proc.out_path, proc.err_path, proc.args, proc.started = base + ".out", base + ".err", args, time.monotonic()
        return proc

    def finish(self, proc, code=None, timeout=1200):
        proc.wait(timeout=timeout)
        with open(proc.out_path) as f:
            out = f.read()
        with open(proc.err_path) as f:
            err = f.read()
        r = Run(list(proc.args), proc.returncode, out, err, time.monotonic() - proc.started)
        self.timings.append((" ".join(proc.args), r.wall, r.code))
        log(f"[{self.name}] xdeploy {' '.join(proc.args)}: exit {r.code} in {r.wall:.1f} s")
        if code is not None and r.code != code:
            raise AssertionError(f"[{self.name}] expected exit {code}\n" + r.text())
        return r

    def xd(self, *args, code=0):
        return self.finish(self.start(*args), code)


def s3_object(emu, key):
    path = os.path.join(emu.state_dir, "s3", BUCKET, key)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def truth(emu):
    st = emu.state()
    ip = st["staticIps"].get(f"{APP}-ip")
    holder = ip and ip.get("attachedTo")
    return (holder.rsplit("-", 1)[1] if holder else None), sorted(n.rsplit("-", 1)[1] for n in st["instances"])


def team(a, b, emu):
    # 1. Remote state out of the box, on both runners.
    for r in (a, b):
        init = r.xd("init", "--backend", "s3", "--bucket", BUCKET, "--key", KEY, "--region", "us-east-1",
                    "--endpoint", emu.endpoint)
        expect("use_lockfile = true" in open(os.path.join(r.tfdir, "backend.tf")).read(),
               f"[{r.name}] backend.tf with use_lockfile")
    bucket = emu.state()["buckets"][BUCKET]
    expect({"publicAccessBlock", "versioning", "encryption"} <= set(bucket["subresources"]),
           "the first init made the bucket versioned, encrypted and private", str(bucket))
    expect("exists: left as it is" in init.stderr, "the second init found the bucket and left it", init.stderr)

    # 2. One state: what A deploys, B sees.
    a.xd("blue")
    a.xd("teal")
    s = b.xd("status", "--json").json
    expect(s["deployment"]["active"] == "blue" and sorted(s["slots"]) == ["blue", "green"],
           "[b] status shows the slots runner A made", json.dumps(s, indent=1))
    expect(s["lock"]["held"] is False and s["lock"]["object"] == f"s3://{BUCKET}/{LOCK}",
           "[b] status: the deploy lock next to the state is free", json.dumps(s.get("lock")))

    # 3. A promote on A while B asks for a rollback.
    emu.arm(action="AttachStaticIp", delay_ms=15000, count=1)  # keeps A's run going meanwhile
    # A dark budget that a 15 s attach fits in with the way back's reserve on a loaded machine.
    promote = a.start("--move-deadline", "120s", "promote", "green")
    terraform_child(promote.pid, "apply")  # A holds the lock: it is past the gate's refresh
    held = s3_object(emu, LOCK)
    expect(held is not None and held["pid"] == promote.pid and held["verb"] == "promote green",
           "A's lock object names its run", str(held))
    refused = b.xd("rollback", code=5)
    expect(f"pid {promote.pid}" in refused.stderr and "`promote green`" in refused.stderr
           and LOCK in refused.stderr, "[b] rollback exits 5 naming A's promote and the lock", refused.text())
    queued = b.start("--lock-wait", "10m", "rollback")
    a.finish(promote, 0)
    b.finish(queued, 0)
    active, slots = truth(emu)
    expect((active, slots) == ("blue", ["blue", "green"]),
           "the end state is the sequential run's: green promoted, then rolled back to blue", str((active, slots)))
    expect(http_get(emu.state()["staticIps"][f"{APP}-ip"]["ipAddress"], emu.service_port) == (200, "blue"),
           "the static IP serves blue")
    expect(s3_object(emu, LOCK) is None, "the lock is released")

    # 4. One history: each runner lists the other's operations.
    for r in (a, b):
        records = r.xd("history", "--json").json
        verbs = [(x["verb"], x["result"]) for x in records]
        for want in (("blue", "ok"), ("teal", "ok"), ("promote green", "ok"), ("rollback", "locked"),
                     ("rollback", "ok")):
            expect(want in verbs, f"[{r.name}] history lists {want}", str(verbs))
    history_objects = [k for k in emu.state()["buckets"][BUCKET]["objects"] if ".xdeploy/history/" in k]
    expect(len(history_objects) >= 5, f"one history object per operation ({len(history_objects)})")

    # 5. A runner killed in the middle of an apply.
    seq = max(c["seq"] for c in emu.calls())
    cleanup = a.start("cleanup")
    tf = terraform_child(cleanup.pid, "apply")
    while not [c for c in emu.calls() if c["seq"] > seq and c["action"] == "DeleteInstance"]:
        time.sleep(0.1)  # polling the call log for the apply's first change
    cleanup.kill()
    a.finish(cleanup, -9)
    s = b.xd("status", "--json").json
    lock = s.get("lock", {})
    expect(lock.get("held") and lock.get("verb") == "cleanup" and f"pid {cleanup.pid}" in lock.get("holder", ""),
           "[b] status names the killed runner's lock", json.dumps(lock, indent=1))
    text = b.xd("status").stdout
    expect("HELD by" in text and "unlock --force" in text, "[b] status says how to break it", text)
    r = b.xd("unlock", code=5)
    expect("`cleanup`" in r.stderr, "[b] unlock without --force names the holder and breaks nothing", r.text())
    expect(s3_object(emu, LOCK) is not None, "the lock is still there")
    wait_gone(tf)  # the orphaned Terraform finishes its apply and releases Terraform's own lock
    r = b.xd("unlock", "--force")
    expect("broke the deploy lock" in r.stderr and "`cleanup`" in r.stderr, "[b] unlock --force names what it broke",
           r.text())
    expect(s3_object(emu, LOCK) is None, "the lock is gone")
    b.xd("cleanup")
    active, slots = truth(emu)
    expect((active, slots) == ("blue", ["blue"]), "cleanup completes from runner B", str((active, slots)))
    s = a.xd("status", "--json").json
    expect(s["deployment"]["active"] == "blue" and list(s["slots"]) == ["blue"] and not s["lock"]["held"],
           "[a] sees the same end state and a free lock", json.dumps(s, indent=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xdeploy", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    terraform, version, mirror = tf_harness.require_real_terraform()
    log(f"terraform {version} ({terraform}), provider mirror {mirror}")
    tmp = tempfile.mkdtemp(prefix="xd-team-")
    log(f"work dir {tmp}")
    started = time.monotonic()
    flags = os.path.join(tmp, "flags")
    os.makedirs(flags)
    emu = tf_harness.Emulator(os.path.join(tmp, "emulator"), instance_command=SLOT_COMMAND.replace("FLAGS", flags))
    env = tf_harness.terraform_env(tf_harness.write_cli_config(tmp, mirror))
    artifact = os.path.join(tmp, "falcon-xecutor_1.0_amd64.deb")
    tf_harness._write(artifact, "build 1")
    # Credentials travel in the environment, as in CI; the S3 endpoint too (Terraform's
    # backend reads AWS_ENDPOINT_URL_S3 as well).
    env.update(SECRETS, XD_TERRAFORM=terraform, TF_VAR_artifact_path=artifact,
               TF_VAR_health_port=str(emu.service_port), TF_VAR_health_scheme="http",
               TF_VAR_operator_cidrs='["127.0.0.0/8"]', NO_COLOR="1", AWS_ACCESS_KEY_ID="test",
               AWS_SECRET_ACCESS_KEY="test-secret", AWS_REGION="us-east-1")
    a = Runner("a", tmp, emu, os.path.abspath(args.xdeploy), dict(env, GITHUB_SERVER_URL="https://ci.example",
                                                                   GITHUB_REPOSITORY="acme/app", GITHUB_RUN_ID="1"))
    b = Runner("b", tmp, emu, os.path.abspath(args.xdeploy), dict(env))
    ok = False
    try:
        team(a, b, emu)
        ok = True
    finally:
        for r in (a, b):
            for verb, seconds, code in r.timings:
                log(f"  [{r.name}] xdeploy {verb:<40} {seconds:6.1f} s  exit {code}")
        emu.stop()
        log(f"team: {'PASSED' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s")
        if ok and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
