"""Issue 15 end to end: Terraform state is the record of prod. One world (one emulator, one
`init`, one first deploy) serves every check; each check starts from the same known world
(blue active, green its healthy twin, no fault armed) and puts it back.

Checks: the promote/rollback critical path (state pull, plan, apply: no refresh apply, no
-auto-approve); every Lightsail read answering NotFound (a wrong account, region or profile)
during promote, rollback and teal (exit 4, every state address kept, the world untouched, the
verb works once fixed); NotFound once right after create during teal; a slot stopped and
started outside Terraform; AttachStaticIp answering 500 on every call (bounded, says where
the IP is); the attach to the new color hanging (prod dark no longer than --move-deadline, the
IP back on the old color, exit 6); Ctrl-C and --timeout in the middle of a move, then status; an inactive slot
deleted outside Terraform; the static IP detached outside Terraform.

Run through xdeploy_e2e_test.py (`state_trust`), which owns the World and the helpers.
"""

import os
import re
import signal
import subprocess
import time

APP = "falcon-xecutor"
NOT_FOUND = dict(action="Get*", service="lightsail", error="NotFoundException",
                 message="The Instance does not exist")


def run(w, h):
    expect, final_message = h.expect, h.final_message

    def state_list():
        p = subprocess.run([w.terraform, f"-chdir={w.tfdir}", "state", "list"], env=w.env,
                           capture_output=True, text=True, check=True)
        return sorted(p.stdout.split())

    def world():
        st = w.state()
        return ({n: i["publicIpAddress"] for n, i in st["instances"].items()},
                {n: s["attachedTo"] for n, s in st["staticIps"].items()})

    def commands(run_):
        return [c["command"] for s in run_.json["steps"] for c in s.get("commands", [])]

    def known_world(active="blue"):
        """Blue (or `active`) holds the IP, the other is its healthy twin, no fault armed."""
        w.emu.clear_faults()
        if w.colors() != ["blue", "green"]:
            w.xd("teal")
        if w.attached_color() != active:
            w.xd("promote", active)
        w.check_truth(active, ["blue", "green"])

    w.xd("blue")
    w.xd("teal")
    w.check_truth("blue", ["blue", "green"])
    addresses = state_list()
    h.log(f"{len(addresses)} state addresses")

    # -- the critical path: read, (gate || one targeted plan), one apply --------------------
    for verb, target in ((("promote", "green"), "green"), (("rollback",), "blue")):
        seq = w.last_seq()
        r = w.xd("--json", *verb)
        cmds = commands(r)
        h.log(f"{' '.join(verb)}: {len(cmds)} terraform calls, {len(w.calls_since(seq))} AWS calls, "
              f"{r.wall:.1f} s\n  " + "\n  ".join(cmds))
        expect(len(cmds) == 4 and "state pull" in cmds[0] and " plan " in cmds[1]
               and "-target=module.upgrade" in cmds[1] and " apply " in cmds[2] and "state pull" in cmds[3],
               f"{' '.join(verb)}: state pull, one targeted plan, one apply, state pull (the read back)",
               "\n".join(cmds))
        expect(not any("-auto-approve" in c or ("-refresh-only" in c and " apply " in c) for c in cmds),
               f"{' '.join(verb)}: no unchecked write (no -auto-approve, no refresh-only apply)")
        w.check_truth(target, ["blue", "green"])
    expect(state_list() == addresses, "no address left the state")

    # -- a wrong account: every Lightsail read answers NotFound -----------------------------
    for verb in (("promote", "green"), ("rollback",)):
        known_world()
        before, seen = state_list(), world()
        w.emu.arm(**NOT_FOUND)
        r = w.xd(*verb, code=4)
        w.emu.clear_faults()
        said = final_message(r)
        expect("aws_lightsail_static_ip.this" in said and "another AWS account or region" in said
               and "nothing was written" in said,
               f"{' '.join(verb)} with every read NotFound: exit 4 naming what looks deleted and why", said)
        expect(state_list() == before, f"{' '.join(verb)}: the state keeps all {len(before)} addresses")
        expect(world() == seen, f"{' '.join(verb)}: the world is untouched")
        w.xd(*verb)
        w.check_truth("green", ["blue", "green"])  # from blue active, both verbs move to green
    known_world()
    w.xd("cleanup")
    before = state_list()
    w.emu.arm(**NOT_FOUND)
    r = w.xd("teal", code=4)
    w.emu.clear_faults()
    expect("aws_lightsail_static_ip.this" in final_message(r), "teal with every read NotFound: exit 4",
           final_message(r))
    expect(state_list() == before and w.colors() == ["blue"], "teal: state and world untouched")

    # -- NotFound once, right after CreateInstances (eventual consistency) -----------------
    w.emu.arm(action="GetInstance", error="NotFoundException", message="The Instance does not exist",
              after="CreateInstances", count=1)
    r = w.xd("teal", code=None)
    w.emu.clear_faults()
    expect(r.code == 0, f"teal with NotFound right after the create: exit 0 (bounded retry), got {r.code}",
           r.text())
    s = w.check_truth("blue", ["blue", "green"])
    expect(s["slots"]["green"]["broken"] is None, "status: green is whole")

    # -- a slot stopped and started outside Terraform: its address changed -----------------
    known_world()
    w.emu.outside(op="stop-start", instance=f"{APP}-green")
    r = w.xd("--json", "status", "--refresh")
    expect(any("green's address changed" in d for d in r.json.get("drift", [])),
           "status --refresh names green's new address", r.stdout)
    w.xd("promote", "green")  # the recorded address does not answer: the plan's refresh has it
    w.check_truth("green", ["blue", "green"])

    # -- AttachStaticIp answering 500 on every call ------------------------------------------
    known_world()
    w.emu.arm(action="AttachStaticIp", error="InternalFailure", status=500, message="e2e: 500")
    started = time.monotonic()
    r = w.xd("--move-deadline", "40s", "promote", "green", code=None)
    took = time.monotonic() - started
    w.emu.clear_faults()
    said = final_message(r)
    expect(r.code in (1, 6), f"promote with AttachStaticIp 500: exit 1 or 6 (got {r.code}) after {took:.0f} s",
           r.text())
    expect("promote blue" in said, "the message names the way back (`xdeploy promote blue`)", said)
    holder = w.attached_color()
    s = w.xd("--json", "status").json
    expect(s["deployment"]["active"] == holder, f"status says where the IP is ({holder})", str(s))
    w.xd("promote", "blue")
    w.check_truth("blue", ["blue", "green"])

    # -- the attach to green hangs: prod dark no longer than --move-deadline ------------------
    # The attach is interrupted within the deadline less the way back's reserve (one plan,
    # one apply, estimated from this move's own), and the IP goes back to blue: exit 6.
    known_world()
    loop = h.ClientLoop(w)
    w.emu.arm(action="AttachStaticIp", instance=f"{APP}-green", delay_ms=300000,
              error="InternalFailure", status=500, message="e2e: too late")
    try:
        loop.verb = "move"
        r = w.xd("--move-deadline", "40s", "promote", "green", code=None)
        loop.verb = "idle"
    finally:
        loop.stop()
        w.emu.clear_faults()
    dark_s = loop.longest_outage_ms("move") / 1000
    expect(r.code == 6, f"promote with a hanging attach: exit 6, got {r.code}", r.text())
    expect("kept for the way back" in final_message(r), "the message says the attach was cut short "
           "to keep time for the way back", final_message(r))
    expect(dark_s <= 40, f"prod was dark {dark_s:.1f} s, no longer than --move-deadline 40s", r.text())
    w.check_truth("blue", ["blue", "green"])

    # -- Ctrl-C and --timeout in the middle of a move, then status --------------------------
    # Ctrl-C lands after AWS attached the IP to green and before Terraform heard so (the
    # answer is held back): the state records no attachment while green holds the IP.
    for how in ("SIGINT", "--timeout"):
        known_world()
        seq = w.last_seq()
        w.emu.arm(action="AttachStaticIp", delay_ms=20000, count=1,
                  when="answer" if how == "SIGINT" else "request")
        started = time.monotonic()
        args = ("--timeout", "90s") if how == "--timeout" else ()
        # The slow attach (20 s) must outlast the interrupt, not the move's own dark budget
        # (checked above): that budget is generous here.
        proc = w.start(*args, "--move-deadline", "120s", "promote", "green")
        if how == "SIGINT":
            while w.attached_color() != "green" and proc.poll() is None:
                time.sleep(0.05)
            proc.send_signal(signal.SIGINT)
        else:
            h.wait_for_call(w, seq, {"AttachStaticIp"})
        r = w.finish(proc, ("promote green", how), started, None)
        expect(r.code in (130, 124, 0), f"promote interrupted by {how} mid-move: exit {r.code}", r.text())
        w.emu.clear_faults()
        holder = w.attached_color()
        if how == "SIGINT":
            expect(holder == "green", "the attach landed before the Ctrl-C", str(holder))
        s = w.xd("--json", "status").json
        expect(s["deployment"]["active"] == holder,
               f"after {how}: status says the IP is on {holder}, as the emulator does", str(s))
        for color, slot in s["slots"].items():
            inst = w.state()["instances"][slot["instance_name"]]
            expect(slot["address_unknown"] or slot["public_ip"] == inst["publicIpAddress"],
                   f"after {how}: {color}'s address is the real one or said to be unknown", str(slot))
        w.xd("promote", "green")
        w.check_truth("green", ["blue", "green"])

    # -- the inactive slot deleted outside Terraform -----------------------------------------
    known_world()
    before = state_list()
    w.emu.outside(op="delete-instance", instance=f"{APP}-green")
    r = w.xd("--json", "status", "--refresh")
    expect(any("green's instance" in d and "gone" in d for d in r.json.get("drift", [])),
           "status --refresh: green's instance is gone", r.stdout)
    r = w.xd("promote", "green", code=4)
    expect("green's instance" in final_message(r) and "~<color>" in final_message(r),
           "promote of the deleted green: exit 4, names it and the verb that re-creates it",
           final_message(r))
    expect(state_list() == before, "the refusal wrote nothing")
    w.xd("~green")
    w.check_truth("blue", ["blue", "green"])

    # -- the static IP detached outside Terraform ----------------------------------------------
    known_world()
    w.emu.outside(op="detach-static-ip", staticIp=f"{APP}-ip")
    r = w.xd("--json", "status", "--refresh")
    expect(any("static IP" in d for d in r.json.get("drift", [])),
           "status --refresh: the static IP is attached to nothing", r.stdout)
    r = w.xd("promote", "blue")
    expect("does not answer as blue" in r.stderr, "promote blue does not say `nothing to do`", r.stderr)
    w.check_truth("blue", ["blue", "green"])
    expect(re.search(r"\S", " ".join(state_list())) is not None, "the state is whole")
