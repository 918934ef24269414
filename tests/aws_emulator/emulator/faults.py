"""Armed faults: fail or delay a named action (e.g. AttachStaticIp), changeable while running.

A fault is a dict:
  action     the API action name as the call log spells it (X-Amz-Target suffix for
             Lightsail, Action= for IAM/STS, the SDK operation name for S3), or "*"
  error      error code to answer with (e.g. "ThrottlingException"); omit for delay only
  status     HTTP status of the error (default 400)
  message    error message (default: "injected fault")
  delay_ms   sleep this long before answering (applies with or without error)
  count      how many calls it hits before it disarms itself (default: every call)
  when       "request" (default): the API call itself fails, nothing changes;
             "operation": Lightsail only; the call succeeds, its effect does not
             happen, and GetOperation reports the operation as Failed.
"""

import threading


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []

    def arm(self, fault):
        if not isinstance(fault, dict) or not fault.get("action"):
            raise ValueError("a fault needs an 'action'")
        fault = dict(fault)
        fault.setdefault("status", 400)
        fault.setdefault("message", "injected fault")
        fault.setdefault("when", "request")
        if fault["when"] not in ("request", "operation"):
            raise ValueError("'when' must be 'request' or 'operation'")
        fault["hits"] = 0
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self):
        with self._lock:
            self._faults = []

    def list(self):
        with self._lock:
            return [dict(f) for f in self._faults]

    def take(self, action, when="request"):
        """The fault that applies to this call (counting it), or None."""
        with self._lock:
            for f in self._faults:
                if f["when"] != when or f["action"] not in (action, "*"):
                    continue
                count = f.get("count")
                if count is not None and f["hits"] >= count:
                    continue
                f["hits"] += 1
                return dict(f)
        return None
