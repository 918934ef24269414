#!/usr/bin/env python3
"""Real Terraform against the AWS endpoint emulator: the harness every
real-Terraform test uses (Python tests import it; C++ and shell tests run it).

  tf_harness.py check
      prints the terraform binary and the provider mirror, or `SKIPPED: <reason>`
      and exits 77 (CTest SKIP_RETURN_CODE) when either is missing.
  tf_harness.py configure --work DIR --config DIR --endpoint URL
      writes DIR/terraformrc (filesystem mirror only) and CONFIG/emulator_override.tf
      (test credentials, skip_* checks, path-style S3, every endpoint -> URL), and
      prints the environment Terraform needs as JSON (also saved to WORK/tf_env.json).

Environment knobs: XD_REAL_TERRAFORM (binary), XD_TF_PROVIDER_MIRROR (the folder
that contains registry.terraform.io); otherwise PATH and a search of / to depth 4.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

SKIP_CODE = 77  # registered as SKIP_RETURN_CODE on every real-Terraform CTest test
HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(os.path.dirname(HERE), "aws_emulator", "aws_emulator.py")
SKIP_DIRS = {"/proc", "/sys", "/dev", "/run", "/tmp", "/work"}


class Skip(Exception):
    pass


def find_terraform():
    tf = os.environ.get("XD_REAL_TERRAFORM") or shutil.which("terraform")
    if not tf or not os.access(tf, os.X_OK):
        raise Skip("no `terraform` binary on PATH (or XD_REAL_TERRAFORM)")
    out = subprocess.run([tf, "version", "-json"], capture_output=True, text=True,
                         env=dict(os.environ, TF_CLI_CONFIG_FILE="/dev/null"))
    try:
        version = json.loads(out.stdout)["terraform_version"]
    except (ValueError, KeyError):
        raise Skip(f"{tf} is not a real Terraform (`version -json` said {out.stdout[:80]!r})")
    return tf, version


def find_mirror():
    """The folder holding registry.terraform.io/hashicorp/aws, like
    `find / -maxdepth 4 -type d -name registry.terraform.io` (never hard-coded)."""
    env = os.environ.get("XD_TF_PROVIDER_MIRROR")
    candidates = [env] if env else _search_registry_dirs("/", 4)
    for mirror in candidates:
        aws = os.path.join(mirror, "registry.terraform.io", "hashicorp", "aws")
        if os.path.isdir(aws) and os.listdir(aws):
            return mirror, sorted(os.listdir(aws))
    raise Skip("no provider mirror with registry.terraform.io/hashicorp/aws found under / (depth 4)"
               + (f" nor at XD_TF_PROVIDER_MIRROR={env}" if env else ""))


def _search_registry_dirs(root, depth):
    found = []
    stack = [(root, 0)]
    while stack:
        path, d = stack.pop()
        try:
            entries = list(os.scandir(path))
        except OSError:
            continue
        for e in entries:
            if not e.is_dir(follow_symlinks=False) or e.path in SKIP_DIRS:
                continue
            if e.name == "registry.terraform.io":
                found.append(path)
            elif d + 1 < depth:
                stack.append((e.path, d + 1))
    return sorted(found)


def write_cli_config(work_dir, mirror):
    """Installs only from the mirror: no network, no plugin cache (its dir may be unset
    or shared with other tests)."""
    path = os.path.join(work_dir, "terraformrc")
    _write(path, f'''disable_checkpoint = true
provider_installation {{
  filesystem_mirror {{
    path    = "{mirror}"
    include = ["registry.terraform.io/hashicorp/*"]
  }}
}}
''')
    return path


def write_provider_override(config_dir, endpoint, max_retries=None):
    """An *_override.tf merges into the config's own `provider "aws"` block (which must exist)."""
    retries = f"\n  max_retries                 = {max_retries}" if max_retries is not None else ""
    path = os.path.join(config_dir, "emulator_override.tf")
    _write(path, f'''# Written by tests/real_terraform/tf_harness.py: every AWS call goes to the emulator.
provider "aws" {{
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true{retries}

  endpoints {{
    lightsail = "{endpoint}"
    iam       = "{endpoint}"
    s3        = "{endpoint}"
    sts       = "{endpoint}"
  }}
}}
''')
    return path


def terraform_env(cli_config):
    """The environment for every terraform call: our CLI config, no prompts, no
    AWS settings leaking in from the machine."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "TF_")) or k == "TF_LOG"}
    env.update(TF_CLI_CONFIG_FILE=cli_config, TF_IN_AUTOMATION="1", TF_INPUT="0",
               CHECKPOINT_DISABLE="1", AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    return env


def _write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


class Emulator:
    """The emulator as a child process; `with Emulator(...) as emu:` stops it (and every
    instance process and router it started) on exit."""

    def __init__(self, state_dir, instance_command="", operation_seconds=0.5, service_port=0):
        os.makedirs(state_dir, exist_ok=True)
        self.state_dir = state_dir
        argv = [sys.executable, EMULATOR, "serve", "--state-dir", state_dir,
                "--instance-command", instance_command, "--operation-seconds", str(operation_seconds),
                "--service-port", str(service_port), "--exit-on-stdin-eof"]
        self._log = open(os.path.join(state_dir, "emulator.stderr"), "ab")
        # stdin is a pipe only we hold: if this process dies, the emulator sees EOF and stops.
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
                                     text=True)
        line = self.proc.stdout.readline()  # the emulator prints one JSON line once it listens
        if not line:
            self.proc.wait()
            raise RuntimeError(f"emulator exited {self.proc.returncode} before it listened; "
                               f"see {state_dir}/emulator.stderr")
        self.ready = json.loads(line)
        self.endpoint = self.ready["endpoint"]
        self.service_port = self.ready["servicePort"]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)
        self.proc.stdout.close()
        self.proc.stdin.close()
        self._log.close()
        if self.proc.returncode != 0:
            self._stop_orphans()
        return self.proc.returncode

    def _stop_orphans(self):
        """The emulator died without its clean shutdown (crash, SIGKILL): its instance
        processes (each its own process group, listed in the state file) would outlive
        the test. Only pids the emulator itself recorded are signalled."""
        try:
            with open(self.ready["stateFile"], encoding="utf-8") as f:
                instances = json.load(f).get("instances", {})
        except (OSError, ValueError):
            return
        for inst in instances.values():
            if inst.get("pid"):
                try:
                    os.killpg(inst["pid"], signal.SIGTERM)
                except (ProcessLookupError, PermissionError):
                    pass

    def _control(self, path, method="GET", payload=None):
        import urllib.request
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(self.endpoint + "/__emulator/" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def state(self):
        return self._control("state")

    def arm(self, **fault):
        return self._control("faults", "POST", fault)

    def faults(self):
        """The armed faults, each with its `hits` so far."""
        return self._control("faults")

    def clear_faults(self):
        return self._control("faults", "DELETE")

    def outside(self, **change):
        """A change made outside Terraform: op=stop-start|delete-instance|detach-static-ip."""
        return self._control("outside", "POST", change)

    def calls(self):
        with open(self.ready["callLog"], encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]


class Terraform:
    """Runs the real binary in one config dir with the harness environment, and
    times every call (`timings`: list of (args, seconds, exit code))."""

    def __init__(self, binary, config_dir, cli_config):
        self.binary = binary
        self.dir = config_dir
        self.env = terraform_env(cli_config)
        self.timings = []

    def run(self, *args, check=True, timeout=600):
        started = time.monotonic()
        p = subprocess.run([self.binary, *args], cwd=self.dir, env=self.env, capture_output=True,
                           text=True, timeout=timeout)
        self.timings.append((" ".join(args[:1]), time.monotonic() - started, p.returncode))
        if check and p.returncode != 0:
            raise AssertionError(f"terraform {' '.join(args)} exited {p.returncode}\n"
                                 f"--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}")
        return p


def require_real_terraform():
    """(terraform, version, mirror) or print SKIPPED and exit 77."""
    try:
        tf, version = find_terraform()
        mirror, aws_versions = find_mirror()
    except Skip as why:
        print(f"SKIPPED: {why}", flush=True)
        sys.exit(SKIP_CODE)
    return tf, version, mirror


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("check")
    c = sub.add_parser("configure")
    c.add_argument("--work", required=True)
    c.add_argument("--config", required=True)
    c.add_argument("--endpoint", required=True)
    c.add_argument("--max-retries", type=int)
    args = p.parse_args()
    tf, version, mirror = require_real_terraform()
    if args.cmd == "check":
        print(json.dumps({"terraform": tf, "version": version, "mirror": mirror}))
        return 0
    os.makedirs(args.work, exist_ok=True)
    cli = write_cli_config(args.work, mirror)
    write_provider_override(args.config, args.endpoint, args.max_retries)
    out = {"terraform": tf, "version": version, "mirror": mirror, "TF_CLI_CONFIG_FILE": cli,
           "env": {k: v for k, v in terraform_env(cli).items() if k not in os.environ or os.environ[k] != v}}
    _write(os.path.join(args.work, "tf_env.json"), json.dumps(out, indent=1))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
