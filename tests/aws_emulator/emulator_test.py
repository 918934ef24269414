#!/usr/bin/env python3
"""Fast tests of the emulator itself (no Terraform): the address model, the
routers, If-None-Match, faults, the call log and clean shutdown, through raw
HTTP the way the provider's SDK talks to it."""

import hashlib
import http.client
import json
import os
import socket
import sys
import tempfile
import threading
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "real_terraform"))
from tf_harness import Emulator  # noqa: E402

from raw_s3 import s3  # noqa: E402

SLOT_APP = os.path.join(HERE, "testdata", "slot_app.py")


def lightsail(emu, action, **body):
    req = urllib.request.Request(emu.endpoint + "/", data=json.dumps(body).encode(), method="POST", headers={
        "X-Amz-Target": f"Lightsail_20161128.{action}", "Content-Type": "application/x-amz-json-1.1",
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/lightsail/aws4_request, s=x"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def iam(emu, action, **params):
    data = urllib.parse.urlencode({"Action": action, "Version": "2010-05-08", **params}).encode()
    req = urllib.request.Request(emu.endpoint + "/", data=data, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/iam/aws4_request, s=x"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def http_get(ip, port):
    """The slot that answers at ip:port, or None if nothing does."""
    try:
        with urllib.request.urlopen(f"http://{ip}:{port}/health", timeout=5) as r:
            return r.headers.get("X-Slot")
    except (urllib.error.URLError, ConnectionError, socket.timeout, http.client.HTTPException):
        return None


def http_get_from(source, ip, port):
    """Like http_get, with the connection made from a chosen loopback source address."""
    c = http.client.HTTPConnection(ip, port, timeout=5, source_address=(source, 0))
    try:
        c.request("GET", "/health")
        return c.getresponse().getheader("X-Slot")
    except (OSError, http.client.HTTPException):
        return None
    finally:
        c.close()


def wait_for(predicate):
    """Until predicate() is true: the app process needs a moment to listen (bounded by the test timeout)."""
    import time
    while not predicate():
        time.sleep(0.05)


def create_instance(emu, name, open_port=True):
    status, out = lightsail(emu, "CreateInstances", instanceNames=[name], availabilityZone="us-east-1a",
                            blueprintId="debian_12", bundleId="nano_3_0", userData="echo hi")
    assert status == 200, out
    if open_port:
        status, _ = lightsail(emu, "PutInstancePublicPorts", instanceName=name, portInfos=[
            {"fromPort": emu.service_port, "toPort": emu.service_port, "protocol": "tcp"}])
        assert status == 200
    return out["operations"][0]


def public_ip(emu, name):
    status, out = lightsail(emu, "GetInstance", instanceName=name)
    assert status == 200, out
    return out["instance"]["publicIpAddress"], out["instance"]["isStaticIp"]


class EmulatorTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="aws-emu-test-")
        self.emu = Emulator(os.path.join(self.tmp.name, "state"),
                            instance_command=f"{sys.executable} {SLOT_APP} {{port}} {{color}}",
                            operation_seconds=0.2)

    def tearDown(self):
        self.emu.stop()
        self.tmp.cleanup()

    def test_static_ip_moves_and_instance_addresses_follow_the_lightsail_model(self):
        create_instance(self.emu, "t-blue")
        create_instance(self.emu, "t-green")
        port = self.emu.service_port
        blue_ip, static = public_ip(self.emu, "t-blue")
        green_ip, _ = public_ip(self.emu, "t-green")
        self.assertFalse(static)
        wait_for(lambda: http_get(blue_ip, port) == "blue")
        wait_for(lambda: http_get(green_ip, port) == "green")

        lightsail(self.emu, "AllocateStaticIp", staticIpName="t-ip")
        _, sip = lightsail(self.emu, "GetStaticIp", staticIpName="t-ip")
        ip = sip["staticIp"]["ipAddress"]
        self.assertFalse(sip["staticIp"]["isAttached"])
        self.assertIsNone(http_get(ip, port), "an unattached static IP forwards nowhere")

        self.assertEqual(200, lightsail(self.emu, "AttachStaticIp", staticIpName="t-ip", instanceName="t-blue")[0])
        self.assertEqual((ip, True), public_ip(self.emu, "t-blue"), "attach replaces the public address")
        self.assertIsNone(http_get(blue_ip, port), "the old dynamic address no longer exists")
        self.assertEqual("blue", http_get(ip, port))

        # Terraform's replacement of the attachment: detach, then attach elsewhere.
        self.assertEqual(200, lightsail(self.emu, "DetachStaticIp", staticIpName="t-ip")[0])
        new_blue_ip, static = public_ip(self.emu, "t-blue")
        self.assertFalse(static)
        self.assertNotIn(new_blue_ip, (blue_ip, ip), "detach gives the instance a NEW address")
        self.assertEqual("blue", http_get(new_blue_ip, port))
        self.assertIsNone(http_get(ip, port))
        lightsail(self.emu, "AttachStaticIp", staticIpName="t-ip", instanceName="t-green")
        self.assertEqual("green", http_get(ip, port))

        state = self.emu.state()
        self.assertEqual("t-green", state["staticIps"]["t-ip"]["attachedTo"])
        self.assertEqual(ip, state["instances"]["t-green"]["publicIpAddress"])

    def test_closed_firewall_port_refuses_and_put_public_ports_opens_it(self):
        create_instance(self.emu, "t-blue", open_port=False)
        ip, _ = public_ip(self.emu, "t-blue")
        _, ports = lightsail(self.emu, "GetInstancePortStates", instanceName="t-blue")
        self.assertEqual({22, 80}, {p["fromPort"] for p in ports["portStates"]}, "Lightsail's default ports")
        app_port = self.emu.state()["instances"]["t-blue"]["appPort"]
        wait_for(lambda: http_get("127.0.0.1", app_port) == "blue")  # the app is up...
        self.assertIsNone(http_get(ip, self.emu.service_port))  # ...but the firewall is closed
        lightsail(self.emu, "PutInstancePublicPorts", instanceName="t-blue", portInfos=[
            {"fromPort": self.emu.service_port, "toPort": self.emu.service_port, "protocol": "tcp"}])
        self.assertEqual("blue", http_get(ip, self.emu.service_port))

    def test_port_rule_cidrs_admit_only_their_sources(self):
        # terraform/ opens 443/80 to webhook_cidrs + operator_cidrs only: the emulator enforces a
        # rule's IPv4 CIDRs against the client's source address (loopback sources are real).
        create_instance(self.emu, "t-blue", open_port=False)
        ip, _ = public_ip(self.emu, "t-blue")
        port = self.emu.service_port
        lightsail(self.emu, "PutInstancePublicPorts", instanceName="t-blue", portInfos=[
            {"fromPort": port, "toPort": port, "protocol": "tcp", "cidrs": ["52.89.214.238/32", "127.0.0.1/32"]}])
        app_port = self.emu.state()["instances"]["t-blue"]["appPort"]
        wait_for(lambda: http_get("127.0.0.1", app_port) == "blue")
        self.assertEqual("blue", http_get_from("127.0.0.1", ip, port), "a source inside the cidrs gets in")
        self.assertIsNone(http_get_from("127.9.9.9", ip, port), "a source outside them is refused")
        self.assertEqual(["52.89.214.238/32", "127.0.0.1/32"],
                         self.emu.state()["instances"]["t-blue"]["ports"][0]["cidrs"])

    def test_ip_address_type_is_kept_from_create_instances(self):
        status, _ = lightsail(self.emu, "CreateInstances", instanceNames=["t-v4"], availabilityZone="us-east-1a",
                              blueprintId="debian_12", bundleId="nano_3_0", ipAddressType="ipv4")
        self.assertEqual(200, status)
        create_instance(self.emu, "t-dual", open_port=False)
        got = lightsail(self.emu, "GetInstance", instanceName="t-v4")[1]["instance"]
        self.assertEqual("ipv4", got["ipAddressType"])
        state = self.emu.state()["instances"]
        self.assertEqual(("ipv4", "dualstack"), (state["t-v4"]["ipAddressType"], state["t-dual"]["ipAddressType"]))

    def test_operations_start_then_succeed_and_not_found_is_NotFoundException(self):
        op = create_instance(self.emu, "t-blue", open_port=False)
        self.assertEqual("Started", op["status"])
        wait_for(lambda: lightsail(self.emu, "GetOperation", operationId=op["id"])[1]["operation"]["status"]
                 == "Succeeded")
        status, out = lightsail(self.emu, "GetInstance", instanceName="nope")
        self.assertEqual((400, "NotFoundException"), (status, out["__type"]))
        status, out = iam(self.emu, "GetUser", UserName="nope")
        self.assertEqual(404, status)
        self.assertIn("<Code>NoSuchEntity</Code>", out)
        status, out = s3(self.emu, "GET", "/nope?tagging")
        self.assertEqual(404, status)
        self.assertIn(b"<Code>NoSuchBucket</Code>", out)

    def test_delete_instance_stops_its_process_and_keeps_the_static_ip_unattached(self):
        create_instance(self.emu, "t-blue")
        lightsail(self.emu, "AllocateStaticIp", staticIpName="t-ip")
        lightsail(self.emu, "AttachStaticIp", staticIpName="t-ip", instanceName="t-blue")
        pid = self.emu.state()["instances"]["t-blue"]["pid"]
        self.assertEqual(200, lightsail(self.emu, "DeleteInstance", instanceName="t-blue", forceDeleteAddOns=True)[0])
        self.assertFalse(_alive(pid))
        state = self.emu.state()
        self.assertEqual({}, state["instances"])
        self.assertIsNone(state["staticIps"]["t-ip"]["attachedTo"])

    def test_put_if_none_match_has_exactly_one_winner_under_concurrency(self):
        self.assertEqual(200, s3(self.emu, "PUT", "/claims")[0])
        results = []
        lock = threading.Lock()

        def claim(i):
            status, _ = s3(self.emu, "PUT", "/claims/order-1", body=f"slot-{i}".encode(),
                           headers={"If-None-Match": "*"})
            with lock:
                results.append((status, i))

        threads = [threading.Thread(target=claim, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [i for status, i in results if status == 200]
        self.assertEqual(1, len(winners), results)
        self.assertEqual(15, sum(1 for status, _ in results if status == 412))
        self.assertEqual((200, f"slot-{winners[0]}".encode()), s3(self.emu, "GET", "/claims/order-1"))
        # A plain PUT overwrites; DELETE removes; then the claim can be made again.
        self.assertEqual(200, s3(self.emu, "PUT", "/claims/order-1", body=b"x")[0])
        self.assertEqual(204, s3(self.emu, "DELETE", "/claims/order-1")[0])
        self.assertEqual(404, s3(self.emu, "HEAD", "/claims/order-1")[0])
        self.assertEqual(200, s3(self.emu, "PUT", "/claims/order-1", body=b"y", headers={"If-None-Match": "*"})[0])

    def test_put_if_match_is_a_compare_and_swap_on_the_etag(self):
        self.assertEqual(200, s3(self.emu, "PUT", "/ledger")[0])
        self.assertEqual(404, s3(self.emu, "PUT", "/ledger/day", body=b"1", headers={"If-Match": '"x"'})[0])
        self.assertEqual(200, s3(self.emu, "PUT", "/ledger/day", body=b"1", headers={"If-None-Match": "*"})[0])
        etag = '"' + hashlib.md5(b"1").hexdigest() + '"'
        self.assertEqual(200, s3(self.emu, "PUT", "/ledger/day", body=b"2", headers={"If-Match": etag})[0])
        self.assertEqual(412, s3(self.emu, "PUT", "/ledger/day", body=b"3", headers={"If-Match": etag})[0])
        self.assertEqual((200, b"2"), s3(self.emu, "GET", "/ledger/day"))

    def test_aws_chunked_upload_is_decoded(self):
        s3(self.emu, "PUT", "/b")
        body = b"5;chunk-signature=abc\r\nhello\r\n0;chunk-signature=def\r\nx-amz-checksum-crc32:AAAA\r\n\r\n"
        status, _ = s3(self.emu, "PUT", "/b/k", body=body, headers={
            "Content-Encoding": "aws-chunked", "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"})
        self.assertEqual(200, status)
        self.assertEqual((200, b"hello"), s3(self.emu, "GET", "/b/k"))

    def test_faults_fail_or_delay_a_named_action_and_are_logged(self):
        create_instance(self.emu, "t-blue", open_port=False)
        lightsail(self.emu, "AllocateStaticIp", staticIpName="t-ip")
        self.emu.arm(action="AttachStaticIp", error="InvalidInputException", message="boom", count=1)
        status, out = lightsail(self.emu, "AttachStaticIp", staticIpName="t-ip", instanceName="t-blue")
        self.assertEqual((400, "InvalidInputException", "boom"), (status, out["__type"], out["message"]))
        self.assertIsNone(self.emu.state()["staticIps"]["t-ip"]["attachedTo"], "a failed call changes nothing")
        self.assertEqual(200, lightsail(self.emu, "AttachStaticIp", staticIpName="t-ip", instanceName="t-blue")[0],
                         "count=1: the fault disarmed itself")

        # instance=: only calls naming that instance fail (the attach back to the other works).
        create_instance(self.emu, "t-other", open_port=False)
        self.emu.arm(action="AttachStaticIp", error="InternalFailure", status=500, instance="t-other")
        status, out = lightsail(self.emu, "AttachStaticIp", staticIpName="t-ip", instanceName="t-other")
        self.assertEqual((500, "InternalFailure"), (status, out["__type"]))
        self.assertEqual("t-blue", self.emu.state()["staticIps"]["t-ip"]["attachedTo"])
        self.assertEqual(200, lightsail(self.emu, "AttachStaticIp", staticIpName="t-ip", instanceName="t-blue")[0],
                         "instance=t-other: an attach to t-blue is not hit")
        self.emu.clear_faults()

        self.emu.arm(action="CreateInstances", error="ThrottlingException", message="Rate exceeded")
        status, out = lightsail(self.emu, "CreateInstances", instanceNames=["t-green"])
        self.assertEqual((400, "ThrottlingException"), (status, out["__type"]))
        self.emu.clear_faults()

        self.emu.arm(action="DetachStaticIp", when="operation")
        status, out = lightsail(self.emu, "DetachStaticIp", staticIpName="t-ip")
        self.assertEqual(200, status)
        wait_for(lambda: lightsail(self.emu, "GetOperation", operationId=out["operations"][0]["id"])[1]
                 ["operation"]["status"] == "Failed")
        self.assertEqual("t-blue", self.emu.state()["staticIps"]["t-ip"]["attachedTo"])

        created = [c for c in self.emu.calls() if c.get("action") == "CreateInstances" and c["status"] == 200]
        self.assertEqual("<7 chars>", created[0]["params"]["userData"], "user data carries keys: never logged")
        faulted = [c for c in self.emu.calls() if c.get("fault")]
        self.assertEqual(["AttachStaticIp", "AttachStaticIp", "CreateInstances"], [c["action"] for c in faulted])
        self.assertEqual("ThrottlingException", faulted[2]["error"])

    def test_a_fault_on_the_answer_lets_the_effect_land_first(self):
        import threading
        create_instance(self.emu, "t-blue", open_port=False)
        lightsail(self.emu, "AllocateStaticIp", staticIpName="t-ip")
        self.emu.arm(action="AttachStaticIp", when="answer", delay_ms=2000, count=1)
        answered = []
        call = threading.Thread(target=lambda: answered.append(
            lightsail(self.emu, "AttachStaticIp", staticIpName="t-ip", instanceName="t-blue")[0]))
        call.start()
        wait_for(lambda: self.emu.state()["staticIps"]["t-ip"]["attachedTo"] == "t-blue")
        self.assertEqual([], answered, "attached while the caller still waits for the answer")
        call.join()
        self.assertEqual([200], answered)

    def test_clearing_the_faults_ends_a_delay_in_progress(self):
        import threading
        import time
        create_instance(self.emu, "t-blue", open_port=False)
        self.emu.arm(action="GetInstance", delay_ms=600000, error="InternalFailure", status=500)
        answered = []
        call = threading.Thread(target=lambda: answered.append(
            lightsail(self.emu, "GetInstance", instanceName="t-blue")[0]))
        call.start()
        wait_for(lambda: any(f["hits"] for f in self.emu.faults()))
        started = time.monotonic()
        self.emu.clear_faults()
        call.join(30)
        self.assertFalse(call.is_alive(), "the held request ended with the faults")
        self.assertLess(time.monotonic() - started, 30)
        self.assertEqual([500], answered, "it answers as its fault said")

    def test_every_lightsail_read_not_found_is_a_wrong_account_and_writes_nothing(self):
        create_instance(self.emu, "t-blue", open_port=False)
        self.emu.arm(action="Get*", service="lightsail", error="NotFoundException",
                     message="The Instance does not exist")
        status, out = lightsail(self.emu, "GetInstance", instanceName="t-blue")
        self.assertEqual((400, "NotFoundException"), (status, out["__type"]))
        self.assertEqual(400, lightsail(self.emu, "GetInstancePortStates", instanceName="t-blue")[0])
        # Not Lightsail, not a read, and never the operations the provider waits on.
        self.assertEqual(200, iam(self.emu, "CreateUser", UserName="u")[0])
        self.assertEqual(200, lightsail(self.emu, "TagResource", resourceName="t-blue", tags=[])[0])
        self.assertIn("t-blue", self.emu.state()["instances"], "the instance is untouched")

    def test_not_found_once_right_after_a_create_is_eventual_consistency(self):
        self.emu.arm(action="GetInstance", error="NotFoundException", message="not yet",
                     after="CreateInstances", count=1)
        create_instance(self.emu, "t-early", open_port=False)  # its GetInstance is not armed before
        self.assertEqual(400, lightsail(self.emu, "GetInstance", instanceName="t-early")[0])
        self.assertEqual(200, lightsail(self.emu, "GetInstance", instanceName="t-early")[0])

    def test_changes_outside_terraform(self):
        create_instance(self.emu, "t-blue")
        create_instance(self.emu, "t-green")
        port = self.emu.service_port
        green_ip, _ = public_ip(self.emu, "t-green")
        self.emu.outside(op="stop-start", instance="t-green")
        new_green_ip, _ = public_ip(self.emu, "t-green")
        self.assertNotEqual(green_ip, new_green_ip, "a started instance has a new address")
        wait_for(lambda: http_get(new_green_ip, port) == "green")
        self.assertIsNone(http_get(green_ip, port))

        lightsail(self.emu, "AllocateStaticIp", staticIpName="t-ip")
        lightsail(self.emu, "AttachStaticIp", staticIpName="t-ip", instanceName="t-blue")
        self.emu.outside(op="detach-static-ip", staticIp="t-ip")
        _, sip = lightsail(self.emu, "GetStaticIp", staticIpName="t-ip")
        self.assertFalse(sip["staticIp"]["isAttached"])
        self.assertFalse(public_ip(self.emu, "t-blue")[1])

        self.emu.outside(op="delete-instance", instance="t-green")
        self.assertEqual(400, lightsail(self.emu, "GetInstance", instanceName="t-green")[0])
        outside = [c for c in self.emu.calls() if c.get("action") == "Outside"]
        self.assertEqual(3, len(outside), "outside changes are in the call log")

    def test_ctl_arms_lists_and_clears_faults_and_reads_the_state(self):
        import subprocess
        ctl = [sys.executable, os.path.join(HERE, "aws_emulator.py"), "ctl", self.emu.endpoint]
        run = lambda *a: subprocess.run(ctl + list(a), capture_output=True, text=True, timeout=30)  # noqa: E731
        self.assertEqual(0, run("fault", '{"action": "GetInstance", "delay_ms": 10}').returncode)
        self.assertEqual(["GetInstance"], [f["action"] for f in json.loads(run("faults").stdout)])
        self.assertEqual(0, run("clear-faults").returncode)
        self.assertEqual([], self.emu.clear_faults())
        self.assertIn("staticIps", json.loads(run("state").stdout))
        bad = run("fault", '{"no-action": 1}')
        self.assertNotEqual(0, bad.returncode, "a fault without an action is refused")

    def test_sigterm_stops_every_instance_process(self):
        create_instance(self.emu, "t-blue")
        create_instance(self.emu, "t-green")
        pids = [i["pid"] for i in self.emu.state()["instances"].values()]
        self.assertTrue(all(_alive(p) for p in pids))
        self.assertEqual(0, self.emu.stop())
        self.assertFalse(any(_alive(p) for p in pids))


class HarnessCleanupTest(unittest.TestCase):
    def test_instance_processes_do_not_outlive_an_emulator_that_was_killed(self):
        import signal
        import time
        with tempfile.TemporaryDirectory(prefix="aws-emu-test-") as tmp:
            emu = Emulator(os.path.join(tmp, "state"),
                           instance_command=f"{sys.executable} {SLOT_APP} {{port}} {{color}}")
            create_instance(emu, "t-blue")
            pid = emu.state()["instances"]["t-blue"]["pid"]
            os.kill(emu.proc.pid, signal.SIGKILL)  # no clean shutdown
            self.assertEqual(-signal.SIGKILL, emu.stop())
            deadline = time.monotonic() + 30
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)  # the orphan is not our child: nothing to wait() on
            self.assertFalse(_alive(pid))


class ParentDeathTest(unittest.TestCase):
    def test_emulator_and_its_instances_stop_when_the_test_that_started_them_dies(self):
        import subprocess
        import time
        with tempfile.TemporaryDirectory(prefix="aws-emu-test-") as tmp:
            script = (
                "import sys, os, json\n"
                f"sys.path.insert(0, {os.path.join(os.path.dirname(HERE), 'real_terraform')!r})\n"
                f"sys.path.insert(0, {HERE!r})\n"
                "from tf_harness import Emulator\n"
                "from emulator_test import create_instance\n"
                f"emu = Emulator({os.path.join(tmp, 'state')!r}, instance_command="
                f"{sys.executable + ' ' + SLOT_APP + ' {port} {color}'!r})\n"
                "create_instance(emu, 't-blue')\n"
                "print(json.dumps([emu.proc.pid, emu.state()['instances']['t-blue']['pid']]), flush=True)\n"
                "os._exit(3)  # dies without stopping the emulator\n")
            out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
            self.assertEqual(3, out.returncode, out.stderr)
            emulator_pid, instance_pid = json.loads(out.stdout)
            deadline = time.monotonic() + 30
            while (_alive(emulator_pid) or _alive(instance_pid)) and time.monotonic() < deadline:
                time.sleep(0.05)  # neither is our child: nothing to wait() on
            self.assertFalse(_alive(emulator_pid))
            self.assertFalse(_alive(instance_pid))


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes (the emulator reaps its children on stop).
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(")")[-1].split()[0] != "Z"


if __name__ == "__main__":
    unittest.main(verbosity=2)
