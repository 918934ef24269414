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

  python3 bench/xdeploy_real_bench.py [--build build] [--fake-rounds 3]
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
    args = ap.parse_args()
    xdeploy = os.path.join(args.build, "src/cli/xdeploy")
    service = os.path.join(args.build, "src/service/falcon-xecutor")
    for b in (xdeploy, service):
        if not os.access(b, os.X_OK):
            sys.exit(f"missing {b}: build xdeploy and falcon_xecutor first")
    _, version, _ = tf_harness.require_real_terraform()
    fake = fake_figures(args.build, args.fake_rounds)

    tmp = tempfile.mkdtemp(prefix="xdeploy-real-bench-")
    w = e2e.World(tmp, os.path.abspath(xdeploy),
                  f"{os.path.abspath(service)} --port {{port}} --slot {{color}} --bind 127.0.0.1")
    rows = []
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
