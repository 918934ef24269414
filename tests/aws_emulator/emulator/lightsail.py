"""Lightsail (JSON 1.1, X-Amz-Target: Lightsail_20161128.<Action>): instances, their
public ports, static IPs and their attachment, and asynchronous operations.

Address model (terraform-facts.md 0.1 and README "Assumptions"):
- every instance starts with a dynamic public IP (a fresh 127.R.S.x address);
- attaching a static IP makes the static IP the instance's publicIpAddress
  (isStaticIp true) and the old dynamic address stops answering;
- detaching gives the instance a NEW dynamic address.
Each public address forwards the service port to the instance's process, if
the instance's firewall (port states) has that port open to the client's
source address (its IPv4 CIDRs; a rule without any CIDR list is open to all).
"""

import ipaddress
import os
import threading
import time
import uuid

from .errors import ApiError
from .forwarder import Forwarder
from .instance_process import InstanceProcess, color_of, free_loopback_port

ACCOUNT = "123456789012"

# Lightsail opens these on a new instance (console and API docs).
DEFAULT_PORTS = [
    {"fromPort": 22, "toPort": 22, "protocol": "tcp"},
    {"fromPort": 80, "toPort": 80, "protocol": "tcp"},
]


class Lightsail:
    def __init__(self, cfg, addresses, faults, on_change):
        self._cfg = cfg
        self._addresses = addresses
        self._faults = faults
        self._on_change = on_change
        self._lock = threading.RLock()
        self.instances = {}
        self.static_ips = {}
        self._ops = {}

    # ------------------------------------------------------------------ dispatch
    def handle(self, action, req, region):
        method = getattr(self, "_" + action, None)
        if method is None:
            raise ApiError("InvalidInputException", f"emulator: action {action} is not modelled")
        with self._lock:
            out = method(req or {}, region)
        self._on_change()
        return out

    # ------------------------------------------------------------------ operations
    def _operation(self, resource_name, resource_type, op_type, region, zone=None, action=None):
        failed = bool(action and self._faults.take(action, when="operation"))
        now = time.time()
        op = {
            "id": str(uuid.uuid4()),
            "resourceName": resource_name,
            "resourceType": resource_type,
            "createdAt": now,
            "location": {"availabilityZone": zone or "all", "regionName": region},
            "isTerminal": False,
            "operationType": op_type,
            "status": "Started",
            "statusChangedAt": now,
            "_done_at": now + self._cfg.operation_seconds,
            "_failed": failed,
        }
        self._ops[op["id"]] = op
        return op

    def _render_op(self, op):
        now = time.time()
        out = {k: v for k, v in op.items() if not k.startswith("_")}
        if now >= op["_done_at"]:
            out["status"] = "Failed" if op["_failed"] else "Succeeded"
            out["isTerminal"] = True
            out["statusChangedAt"] = op["_done_at"]
            if op["_failed"]:
                out["errorCode"] = "InjectedFault"
                out["errorDetails"] = "injected fault"
        return out

    def _GetOperation(self, req, region):
        op = self._ops.get(req.get("operationId"))
        if op is None:
            raise ApiError("NotFoundException", f"Operation {req.get('operationId')} does not exist")
        return {"operation": self._render_op(op)}

    # ------------------------------------------------------------------ instances
    def _instance(self, name):
        inst = self.instances.get(name)
        if inst is None:
            raise ApiError("NotFoundException", f"The Instance does not exist: {name}")
        return inst

    def _CreateInstances(self, req, region):
        names = req.get("instanceNames") or []
        for name in names:
            if name in self.instances:
                raise ApiError("InvalidInputException", f"Some names are already in use: {name}")
        ops = []
        for name in names:
            op = self._operation(name, "Instance", "CreateInstance", region,
                                 req.get("availabilityZone"), "CreateInstances")
            if not op["_failed"]:
                self._create_instance(name, req, region)
            ops.append(self._render_op(op))
        return {"operations": ops}

    def _create_instance(self, name, req, region):
        tags = req.get("tags") or []
        inst = {
            "name": name,
            "arn": f"arn:aws:lightsail:{region}:{ACCOUNT}:Instance/{uuid.uuid4()}",
            "supportCode": f"{ACCOUNT}/i-{uuid.uuid4().hex[:17]}",
            "createdAt": time.time(),
            "location": {"availabilityZone": req.get("availabilityZone"), "regionName": region},
            "resourceType": "Instance",
            "tags": tags,
            "blueprintId": req.get("blueprintId"),
            "blueprintName": req.get("blueprintId"),
            "bundleId": req.get("bundleId"),
            "addOns": [],
            "ipAddressType": req.get("ipAddressType") or "dualstack",
            "sshKeyName": req.get("keyPairName") or "LightsailDefaultKeyPair",
            "username": "admin",
            "ports": [dict(p, cidrs=["0.0.0.0/0"], ipv6Cidrs=["::/0"], cidrListAliases=[])
                      for p in DEFAULT_PORTS],
            "_app_port": free_loopback_port(),
            "_dynamic": None,
            "_static": None,
            "_process": None,
        }
        self.instances[name] = inst
        self._give_dynamic_ip(inst)
        self._start_process(inst, req.get("userData") or "", tags)

    def _start_process(self, inst, user_data, tags):
        if not self._cfg.instance_command:
            return
        d = os.path.join(self._cfg.state_dir, "instances")
        os.makedirs(d, exist_ok=True)
        ud_file = os.path.join(d, inst["name"] + ".user_data")
        with open(ud_file, "w", encoding="utf-8") as f:
            f.write(user_data)
        inst["_process"] = InstanceProcess(
            self._cfg.instance_command, inst["name"], inst["_app_port"],
            color_of(inst["name"], tags), tags, ud_file, os.path.join(d, inst["name"] + ".log"))

    def _give_dynamic_ip(self, inst):
        """A fresh public address that forwards to this instance while it holds it."""
        for _ in range(64):
            addr = self._addresses.next()
            try:
                fwd = Forwarder(addr, self._cfg.service_port,
                                lambda client, a=addr: self._target_dynamic(a, client))
            except OSError:
                continue  # someone else holds this loopback address: take the next
            inst["_dynamic"] = fwd
            return
        raise ApiError("ServiceException", "emulator: no free loopback address", 500)

    def _drop_dynamic_ip(self, inst):
        if inst["_dynamic"] is not None:
            inst["_dynamic"].close()
            inst["_dynamic"] = None

    def _target_dynamic(self, addr, client):
        with self._lock:
            for inst in self.instances.values():
                fwd = inst["_dynamic"]
                if fwd is not None and fwd.address == addr:
                    return self._target_of(inst, client)
        return None

    def _target_of(self, inst, client):
        port = self._cfg.service_port
        for p in inst["ports"]:
            if (p.get("protocol") in ("tcp", "all") and p.get("fromPort", 0) <= port <= p.get("toPort", -1)
                    and _admits(p, client)):
                return ("127.0.0.1", inst["_app_port"])
        return None  # firewall closed (to this client)

    def public_ip(self, inst):
        if inst["_static"] is not None:
            return self.static_ips[inst["_static"]]["ipAddress"]
        return inst["_dynamic"].address if inst["_dynamic"] else None

    def _render_instance(self, inst):
        out = {k: v for k, v in inst.items() if not k.startswith("_") and k != "ports"}
        out.update({
            "isStaticIp": inst["_static"] is not None,
            "privateIpAddress": "127.0.0.1",
            "publicIpAddress": self.public_ip(inst),
            "ipv6Addresses": [],
            "hardware": {"cpuCount": 2, "disks": [], "ramSizeInGb": 1.0},
            "networking": {"monthlyTransfer": {"gbPerMonthAllocated": 2048},
                           "ports": [dict(p, accessFrom="Anywhere (0.0.0.0/0)", accessType="public",
                                          commonName="", accessDirection="inbound")
                                     for p in inst["ports"]]},
            "state": {"code": 16, "name": "running"},
        })
        return out

    def _GetInstance(self, req, region):
        return {"instance": self._render_instance(self._instance(req.get("instanceName")))}

    def _GetInstances(self, req, region):
        return {"instances": [self._render_instance(i) for i in self.instances.values()]}

    def _GetInstanceState(self, req, region):
        self._instance(req.get("instanceName"))
        return {"state": {"code": 16, "name": "running"}}

    def _DeleteInstance(self, req, region):
        inst = self._instance(req.get("instanceName"))
        op = self._operation(inst["name"], "Instance", "DeleteInstance", region,
                             inst["location"]["availabilityZone"], "DeleteInstance")
        if not op["_failed"]:
            self._delete_instance(inst)
        return {"operations": [self._render_op(op)]}

    def _delete_instance(self, inst):
        if inst["_static"] is not None:  # AWS keeps the static IP, unattached
            sip = self.static_ips[inst["_static"]]
            sip["attachedTo"] = None
            sip["_forwarder"].drop_connections()
        self._drop_dynamic_ip(inst)
        del self.instances[inst["name"]]
        if inst["_process"] is not None:
            # Stop outside the model lock would be nicer, but deletion is rare and
            # the app exits on SIGTERM at once.
            inst["_process"].stop()

    # ------------------------------------------------------------------ tags
    def _resource_by_name(self, name):
        if name in self.instances:
            return self.instances[name]
        if name in self.static_ips:
            return self.static_ips[name]
        raise ApiError("NotFoundException", f"Resource does not exist: {name}")

    def _TagResource(self, req, region):
        res = self._resource_by_name(req.get("resourceName"))
        tags = {t["key"]: t.get("value", "") for t in res.setdefault("tags", [])}
        tags.update({t["key"]: t.get("value", "") for t in req.get("tags") or []})
        res["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
        op = self._operation(req.get("resourceName"), res.get("resourceType"), "TagResource", region)
        return {"operations": [self._render_op(op)]}

    def _UntagResource(self, req, region):
        res = self._resource_by_name(req.get("resourceName"))
        drop = set(req.get("tagKeys") or [])
        res["tags"] = [t for t in res.get("tags", []) if t["key"] not in drop]
        op = self._operation(req.get("resourceName"), res.get("resourceType"), "UntagResource", region)
        return {"operations": [self._render_op(op)]}

    # ------------------------------------------------------------------ public ports
    def _GetInstancePortStates(self, req, region):
        inst = self._instance(req.get("instanceName"))
        return {"portStates": [dict(p, state="open") for p in inst["ports"]]}

    def _PutInstancePublicPorts(self, req, region):
        inst = self._instance(req.get("instanceName"))
        op = self._operation(inst["name"], "Instance", "PutInstancePublicPorts", region,
                             inst["location"]["availabilityZone"], "PutInstancePublicPorts")
        if not op["_failed"]:
            inst["ports"] = [_port(p) for p in req.get("portInfos") or []]
            self._drop_all_connections(inst)
        return {"operation": self._render_op(op)}

    def _OpenInstancePublicPorts(self, req, region):
        inst = self._instance(req.get("instanceName"))
        op = self._operation(inst["name"], "Instance", "OpenInstancePublicPorts", region)
        if not op["_failed"]:
            inst["ports"].append(_port(req.get("portInfo") or {}))
        return {"operation": self._render_op(op)}

    def _CloseInstancePublicPorts(self, req, region):
        inst = self._instance(req.get("instanceName"))
        op = self._operation(inst["name"], "Instance", "CloseInstancePublicPorts", region)
        if not op["_failed"]:
            info = _port(req.get("portInfo") or {})
            key = (info["fromPort"], info["toPort"], info["protocol"])
            inst["ports"] = [p for p in inst["ports"] if (p["fromPort"], p["toPort"], p["protocol"]) != key]
            self._drop_all_connections(inst)
        return {"operation": self._render_op(op)}

    def _drop_all_connections(self, inst):
        if inst["_dynamic"]:
            inst["_dynamic"].drop_connections()
        if inst["_static"]:
            self.static_ips[inst["_static"]]["_forwarder"].drop_connections()

    # ------------------------------------------------------------------ static IPs
    def _static_ip(self, name):
        sip = self.static_ips.get(name)
        if sip is None:
            raise ApiError("NotFoundException", f"The StaticIp does not exist: {name}")
        return sip

    def _AllocateStaticIp(self, req, region):
        name = req.get("staticIpName")
        if name in self.static_ips:
            raise ApiError("InvalidInputException", f"The StaticIp name is already in use: {name}")
        op = self._operation(name, "StaticIp", "AllocateStaticIp", region, None, "AllocateStaticIp")
        if not op["_failed"]:
            for _ in range(64):
                addr = self._addresses.next()
                try:
                    fwd = Forwarder(addr, self._cfg.service_port,
                                          lambda client, n=name: self._target_static(n, client))
                    break
                except OSError:
                    continue
            else:
                raise ApiError("ServiceException", "emulator: no free loopback address", 500)
            self.static_ips[name] = {
                "name": name,
                "arn": f"arn:aws:lightsail:{region}:{ACCOUNT}:StaticIp/{uuid.uuid4()}",
                "supportCode": f"{ACCOUNT}/{addr}",
                "createdAt": time.time(),
                "location": {"availabilityZone": "all", "regionName": region},
                "resourceType": "StaticIp",
                "ipAddress": addr,
                "attachedTo": None,
                "_forwarder": fwd,
            }
        return {"operations": [self._render_op(op)]}

    def _target_static(self, name, client):
        with self._lock:
            sip = self.static_ips.get(name)
            if sip is None or sip["attachedTo"] is None:
                return None
            return self._target_of(self.instances[sip["attachedTo"]], client)

    def _render_static_ip(self, sip):
        out = {k: v for k, v in sip.items() if not k.startswith("_") and k != "attachedTo"}
        out["isAttached"] = sip["attachedTo"] is not None
        if sip["attachedTo"] is not None:
            out["attachedTo"] = sip["attachedTo"]
        return out

    def _GetStaticIp(self, req, region):
        return {"staticIp": self._render_static_ip(self._static_ip(req.get("staticIpName")))}

    def _GetStaticIps(self, req, region):
        return {"staticIps": [self._render_static_ip(s) for s in self.static_ips.values()]}

    def _ReleaseStaticIp(self, req, region):
        sip = self._static_ip(req.get("staticIpName"))
        op = self._operation(sip["name"], "StaticIp", "ReleaseStaticIp", region, None, "ReleaseStaticIp")
        if not op["_failed"]:
            if sip["attachedTo"] is not None:
                self._detach(sip)
            sip["_forwarder"].close()
            del self.static_ips[sip["name"]]
        return {"operations": [self._render_op(op)]}

    def _AttachStaticIp(self, req, region):
        sip = self._static_ip(req.get("staticIpName"))
        inst = self._instance(req.get("instanceName"))
        op = self._operation(sip["name"], "StaticIp", "AttachStaticIp", region, None, "AttachStaticIp")
        if not op["_failed"]:
            if sip["attachedTo"] is not None and sip["attachedTo"] != inst["name"]:
                self._detach(sip)  # assumption: attach moves an attached IP (README)
            if inst["_static"] is not None and inst["_static"] != sip["name"]:
                self._detach(self.static_ips[inst["_static"]])
            self._drop_dynamic_ip(inst)
            inst["_static"] = sip["name"]
            sip["attachedTo"] = inst["name"]
            sip["_forwarder"].drop_connections()
        return {"operations": [self._render_op(op)]}

    def _DetachStaticIp(self, req, region):
        sip = self._static_ip(req.get("staticIpName"))
        if sip["attachedTo"] is None:
            raise ApiError("InvalidInputException", f"The StaticIp {sip['name']} is not attached")
        op = self._operation(sip["name"], "StaticIp", "DetachStaticIp", region, None, "DetachStaticIp")
        if not op["_failed"]:
            self._detach(sip)
        return {"operations": [self._render_op(op)]}

    def _detach(self, sip):
        inst = self.instances.get(sip["attachedTo"])
        sip["attachedTo"] = None
        sip["_forwarder"].drop_connections()
        if inst is not None:
            inst["_static"] = None
            self._give_dynamic_ip(inst)

    # ------------------------------------------------------------------ outside Terraform
    def outside(self, req):
        """A change made outside Terraform (the console): what the state then lags behind."""
        op = req.get("op")
        with self._lock:
            if op == "stop-start":
                # Lightsail gives a started instance a NEW public address (facts 0.1); a static
                # IP stays attached across a stop/start, so only a dynamic address moves.
                inst = self._instance(req.get("instance"))
                if inst["_static"] is None:
                    self._drop_dynamic_ip(inst)
                    self._give_dynamic_ip(inst)
            elif op == "delete-instance":
                self._delete_instance(self._instance(req.get("instance")))
            elif op == "detach-static-ip":
                sip = self._static_ip(req.get("staticIp"))
                if sip["attachedTo"] is None:
                    raise ApiError("InvalidInputException", f"The StaticIp {sip['name']} is not attached")
                self._detach(sip)
            else:
                raise ValueError("op must be stop-start, delete-instance or detach-static-ip")
        return self.snapshot()

    # ------------------------------------------------------------------ inspection / shutdown
    def snapshot(self):
        with self._lock:
            instances = {}
            for name, inst in self.instances.items():
                proc = inst["_process"]
                instances[name] = {
                    "arn": inst["arn"],
                    "publicIpAddress": self.public_ip(inst),
                    "isStaticIp": inst["_static"] is not None,
                    "appPort": inst["_app_port"],
                    "pid": proc.pid if proc else None,
                    "processAlive": proc.alive() if proc else None,
                    "command": proc.command if proc else None,
                    "ports": inst["ports"],
                    "ipAddressType": inst["ipAddressType"],
                    "tags": inst["tags"],
                    "bundleId": inst["bundleId"],
                    "blueprintId": inst["blueprintId"],
                    "availabilityZone": inst["location"]["availabilityZone"],
                }
            static_ips = {n: {"ipAddress": s["ipAddress"], "attachedTo": s["attachedTo"]}
                          for n, s in self.static_ips.items()}
            return {"instances": instances, "staticIps": static_ips, "servicePort": self._cfg.service_port}

    def shutdown(self):
        with self._lock:
            for inst in list(self.instances.values()):
                self._drop_dynamic_ip(inst)
                if inst["_process"] is not None:
                    inst["_process"].stop()
            for sip in self.static_ips.values():
                sip["_forwarder"].close()


def _port(p):
    return {
        "fromPort": int(p.get("fromPort", 0)),
        "toPort": int(p.get("toPort", 0)),
        "protocol": p.get("protocol", "tcp"),
        "cidrs": p.get("cidrs") or [],
        "ipv6Cidrs": p.get("ipv6Cidrs") or [],
        "cidrListAliases": p.get("cidrListAliases") or [],
    }


def _admits(rule, client):
    """Whether a port rule lets the IPv4 client in. A rule with no CIDR list at all
    is open to every address (what Lightsail's console calls "Any IPv4 address";
    README "Assumptions"); otherwise the client must be inside one of its cidrs.
    Loopback sources are real here: a test picks its source address with bind()."""
    if not rule.get("cidrs") and not rule.get("ipv6Cidrs") and not rule.get("cidrListAliases"):
        return True
    try:
        ip = ipaddress.ip_address(client)
    except ValueError:
        return False
    for c in rule.get("cidrs") or []:
        try:
            if ip in ipaddress.ip_network(c, strict=False):
                return True
        except ValueError:
            continue
    return False
