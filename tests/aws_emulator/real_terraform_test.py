#!/usr/bin/env python3
"""Real Terraform + the real aws provider (from the machine's mirror) against the
emulator, on testdata/ (the slot module's resource types in small).

  real_terraform_test.py apply_move_destroy | attach_fault

Exits 77 with `SKIPPED: <reason>` when terraform or the provider mirror is
missing. Each run has its own temp dir, emulator and addresses, so CTest can run
both at once. Prints the wall time of every Terraform call.
"""

import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "real_terraform"))
sys.path.insert(0, HERE)
import tf_harness  # noqa: E402
from emulator_test import _alive, http_get  # noqa: E402

SLOT_APP = os.path.join(HERE, "testdata", "slot_app.py")


class World:
    def __init__(self, tmp):
        self.terraform, version, mirror = tf_harness.require_real_terraform()
        print(f"terraform {version} ({self.terraform}), provider mirror {mirror}", flush=True)
        self.cfg = os.path.join(tmp, "cfg")
        shutil.copytree(os.path.join(HERE, "testdata"), self.cfg)
        self.emu = tf_harness.Emulator(os.path.join(tmp, "emulator"),
                                       instance_command=f"{sys.executable} {SLOT_APP} {{port}} {{color}}")
        cli = tf_harness.write_cli_config(tmp, mirror)
        tf_harness.write_provider_override(self.cfg, self.emu.endpoint)
        self.tf = tf_harness.Terraform(self.terraform, self.cfg, cli)
        self.port = self.emu.service_port

    def vars(self, colors, attached_to):
        path = os.path.join(self.cfg, "step.auto.tfvars.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"colors": colors, "attached_to": attached_to, "service_port": self.port}, f)

    def outputs(self):
        return {k: v["value"] for k, v in json.loads(self.tf.run("output", "-json").stdout).items()}

    def instance(self, color):
        return self.emu.state()["instances"][f"emu-{color}"]

    def static_ip(self):
        return self.emu.state()["staticIps"]["emu-ip"]

    def calls_since(self, seq):
        return [c for c in self.emu.calls() if c["seq"] > seq and c["service"] == "lightsail"]

    def last_seq(self):
        calls = self.emu.calls()
        return calls[-1]["seq"] if calls else 0

    def report(self):
        print("wall time per terraform call:", flush=True)
        for args, seconds, code in self.tf.timings:
            print(f"  terraform {args:<8} {seconds:6.1f} s  exit {code}", flush=True)


def expect(cond, what):
    if not cond:
        raise AssertionError(what)
    print(f"ok: {what}", flush=True)


def apply_move_destroy(w):
    w.tf.run("init", "-input=false", "-no-color")
    w.vars(["blue", "green"], "blue")
    w.tf.run("apply", "-auto-approve", "-input=false", "-no-color")
    ip = w.static_ip()["ipAddress"]
    blue, green = w.instance("blue"), w.instance("green")
    expect(w.static_ip()["attachedTo"] == "emu-blue", "apply attached the static IP to blue")
    expect(blue["publicIpAddress"] == ip and blue["isStaticIp"], "blue's public address IS the static IP")
    expect(blue["processAlive"] and green["processAlive"], "each instance is a running process")
    expect(http_get(ip, w.port) == "blue", "GET through the static IP reaches blue")
    stale = w.outputs()["slots"]["blue"]["public_ip"]
    expect(stale != ip and http_get(stale, w.port) is None,
           f"state still holds blue's creation-time address {stale}, which no longer answers (stale until refresh)")

    p = w.tf.run("plan", "-detailed-exitcode", "-input=false", "-no-color", check=False)
    expect(p.returncode == 2 and "Changes to Outputs" in p.stdout and "\nPlan:" not in p.stdout,
           "second plan: exit 2 for the refreshed output only, no resource changes")
    w.tf.run("apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color")
    p = w.tf.run("plan", "-detailed-exitcode", "-input=false", "-no-color", check=False)
    expect(p.returncode == 0 and "No changes." in p.stdout, "after a refresh-only apply: plan says No changes, exit 0")

    seq = w.last_seq()
    w.vars(["blue", "green"], "green")
    a = w.tf.run("apply", "-auto-approve", "-input=false", "-no-color")
    expect("1 added, 0 changed, 1 destroyed" in a.stdout, "moving the attachment replaces it (and nothing else)")
    actions = [c["action"] for c in w.calls_since(seq) if c["action"].endswith("StaticIp")]
    expect(actions.index("DetachStaticIp") < actions.index("AttachStaticIp"), f"detach before attach: {actions}")
    blue2, green2 = w.instance("blue"), w.instance("green")
    expect(green2["publicIpAddress"] == ip and green2["isStaticIp"], "green's public address is now the static IP")
    expect(blue2["publicIpAddress"] not in (ip, stale, None) and not blue2["isStaticIp"],
           f"blue got a new dynamic address {blue2['publicIpAddress']}")
    expect(http_get(ip, w.port) == "green", "GET through the static IP reaches green")
    expect(http_get(blue2["publicIpAddress"], w.port) == "blue", "blue answers at its new address")

    pids = [blue2["pid"], green2["pid"]]
    w.tf.run("destroy", "-auto-approve", "-input=false", "-no-color")
    state = w.emu.state()
    expect(not state["instances"] and not state["staticIps"] and not state["buckets"] and not state["iamUsers"],
           "destroy leaves the emulated account empty")
    expect(not any(_alive(p) for p in pids), "destroy stopped the instance processes")


def attach_fault(w):
    w.tf.run("init", "-input=false", "-no-color")
    w.vars(["blue", "green"], "blue")
    w.emu.arm(action="CreateInstances", error="ThrottlingException", message="Rate exceeded", count=2)
    w.tf.run("apply", "-auto-approve", "-input=false", "-no-color")
    throttled = [c for c in w.emu.calls() if c.get("fault")]
    expect([c["error"] for c in throttled] == ["ThrottlingException"] * 2,
           "two throttled CreateInstances were retried by the provider and the apply succeeded")
    ip = w.static_ip()["ipAddress"]
    expect(http_get(ip, w.port) == "blue", "GET through the static IP reaches blue")

    w.emu.arm(action="AttachStaticIp", error="InvalidInputException", message="injected: attach refused")
    w.vars(["blue", "green"], "green")
    a = w.tf.run("apply", "-auto-approve", "-input=false", "-no-color", check=False)
    expect(a.returncode == 1 and "injected: attach refused" in a.stderr, "the apply fails with the injected error")
    expect(w.static_ip()["attachedTo"] is None, "the static IP is left detached (Terraform detached it first)")
    expect(http_get(ip, w.port) is None, "nothing answers on the static IP")
    expect(not w.instance("blue")["isStaticIp"] and w.instance("blue")["publicIpAddress"] != ip,
           "blue is back on a dynamic address")

    w.emu.clear_faults()
    w.tf.run("apply", "-auto-approve", "-input=false", "-no-color")
    expect(w.static_ip()["attachedTo"] == "emu-green" and http_get(ip, w.port) == "green",
           "re-running the apply once the fault is gone attaches the IP to green")

    pids = [w.instance(c)["pid"] for c in ("blue", "green")]
    w.emu.stop()
    expect(not any(_alive(p) for p in pids), "stopping the emulator stops every instance process")


SCENARIOS = {"apply_move_destroy": apply_move_destroy, "attach_fault": attach_fault}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in SCENARIOS:
        sys.exit(f"usage: {sys.argv[0]} {' | '.join(SCENARIOS)}")
    tmp = tempfile.mkdtemp(prefix="xd-realtf-")
    w = None
    try:
        w = World(tmp)
        SCENARIOS[sys.argv[1]](w)
        w.report()
    except BaseException:
        if w is not None:
            w.report()
            print(f"kept for inspection: {tmp}", flush=True)
            tmp = None
        raise
    finally:
        if w is not None:
            w.emu.stop()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
