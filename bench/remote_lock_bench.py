#!/usr/bin/env python3
"""What a remote state's deploy lock and shared history cost per verb.

The same verbs run twice per round with the instant fake terraform: once with
local state (flock only: the peer), once with the working dir's saved backend
pointing at S3 on the AWS endpoint emulator (127.0.0.1), so xdeploy also takes
the lock object, writes the history object, and `status`/`history` read them.
Printed per verb: the S3 calls xdeploy made (from the emulator's call log, by
operation), and xdeploy's wall time in both modes (median, and the difference).
Slots are the stand-in slot app of the real-Terraform tier on 127.0.0.1
(tests/real_terraform/switchable_slot_app.py); --no-probe as in bench/xdeploy_bench.py.

  python3 bench/remote_lock_bench.py [--build build] [--rounds 5]
"""
import argparse
import collections
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "real_terraform"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import tf_harness  # noqa: E402
from xdeploy_bench import free_port, wait_http  # noqa: E402

VERBS = [["blue"], ["teal"], ["promote", "green"], ["rollback"], ["cleanup"], ["status"], ["history"]]


def saved_backend(tfdir, endpoint):
    """What `terraform init` saves for an S3 backend: xdeploy reads it to find the state."""
    os.makedirs(os.path.join(tfdir, ".terraform"), exist_ok=True)
    with open(os.path.join(tfdir, ".terraform", "terraform.tfstate"), "w") as f:
        json.dump({"version": 3, "backend": {"type": "s3", "config": {
            "bucket": "bench-state", "key": "app/terraform.tfstate", "region": "us-east-1",
            "use_lockfile": True, "use_path_style": True, "endpoints": {"s3": endpoint}}}}, f)


def one_round(xdeploy, fake, ports, emu, remote, results):
    work = tempfile.mkdtemp(prefix="xd-remote-bench-")
    try:
        tfdir = os.path.join(work, "terraform")
        shutil.copytree(os.path.join(ROOT, "terraform"), tfdir,
                        ignore=shutil.ignore_patterns(".terraform", ".xdeploy", "tests", "*.tfstate*"))
        with open(os.path.join(tfdir, "fake-terraform.json"), "w") as f:
            json.dump({"slots": {c: {"public_ip": "127.0.0.1", "health_url": f"http://127.0.0.1:{p}/health"}
                                 for c, p in ports.items()}, "health": {"attempts": 1}}, f)
        # Initialised in both modes (so both run the same terraform calls), then, for the
        # remote mode, the backend config that `terraform init` saves for an S3 backend.
        subprocess.run([fake, f"-chdir={tfdir}", "init", "-input=false"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if remote:
            saved_backend(tfdir, emu.endpoint)
        artifact = os.path.join(work, "falcon-xecutor.deb")
        with open(artifact, "w") as f:
            f.write("bench artifact")
        env = dict(os.environ, NO_COLOR="1", TF_VAR_artifact_path=artifact, TF_VAR_falconx_api_key="k",
                   TF_VAR_falconx_secret_key="s", TF_VAR_falconx_passphrase="p", TF_VAR_webhook_secret="w",
                   AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench-secret")
        base = [xdeploy, "--terraform", fake, "-C", tfdir, "--no-probe", "--yes", "-q", "--health-interval", "100ms"]
        for verb in VERBS:
            seq = max((c["seq"] for c in emu.calls()), default=0)
            started = time.perf_counter()
            p = subprocess.run(base + verb, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            wall = (time.perf_counter() - started) * 1000
            if p.returncode != 0:
                raise RuntimeError(f"xdeploy {' '.join(verb)} exited {p.returncode}:\n{p.stderr}")
            r = results[(" ".join(verb), remote)]
            r["wall"].append(wall)
            if remote:
                calls = [c for c in emu.calls() if c["seq"] > seq and c.get("service") == "s3"]
                r["calls"].append(len(calls))
                r["ops"] = collections.Counter(c["action"] for c in calls)
                r["s3_ms"].append(sum(c.get("ms", 0) for c in calls))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    xdeploy = os.path.join(args.build, "src/cli/xdeploy")
    fake = os.path.join(args.build, "tests/fake_terraform/bin/terraform")
    for b in (xdeploy, fake):
        if not os.access(b, os.X_OK):
            sys.exit(f"missing {b}: run scripts/build.sh first")
    results = collections.defaultdict(lambda: {"wall": [], "calls": [], "s3_ms": [], "ops": {}})
    ports = {"blue": free_port(), "green": free_port()}
    tmp = tempfile.mkdtemp(prefix="xd-remote-bench-emu-")
    slot_app = os.path.join(ROOT, "tests", "real_terraform", "switchable_slot_app.py")
    slots = [subprocess.Popen([sys.executable, slot_app, str(p), c, tmp], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for c, p in ports.items()]
    emu = tf_harness.Emulator(os.path.join(tmp, "emu"))
    try:
        for p in ports.values():
            wait_http(p)
        import urllib.request
        urllib.request.urlopen(urllib.request.Request(emu.endpoint + "/bench-state/", method="PUT", headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=b/20260101/us-east-1/s3/aws4_request, s=x"})).read()
        for _ in range(args.rounds):
            for remote in (False, True):  # interleaved: both modes see the same machine load
                one_round(xdeploy, fake, ports, emu, remote, results)
    finally:
        emu.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        for s in slots:
            s.terminate()
            s.wait()
    load = os.getloadavg()[0]
    print(f"remote lock + shared history cost per verb: fake terraform, S3 on the emulator (127.0.0.1), "
          f"{args.rounds} rounds, load average {load:.1f}")
    print(f"{'verb':<15} {'S3 calls':>8} {'S3 ms':>6} {'local ms':>9} {'remote ms':>10} {'added ms':>9}  calls")
    for verb in VERBS:
        name = " ".join(verb)
        local, remote = results[(name, False)], results[(name, True)]
        lw, rw = statistics.median(local["wall"]), statistics.median(remote["wall"])
        ops = ", ".join(f"{n} {op}" for op, n in sorted(remote["ops"].items()))
        print(f"{name:<15} {statistics.median(remote['calls']):>8.0f} {statistics.median(remote['s3_ms']):>6.1f} "
              f"{lw:>9.1f} {rw:>10.1f} {rw - lw:>9.1f}  {ops}")


if __name__ == "__main__":
    main()
