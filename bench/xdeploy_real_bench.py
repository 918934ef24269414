#!/usr/bin/env python3
"""xdeploy's cost per verb with REAL Terraform 1.11 + the real aws provider
(from the machine's mirror) against the AWS endpoint emulator, next to the
figures of bench/xdeploy_bench.py (the instant fake terraform).

One run of the seed story (blue, teal, ~green, promote green, rollback,
promote green, cleanup, status). For each verb: Terraform invocations (from
xdeploy's --json step list), AWS API calls (the emulator's call log), wall time,
xdeploy's own peak RSS (VmHWM, sampled) and the peak RSS of the whole process
tree (wait4: Terraform and its provider plugin). Slots run the built
falcon-xecutor (paper mode). Needs terraform and the mirror: exits 77 otherwise.

Then, on the same emulator and state, promote + rollback three ways (issue 15's goal:
xdeploy <= 0.6x the seed): xdeploy; the seed's two hand-typed applies per move
(`apply -target=module.upgrade.terraform_data.healthy`, then `apply`); and one
`apply -target=module.upgrade` per move, the floor. Last, a move that cannot attach
(every AttachStaticIp to the new color answers 500; the attach back works): its exit code,
wall time and the longest outage a client on the static IP saw, against --move-deadline
(issue 15: prod dark no longer than the deadline).

  python3 bench/xdeploy_real_bench.py [--build build] [--fake-rounds 3]
  python3 bench/xdeploy_real_bench.py --failed-move-only   # blue, teal, then the failed move
"""
import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
import json

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "real_terraform"))
import tf_harness  # noqa: E402
import xdeploy_e2e_test as e2e  # noqa: E402

MOVE_DEADLINE_S = 45  # xdeploy's default --move-deadline, passed explicitly to the failed move
VERBS = [["blue"], ["teal"], ["~green"], ["promote", "green"], ["rollback"], ["promote", "green"], ["cleanup"],
         ["status"]]


def vm_hwm_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def run_measured(w, args):
    """(exit code, stdout, wall s, xdeploy's own peak RSS KiB, tree peak RSS KiB)."""
    started = time.perf_counter()
    proc = w.start("--json", *args)
    own = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            v = vm_hwm_kib(proc.pid)
            if v:
                own[0] = max(own[0], v)
            done.wait(0.05)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    t.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    with open(proc.out_path) as f:
        out = f.read()
    return proc.returncode, out, wall, own[0], usage.ru_maxrss


def fake_figures(build, rounds):
    """The fake bench's table, keyed by verb."""
    p = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "xdeploy_bench.py"), "--build", build,
                        "--rounds", str(rounds)], capture_output=True, text=True)
    rows = {}
    for line in p.stdout.splitlines():
        m = re.match(r"^(\S+(?: green)?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)(?:\s+\S+)?$", line)
        if m:
            rows[m.group(1)] = (int(m.group(2)), float(m.group(3)), float(m.group(5)))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--fake-rounds", type=int, default=3)
    ap.add_argument("--failed-move-only", action="store_true",
                    help="only set up blue and green, then measure the move that cannot attach")
    args = ap.parse_args()
    xdeploy = os.path.join(args.build, "src/cli/xdeploy")
    service = os.path.join(args.build, "src/service/falcon-xecutor")
    for b in (xdeploy, service):
        if not os.access(b, os.X_OK):
            sys.exit(f"missing {b}: build xdeploy and falcon_xecutor first")
    _, version, _ = tf_harness.require_real_terraform()
    if args.failed_move_only:
        return failed_move_only(xdeploy, service)
    fake = fake_figures(args.build, args.fake_rounds)

    w = new_world(xdeploy, service)
    rows = []
    peers = []
    failed_moves = []
    try:
        for verb in VERBS:
            seq = w.last_seq()
            code, out, wall, own, tree = run_measured(w, verb)
            if code != 0:
                raise SystemExit(f"xdeploy {' '.join(verb)} exited {code}:\n{out[-3000:]}")
            record = json.loads(out)
            if verb == ["status"]:
                tf_calls = len(record.get("commands", [])) or None
            else:
                tf_calls = sum(len(s.get("commands", [])) for s in record.get("steps", []))
            aws = len([c for c in w.emu.calls() if c["seq"] > seq and c["service"] != "control"])
            rows.append((" ".join(verb), tf_calls, aws, wall, own / 1024, tree / 1024))
        peers = compare_with_the_seed(w)
        failed_moves = [move_that_cannot_attach(w, "blue", how) for how in ATTACH_FAULTS]
    finally:
        w.close()

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"xdeploy per verb: real terraform {version} + hashicorp/aws from the mirror + the AWS emulator "
          f"(1 run) vs the instant fake ({args.fake_rounds} rounds, median)")
    print(f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} cores, {cpu}, load {load}")
    print(f"{'verb':<15} {'tf calls':>8} {'aws calls':>9} {'wall s':>7} {'xdeploy RSS MiB':>15} "
          f"{'tree RSS MiB':>12} | {'fake tf calls':>13} {'fake wall ms':>12} {'fake RSS MiB':>12}")
    for name, tf_calls, aws, wall, own, tree in rows:
        f = fake.get(name)
        fake_cols = f"{f[0]:>13} {f[1]:>12.1f} {f[2]:>12.1f}" if f else f"{'-':>13} {'-':>12} {'-':>12}"
        tf_col = "?" if tf_calls is None else str(tf_calls)
        print(f"{name:<15} {tf_col:>8} {aws:>9} {wall:>7.1f} {own:>15.1f} {tree:>12.1f} | {fake_cols}")
    print_peers(peers, failed_moves)
    return 0


def terraform_apply(w, *args):
    """One hand-typed apply as the seed's README has it (auto-approved): (wall s, AWS calls)."""
    seq = w.last_seq()
    started = time.perf_counter()
    subprocess.run([w.terraform, f"-chdir={w.tfdir}", "apply", "-input=false", "-no-color",
                    "-auto-approve", *args], env=w.env, check=True, capture_output=True)
    return time.perf_counter() - started, len(w.calls_since(seq))


def compare_with_the_seed(w):
    """promote + rollback (green active, blue its twin) three ways, on one emulator and state."""
    w.xd("teal")  # after the story's cleanup: green active, blue the twin
    out = []
    total, calls = 0.0, 0
    for verb in (["promote", "blue"], ["rollback"]):
        seq = w.last_seq()
        code, _, wall, _, _ = run_measured(w, verb)
        if code != 0:
            raise SystemExit(f"xdeploy {' '.join(verb)} exited {code}")
        total += wall
        calls += len(w.calls_since(seq))
    out.append(("xdeploy promote blue + rollback", total, calls))
    total, calls = 0.0, 0
    for deploy, color in (("green,blue", "blue"), ("blue,green", "green")):
        for extra in (["-target=module.upgrade.terraform_data.healthy"], []):
            wall, n = terraform_apply(w, f"-var=deploy={deploy}", f"-var=verified={color}", *extra)
            total += wall
            calls += n
    out.append(("seed: 2 applies per move", total, calls))
    total, calls = 0.0, 0
    for deploy, color in (("green,blue", "blue"), ("blue,green", "green")):
        wall, n = terraform_apply(w, f"-var=deploy={deploy}", f"-var=verified={color}", "-target=module.upgrade")
        total += wall
        calls += n
    out.append(("floor: 1 apply -target=module.upgrade per move", total, calls))
    return out


def new_world(xdeploy, service):
    tmp = tempfile.mkdtemp(prefix="xdeploy-real-bench-")
    return e2e.World(tmp, os.path.abspath(xdeploy),
                     f"{os.path.abspath(service)} --port {{port}} --slot {{color}} --bind 127.0.0.1")


def failed_move_only(xdeploy, service):
    w = new_world(xdeploy, service)
    try:
        for verb in (["blue"], ["teal"]):
            code, out, _, _, _ = run_measured(w, verb)
            if code != 0:
                raise SystemExit(f"xdeploy {' '.join(verb)} exited {code}:\n{out[-3000:]}")
        failed_moves = [move_that_cannot_attach(w, "green", how) for how in ATTACH_FAULTS]
    finally:
        w.close()
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} cores, load {load}")
    for failed_move in failed_moves:
        print_failed_move(failed_move)
    return 0


# How the attach to the new color fails: every call answers 500 (the provider gives up after
# its retry budget), or hangs (no answer for 5 minutes: only xdeploy's deadline ends it).
ATTACH_FAULTS = {
    "answers 500": dict(error="InternalFailure", status=500, message="bench: 500"),
    "hangs": dict(delay_ms=300000, error="InternalFailure", status=500, message="bench: late 500"),
}


def move_that_cannot_attach(w, target, how):
    """promote `target` with every AttachStaticIp to it failing `how` (the attach back to the
    color that served works): the move ends within --move-deadline less the way back's
    reserve, and the IP goes back (exit 6)."""
    w.xd("status", "--refresh")  # read the slots' addresses (an earlier apply may have moved the IP)
    loop = e2e.ClientLoop(w)
    w.emu.arm(action="AttachStaticIp", instance=f"{e2e.APP}-{target}", **ATTACH_FAULTS[how])
    try:
        loop.verb = "failed-move"
        started = time.perf_counter()
        code, out, wall, _, _ = run_measured(w, ["--move-deadline", f"{MOVE_DEADLINE_S}s", "promote", target])
        loop.verb = "idle"
    finally:
        loop.stop()
        w.emu.clear_faults()
    try:
        said = json.loads(out).get("message", "")
    except ValueError:
        said = out[-500:]
    return code, time.perf_counter() - started, loop.longest_outage_ms("failed-move"), \
        len(loop.failures("failed-move")), w.attached_color(), target, said, how


def print_failed_move(failed_move):
    code, wall, outage_ms, failures, holder, target, said, how = failed_move
    print(f"a move that cannot attach (every AttachStaticIp to {target} {how}, --move-deadline "
          f"{MOVE_DEADLINE_S} s): exit {code} in {wall:.1f} s, longest outage on the static IP "
          f"{outage_ms / 1000:.1f} s ({failures} failed requests), the IP ends on {holder}")
    print(f"  xdeploy said: {said.splitlines()[0] if said else '?'}")


def print_peers(peers, failed_moves):
    if not peers:
        return
    seed = next(t for name, t, _ in peers if name.startswith("seed"))
    print()
    print("promote + rollback, same emulator and state, one run")
    print(f"{'flow':<48} {'wall s':>7} {'x seed':>7} {'aws calls':>9}")
    for name, total, calls in peers:
        print(f"{name:<48} {total:>7.1f} {total / seed:>7.2f} {calls:>9}")
    for failed_move in failed_moves:
        print_failed_move(failed_move)


if __name__ == "__main__":
    sys.exit(main())
