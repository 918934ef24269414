"""The HTTP front: one ThreadingHTTPServer on 127.0.0.1 for every service.

Which service a request is for comes from its SigV4 credential scope
(`Credential=<key>/<date>/<region>/<service>/aws4_request`); signatures are
never verified. Control endpoints live under /__emulator/ (no bucket name can
start with '_', so they never shadow S3):
  GET    /__emulator/state    what the cloud holds (same JSON as the state file)
  GET    /__emulator/faults   armed faults
  POST   /__emulator/faults   arm one fault (JSON object) or several (JSON list)
  DELETE /__emulator/faults   disarm all
  POST   /__emulator/outside  a change made outside Terraform (the console, another tool):
                              {"op": "stop-start" | "delete-instance", "instance": NAME} or
                              {"op": "detach-static-ip", "staticIp": NAME}
"""

import json
import re
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import sts
from .errors import ApiError
from .s3 import S3
from .xmlout import El, document, el

SCOPE = re.compile(r"Credential=[^/]*/[^/]*/([^/]*)/([^/]*)/")


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of parallel provider calls and concurrent claims

    def __init__(self, addr, cloud):
        self.cloud = cloud
        super().__init__(addr, Handler)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "aws-emulator"

    def log_message(self, fmt, *args):  # the call log is the log
        pass

    def do_GET(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    def do_HEAD(self):
        self._handle()

    # ------------------------------------------------------------------ plumbing
    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = _read_http_chunked(self.rfile)
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        sha = self.headers.get("x-amz-content-sha256", "")
        if sha.startswith("STREAMING-") or "aws-chunked" in self.headers.get("Content-Encoding", ""):
            body = _decode_aws_chunked(body)
        return body

    def _send(self, status, body=b"", content_type=None, headers=None):
        if isinstance(body, El):
            body = document(body)
            content_type = content_type or "application/xml"
        self.send_response(status)
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.send_header("x-amz-request-id", uuid.uuid4().hex[:16])
        for k, v in (headers or {}).items():
            if k.lower() != "content-length":
                self.send_header(k, v)
        if content_type:
            self.send_header("Content-Type", content_type)
        if self.command == "HEAD":
            self.send_header("Content-Length", (headers or {}).get("Content-Length", "0"))
            self.end_headers()
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self):
        cloud = self.server.cloud
        started = time.time()
        body = self._read_body()
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/__emulator/"):
            return self._control(url.path, body)
        m = SCOPE.search(self.headers.get("Authorization", ""))
        region, service = (m.group(1), m.group(2)) if m else ("us-east-1", "")
        target = self.headers.get("X-Amz-Target", "")
        form = {}
        if target.startswith("Lightsail_"):
            service = "lightsail"
        elif self.command == "POST" and "x-www-form-urlencoded" in self.headers.get("Content-Type", ""):
            form = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
            if not service:
                service = "sts" if form.get("Action") == "GetCallerIdentity" else "iam"
        elif not service:
            service = "s3"
        entry = {"service": service, "method": self.command}
        try:
            if service == "lightsail":
                self._lightsail(cloud, target.split(".", 1)[-1], body, region, entry)
            elif service in ("iam", "sts"):
                self._query(cloud, service, form, entry)
            elif service == "s3":
                self._s3(cloud, url, body, entry)
            else:
                raise ApiError("UnknownService", f"emulator: service {service!r} is not modelled")
        except ApiError as e:
            entry.update(status=e.status, error=e.code, message=e.message)
            self._send_error(service, e)
        except Exception as e:  # a bug in the emulator: say so loudly, in the log too
            entry.update(status=500, error="EmulatorBug", message=repr(e))
            self._send_error(service, ApiError("InternalError", f"emulator bug: {e!r}", 500))
        entry["ms"] = round((time.time() - started) * 1000, 1)
        cloud.calls.record(entry)

    def _apply_fault(self, cloud, action, entry, params=None, when="request"):
        fault = cloud.faults.take(action, when=when, service=entry.get("service"), params=params)
        if fault is None:
            return
        entry["fault"] = True
        if fault.get("delay_ms"):
            cloud.faults.delay(fault["delay_ms"] / 1000.0)
        if fault.get("error"):
            raise ApiError(fault["error"], fault["message"], int(fault["status"]))

    def _send_error(self, service, e):
        if service == "lightsail":
            payload = json.dumps({"__type": e.code, "message": e.message, "code": e.code}).encode()
            self._send(e.status, payload, "application/x-amz-json-1.1", {"X-Amzn-ErrorType": e.code})
        elif service in ("iam", "sts"):
            self._send(e.status, el("ErrorResponse", [
                el("Error", [el("Type", "Sender"), el("Code", e.code), el("Message", e.message)]),
                el("RequestId", str(uuid.uuid4()))]))
        else:
            self._send(e.status, el("Error", [el("Code", e.code), el("Message", e.message),
                                              el("RequestId", uuid.uuid4().hex[:16])]))

    # ------------------------------------------------------------------ services
    def _lightsail(self, cloud, action, body, region, entry):
        req = json.loads(body or b"{}")
        entry.update(action=action, params=_redact(req))
        self._apply_fault(cloud, action, entry, req)
        out = cloud.lightsail.handle(action, req, region)
        self._apply_fault(cloud, action, entry, req, when="answer")  # done, not yet said
        entry["status"] = 200
        self._send(200, json.dumps(out).encode(), "application/x-amz-json-1.1")

    def _query(self, cloud, service, form, entry):
        action = form.get("Action", "")
        entry.update(action=action, params={k: v for k, v in form.items()
                                            if k not in ("Action", "Version", "PolicyDocument")})
        self._apply_fault(cloud, action, entry)
        root = sts.handle(action, form) if service == "sts" else cloud.iam.handle(action, form)
        entry["status"] = 200
        self._send(200, root, "text/xml")

    def _s3(self, cloud, url, body, entry):
        parts = url.path.lstrip("/").split("/", 1)
        bucket = urllib.parse.unquote(parts[0])
        key = urllib.parse.unquote(parts[1]) if len(parts) > 1 else ""
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        op = S3.operation(self.command, bucket, key, query)
        entry.update(action=op, bucket=bucket, key=key, query=sorted(query))
        self._apply_fault(cloud, op, entry)
        reply = cloud.s3.handle(op, self.command, bucket, key, query, dict(self.headers.items()), body)
        entry["status"] = reply.status
        self._send(reply.status, reply.body, None, reply.headers)

    # ------------------------------------------------------------------ control
    def _control(self, path, body):
        cloud = self.server.cloud
        try:
            if path == "/__emulator/state" and self.command == "GET":
                out = cloud.snapshot()
            elif path == "/__emulator/faults" and self.command == "GET":
                out = cloud.faults.list()
            elif path == "/__emulator/faults" and self.command == "POST":
                req = json.loads(body or b"{}")
                out = [cloud.faults.arm(f) for f in (req if isinstance(req, list) else [req])]
                cloud.calls.record({"service": "control", "action": "ArmFault", "params": req})
            elif path == "/__emulator/outside" and self.command == "POST":
                req = json.loads(body or b"{}")
                out = cloud.lightsail.outside(req)
                cloud.calls.record({"service": "control", "action": "Outside", "params": req})
                cloud.save()
            elif path == "/__emulator/faults" and self.command == "DELETE":
                cloud.faults.clear()
                cloud.calls.record({"service": "control", "action": "ClearFaults"})
                out = []
            else:
                return self._send(404, b'{"error":"no such control endpoint"}', "application/json")
        except ApiError as e:
            return self._send(400, json.dumps({"error": e.message}).encode(), "application/json")
        except (ValueError, json.JSONDecodeError) as e:
            return self._send(400, json.dumps({"error": str(e)}).encode(), "application/json")
        self._send(200, json.dumps(out, indent=1).encode(), "application/json")


def _redact(req):
    """User data carries the slot's S3 reader keys: log its size, not its text."""
    out = dict(req)
    if "userData" in out:
        out["userData"] = f"<{len(out['userData'])} chars>"
    return out


def _read_http_chunked(rfile):
    out = bytearray()
    while True:
        size = int(rfile.readline().split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return bytes(out)
        out += rfile.read(size)
        rfile.readline()


def _decode_aws_chunked(data):
    """aws-chunked: '<hex>[;chunk-signature=..]\\r\\n<data>\\r\\n' ... '0..\\r\\n<trailers>\\r\\n'."""
    out = bytearray()
    pos = 0
    while pos < len(data):
        eol = data.index(b"\r\n", pos)
        size = int(data[pos:eol].split(b";")[0], 16)
        pos = eol + 2
        if size == 0:
            break
        out += data[pos:pos + size]
        pos += size + 2
    return bytes(out)
