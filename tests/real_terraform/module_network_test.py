#!/usr/bin/env python3
"""terraform/ as shipped, with real Terraform and the real aws provider, against the
AWS emulator: the slot's network and certificate settings (issue 10, sections 2-3).

  module_network_test.py

1. Bad inputs are refused at plan time with a clear message, and nothing is
   created: a non-/32 webhook CIDR, a malformed operator CIDR, SSH open to the
   world, no operator address at all, a certificate without its key.
2. Blue, created with a certificate pair: the plan and the emulator show 443 and
   80 open to webhook_cidrs + operator_cidrs, 22 to ssh_cidrs only, no service
   port (8080); ip_address_type ipv4; the env object carries XECUTOR_ALLOWED_IPS
   and no XECUTOR_BIND; the pair is in the slot's bucket, byte for byte, and in
   neither the user data, the plan nor the state; the health URL is https on 443.
3. Green, created next to it with other CIDRs, no SSH and no certificate: no port
   22 rule, empty certificate objects (self-signed on the instance), and blue's
   firewall, objects and instance untouched (per-color settings).

Exits 77 with `SKIPPED: <reason>` when terraform or the provider mirror is missing.
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import tf_harness  # noqa: E402

APP = "falcon-xecutor"
SECRETS = {"TF_VAR_falconx_api_key": "mod-key", "TF_VAR_falconx_secret_key": "mod-secret",
           "TF_VAR_falconx_passphrase": "mod-pass", "TF_VAR_webhook_secret": "mod-webhook-secret-0123"}
TRADINGVIEW = ["52.89.214.238/32", "34.212.75.30/32", "54.218.53.128/32", "52.32.178.7/32"]
MUTATING = {"CreateInstances", "DeleteInstance", "AttachStaticIp", "DetachStaticIp", "AllocateStaticIp",
            "ReleaseStaticIp", "PutInstancePublicPorts", "CloseInstancePublicPorts", "PutObject",
            "CreateBucket", "CreateUser"}


def log(msg):
    print(msg, flush=True)


def expect(cond, what, detail=""):
    if not cond:
        raise AssertionError(f"{what}\n{detail}")
    log(f"ok: {what}")


class World:
    def __init__(self, tmp):
        self.terraform, version, mirror = tf_harness.require_real_terraform()
        log(f"terraform {version} ({self.terraform}), provider mirror {mirror}")
        self.tmp = tmp
        self.tfdir = os.path.join(tmp, "terraform")
        shutil.copytree(os.path.join(ROOT, "terraform"), self.tfdir,
                        ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", ".xdeploy", "tests",
                                                      "*.tfstate*", "*.example", "terraform.tfvars"))
        self.emu = tf_harness.Emulator(os.path.join(tmp, "emulator"))
        cli = tf_harness.write_cli_config(tmp, mirror)
        tf_harness.write_provider_override(self.tfdir, self.emu.endpoint)
        self.tf = tf_harness.Terraform(self.terraform, self.tfdir, cli)
        artifact = os.path.join(tmp, "falcon-xecutor_1.0_amd64.deb")
        tf_harness._write(artifact, "build 1")
        self.tf.env.update(SECRETS, TF_VAR_artifact_path=artifact)
        # A real pair, as certbot would leave it (the boot test checks nginx accepts one).
        self.cert, self.key = os.path.join(tmp, "fullchain.pem"), os.path.join(tmp, "privkey.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=hooks.example.test", "-keyout", self.key, "-out", self.cert],
                       check=True, capture_output=True)
        with open(self.key, encoding="ascii") as f:
            self.key_text = f.read()
        # The key's base64 body: what would show up in any file that held the key.
        self.key_marker = self.key_text.splitlines()[1]

    def tfvars(self, **values):
        with open(os.path.join(self.tfdir, "step.auto.tfvars.json"), "w", encoding="utf-8") as f:
            json.dump(values, f)

    def mutating_calls(self):
        return [c["action"] for c in self.emu.calls() if c.get("action") in MUTATING]

    def plan_json(self, *args):
        p = self.tf.run("plan", "-input=false", "-no-color", "-out=step.tfplan", *args)
        shown = self.tf.run("show", "-json", "step.tfplan").stdout
        return p, json.loads(shown), shown

    def s3_object(self, color, key):
        for name, bucket in self.emu.state()["buckets"].items():
            if name.startswith(f"{APP}-{color}-"):
                path = os.path.join(self.emu.state_dir, "s3", name, f"{APP}-{color}", key)
                with open(path, "rb") as f:
                    return f.read()
        raise AssertionError(f"no bucket for {color}: {list(self.emu.state()['buckets'])}")


def changes(plan):
    return {rc["address"]: rc["change"] for rc in plan.get("resource_changes", [])}


def rules(port_info):
    """{port: sorted cidrs} from a plan's port_info or the emulator's port states."""
    out = {}
    for p in port_info:
        port = p.get("from_port", p.get("fromPort"))
        out[port] = sorted(p.get("cidrs") or [])
    return out


def bad_inputs(w):
    log("-- bad inputs: refused at plan time, nothing created")
    w.tfvars(operator_cidrs=["203.0.113.7/32"])
    p = w.tf.run("plan", "-input=false", "-no-color", "-var=deploy=blue",
                 '-var=webhook_cidrs=["52.89.214.0/24"]', '-var=operator_cidrs=["203.0.113.300/32"]',
                 '-var=ssh_cidrs=["0.0.0.0/0"]', check=False)
    out = " ".join((p.stdout + p.stderr).split())
    expect(p.returncode == 1, f"plan with bad CIDRs exits 1 (got {p.returncode})", out)
    expect("webhook_cidrs entries must be single addresses (/32)" in out and "XECUTOR_ALLOWED_IPS" in out,
           "a /24 in webhook_cidrs: the message says why only /32 works", out)
    expect("operator_cidrs must be IPv4 CIDRs" in out, "a malformed operator CIDR is named", out)
    expect("0.0.0.0/0 is refused" in out, "SSH open to the world is refused", out)

    w.tfvars()  # no operator_cidrs (and no app_cidrs): the gate could never reach a slot
    p = w.tf.run("plan", "-input=false", "-no-color", "-var=deploy=blue",
                 f"-var=tls_certificate_pem_file={w.cert}", check=False)
    out = " ".join((p.stdout + p.stderr).split())
    expect(p.returncode == 1, f"plan without operator_cidrs exits 1 (got {p.returncode})", out)
    expect("operator_cidrs is empty" in out and "checkip.amazonaws.com" in out,
           "no operator address: the message says what to set", out)
    expect("tls_certificate_pem_file and tls_private_key_pem_file go together" in out,
           "a certificate without its key is refused", out)
    expect(w.mutating_calls() == [], "nothing was created by the refused plans", str(w.mutating_calls()))
    expect(not os.path.exists(os.path.join(w.tfdir, "terraform.tfstate")), "no state was written")


def blue_with_certificate(w):
    log("-- blue: firewall, IPv4, allow-list and the certificate pair")
    w.tfvars(operator_cidrs=["198.51.100.0/24"], app_cidrs=["192.0.2.10/32"], ssh_cidrs=["203.0.113.7/32"],
             tls_certificate_pem_file=w.cert, tls_private_key_pem_file=w.key)
    # xdeploy's first step for a first deploy: the slot and the IP, nothing attached.
    p, plan, shown = w.plan_json("-var=deploy=blue", '-target=module.slot["blue"]',
                                 "-target=aws_lightsail_static_ip.this")
    c = changes(plan)
    ports = c['module.slot["blue"].aws_lightsail_instance_public_ports.this']["after"]["port_info"]
    public = sorted(TRADINGVIEW + ["198.51.100.0/24", "192.0.2.10/32"])
    expect(rules(ports) == {443: public, 80: public, 22: ["203.0.113.7/32"]},
           "plan: 443 and 80 open to webhook_cidrs + operator_cidrs (+ the deprecated app_cidrs), 22 to ssh_cidrs, "
           "nothing else (no 8080)", json.dumps(ports, indent=1))
    instance = c['module.slot["blue"].aws_lightsail_instance.this']["after"]
    expect(instance["ip_address_type"] == "ipv4", "plan: ip_address_type = ipv4")
    expect(w.key_marker not in shown and w.key_marker not in p.stdout,
           "the private key appears neither in the plan nor in its output")
    tls_key = c['module.slot["blue"].aws_s3_object.tls_private_key']["after"]
    expect(tls_key.get("source") == w.key and not tls_key.get("content"),
           "the key object is uploaded from the file (source), not embedded (content)")

    w.tf.run("apply", "-input=false", "-no-color", "step.tfplan")
    st = w.emu.state()
    inst = st["instances"][f"{APP}-blue"]
    expect(rules(inst["ports"]) == {443: public, 80: public, 22: ["203.0.113.7/32"]},
           "emulator: PutInstancePublicPorts set exactly those rules", json.dumps(inst["ports"], indent=1))
    expect(inst["ipAddressType"] == "ipv4", "emulator: CreateInstances asked for an IPv4-only instance")

    env = w.s3_object("blue", "env").decode()
    allowed = ",".join(c.split("/")[0] for c in TRADINGVIEW)
    expect(f'XECUTOR_ALLOWED_IPS="{allowed}"' in env.splitlines(),
           "the env object carries XECUTOR_ALLOWED_IPS = webhook_cidrs' addresses", env)
    expect('XECUTOR_PORT="8080"' in env.splitlines() and "XECUTOR_BIND" not in env,
           "the service keeps its loopback default (no XECUTOR_BIND) on its internal port")
    with open(w.cert, "rb") as f:
        expect(w.s3_object("blue", "tls/cert.pem") == f.read(), "the certificate is in blue's bucket, byte for byte")
    expect(w.s3_object("blue", "tls/key.pem") == w.key_text.encode(), "the key is in blue's bucket, byte for byte")

    with open(os.path.join(w.tfdir, "terraform.tfstate"), encoding="utf-8") as f:
        state = f.read()
    expect(w.key_marker not in state, "the private key is not in the Terraform state")
    user_data = next(r for r in json.loads(state)["resources"]
                     if r["type"] == "aws_lightsail_instance")["instances"][0]["attributes"]["user_data"]
    script = base64.b64decode(user_data.split("echo ", 1)[1].split(" ", 1)[0]).decode()
    expect("tls/key.pem" in script and w.key_marker not in script and "BEGIN" not in script,
           "the user data names the key's object, never the key")

    out = {k: v["value"] for k, v in json.loads(w.tf.run("output", "-json").stdout).items()}
    blue = out["slots"]["blue"]
    expect(blue["health_url"] == f"https://{blue['public_ip']}:443/health",
           f"blue's health URL is https on 443 ({blue['health_url']})")


def green_next_to_it(w):
    log("-- green: other CIDRs, no SSH, no certificate; blue untouched")
    blue_before = w.emu.state()["instances"][f"{APP}-blue"]
    w.tfvars(operator_cidrs=["203.0.113.99/32"], ssh_cidrs=[])
    p, plan, _ = w.plan_json("-var=deploy=green,blue", "-var=verified=blue")
    c = changes(plan)
    touched = {a: ch["actions"] for a, ch in c.items()
               if a.startswith('module.slot["blue"]') and ch["actions"] != ["no-op"]}
    expect(touched == {}, "plan: nothing of blue changes (per-color settings)", json.dumps(touched))
    ports = c['module.slot["green"].aws_lightsail_instance_public_ports.this']["after"]["port_info"]
    public = sorted(TRADINGVIEW + ["203.0.113.99/32"])
    expect(rules(ports) == {443: public, 80: public}, "plan: green has no port 22 rule (ssh_cidrs empty)",
           json.dumps(ports, indent=1))
    w.tf.run("apply", "-input=false", "-no-color", "step.tfplan")
    st = w.emu.state()
    expect(rules(st["instances"][f"{APP}-green"]["ports"]) == {443: public, 80: public},
           "emulator: green's firewall has 443 and 80 only")
    expect(st["instances"][f"{APP}-blue"]["ports"] == blue_before["ports"]
           and st["instances"][f"{APP}-blue"]["arn"] == blue_before["arn"],
           "emulator: blue's instance and firewall are the ones it was created with")
    expect(w.s3_object("green", "tls/cert.pem") == b"" and w.s3_object("green", "tls/key.pem") == b"",
           "green's certificate objects are empty: its boot script makes a self-signed pair")


def main():
    tf_harness.require_real_terraform()
    tmp = tempfile.mkdtemp(prefix="xd-modnet-")
    w = None
    ok = False
    try:
        w = World(tmp)
        w.tf.run("init", "-input=false", "-no-color")
        bad_inputs(w)
        blue_with_certificate(w)
        green_next_to_it(w)
        ok = True
    finally:
        if w is not None:
            for args, seconds, code in w.tf.timings:
                log(f"  terraform {args:<8} {seconds:6.1f} s  exit {code}")
            w.emu.stop()
        if ok:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"kept for inspection: {tmp}")
    log("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
