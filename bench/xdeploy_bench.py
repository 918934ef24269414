#!/usr/bin/env python3
"""xdeploy's own cost per verb, with an instant fake terraform.

For each verb of the seed story it prints: Terraform invocations (from the
fake's call log), xdeploy's wall time and peak RSS (from wait4's rusage of
the xdeploy process itself), over several rounds. Slot health endpoints are
real falcon-xecutor processes on 127.0.0.1; the downtime prober is off here
(--no-probe) because the fake has no real static IP to watch: downtime is
measured by bench/local_promote_bench.sh on the local backend.
"""
import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port}")


def run(cmd, env):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {code}:\n{err}")
    return wall, usage.ru_maxrss  # KiB on Linux


def logged_calls(log):
    """The fake's call log as short labels: init, state-pull, plan, apply, refresh-plan (a
    `plan -refresh-only`: a refresh xdeploy checks before its `apply PLAN` writes it)."""
    if not os.path.exists(log):
        return []
    labels = []
    with open(log) as f:
        for line in f:
            if not line.strip():
                continue
            call = json.loads(line)
            sub = call.get("subcommand", "?")
            # "state pull" -> "state-pull": the table's last column must stay one word.
            labels.append("refresh-plan" if sub == "plan" and "-refresh-only" in call.get("argv", [])
                          else sub.replace(" ", "-"))
    return labels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    xdeploy = os.path.join(args.build, "src/cli/xdeploy")
    fake = os.path.join(args.build, "tests/fake_terraform/bin/terraform")
    service = os.path.join(args.build, "src/service/falcon-xecutor")
    for b in (xdeploy, fake, service):
        if not os.access(b, os.X_OK):
            sys.exit(f"missing {b}: run scripts/build.sh first")

    verbs = [["blue"], ["teal"], ["~green"], ["promote", "green"], ["rollback"], ["promote", "green"],
             ["cleanup"], ["status"], ["history"]]
    results = {" ".join(v): {"calls": [], "wall": [], "rss": [], "which": ""} for v in verbs}
    ports = {"blue": free_port(), "green": free_port()}
    slots = [subprocess.Popen([service, "--port", str(p), "--slot", c], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for c, p in ports.items()]
    try:
        for p in ports.values():
            wait_http(p)
        for _ in range(args.rounds):
            work = tempfile.mkdtemp(prefix="xdeploy-bench-")
            tfdir = os.path.join(work, "terraform")
            shutil.copytree(os.path.join(ROOT, "terraform"), tfdir,
                            ignore=shutil.ignore_patterns(".terraform", ".xdeploy", "tests", "*.tfstate*"))
            with open(os.path.join(tfdir, "fake-terraform.json"), "w") as f:
                json.dump({"slots": {c: {"public_ip": "127.0.0.1", "health_url": f"http://127.0.0.1:{p}/health"}
                                     for c, p in ports.items()},
                           "health": {"attempts": 1}}, f)
            log = os.path.join(work, "calls.jsonl")
            artifact = os.path.join(work, "falcon-xecutor.deb")
            with open(artifact, "w") as f:
                f.write("bench artifact")
            # What a user exports: the build to ship and the secrets, as TF_VAR_*.
            env = dict(os.environ, FAKE_TF_LOG=log, NO_COLOR="1", TF_VAR_artifact_path=artifact,
                       TF_VAR_falconx_api_key="k", TF_VAR_falconx_secret_key="s",
                       TF_VAR_falconx_passphrase="p", TF_VAR_webhook_secret="w")
            base = [xdeploy, "--terraform", fake, "-C", tfdir, "--no-probe", "--yes", "-q",
                    "--health-interval", "100ms"]
            for v in verbs:
                before = len(logged_calls(log))
                wall, rss = run(base + v, env)
                r = results[" ".join(v)]
                new = logged_calls(log)[before:]
                r["calls"].append(len(new))
                r["which"] = "+".join(new)
                r["wall"].append(wall * 1000)
                r["rss"].append(rss / 1024)
            shutil.rmtree(work)
    finally:
        for s in slots:
            s.terminate()
            s.wait()

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"xdeploy per-verb cost, instant fake terraform, {args.rounds} rounds")
    print(f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} cores, {cpu}")
    print(f"{'verb':<15} {'tf calls':>8} {'wall ms (median)':>17} {'wall ms (max)':>14} {'peak RSS MiB':>13}"
          "  which calls (last round)")
    for name, r in results.items():
        print(f"{name:<15} {statistics.median(r['calls']):>8.0f} {statistics.median(r['wall']):>17.1f} "
              f"{max(r['wall']):>14.1f} {max(r['rss']):>13.1f}  {r['which']}")


if __name__ == "__main__":
    main()
