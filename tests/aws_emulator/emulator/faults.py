"""Armed faults: fail or delay a named action (e.g. AttachStaticIp), changeable while running.

A fault is a dict:
  action     the API action name as the call log spells it (X-Amz-Target suffix for
             Lightsail, Action= for IAM/STS, the SDK operation name for S3), "*", or a
             shell-style pattern ("Get*": every read)
  service    only calls to this service ("lightsail", "iam", "s3", "sts"); default: any
  instance   only Lightsail calls whose request names this instanceName, e.g. an
             AttachStaticIp to one slot fails while the attach back to the other works
  error      error code to answer with (e.g. "ThrottlingException"); omit for delay only
  status     HTTP status of the error (default 400)
  message    error message (default: "injected fault")
  delay_ms   sleep this long before answering (applies with or without error); clearing
             the faults ends the sleep
  count      how many calls it hits before it disarms itself (default: every call)
  when       "request" (default): the API call itself fails, nothing changes;
             "operation": Lightsail only; the call succeeds, its effect does not
             happen, and GetOperation reports the operation as Failed.
             "answer": Lightsail only; the call's effect happens at once, its answer
             waits delay_ms (then is the error, if any): a client that gives up while
             waiting never learns that AWS did it (a Ctrl-C after the attach landed).
  after      an action name: the fault sleeps until that action has been called (after
             the fault was armed), e.g. {"action": "GetInstance", "error":
             "NotFoundException", "after": "CreateInstances", "count": 1} is Lightsail's
             eventual consistency: the first read right after a create finds nothing.

Every Lightsail read answering NotFound (what the provider sees with a wrong account,
region or profile): {"action": "Get*", "service": "lightsail", "error": "NotFoundException",
"message": "..."} (GetOperation is never matched by a pattern: the provider's waits must
still see their operations).
"""

import fnmatch
import threading


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []
        self._cleared = threading.Event()  # wakes the delays of the faults armed before it

    def arm(self, fault):
        if not isinstance(fault, dict) or not fault.get("action"):
            raise ValueError("a fault needs an 'action'")
        fault = dict(fault)
        fault.setdefault("status", 400)
        fault.setdefault("message", "injected fault")
        fault.setdefault("when", "request")
        if fault["when"] not in ("request", "operation", "answer"):
            raise ValueError("'when' must be 'request', 'operation' or 'answer'")
        fault["hits"] = 0
        fault["awake"] = not fault.get("after")
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self):
        with self._lock:
            self._faults = []
            cleared, self._cleared = self._cleared, threading.Event()
        cleared.set()

    def delay(self, seconds):
        """A fault's delay; cut short by clear(), so a request held for minutes does not keep
        its thread asleep after the test has moved on (it then answers as the fault says)."""
        with self._lock:
            cleared = self._cleared
        cleared.wait(seconds)

    def list(self):
        with self._lock:
            return [dict(f) for f in self._faults]

    def take(self, action, when="request", service=None, params=None):
        """The fault that applies to this call (counting it), or None. `params`: the
        request's parameters (a Lightsail call's JSON body), for the `instance` filter."""
        with self._lock:
            for f in self._faults:
                if not f["awake"] and f["after"] == action:
                    if when == "request":  # each call is taken twice: wake on the first
                        f["awake"] = True  # this call wakes it; the next one can hit
                    continue
                if f["when"] != when or not f["awake"] or not _matches(f, action, service):
                    continue
                if f.get("instance") and (params or {}).get("instanceName") != f["instance"]:
                    continue
                count = f.get("count")
                if count is not None and f["hits"] >= count:
                    continue
                f["hits"] += 1
                return dict(f)
        return None


def _matches(fault, action, service):
    if fault.get("service") and service and fault["service"] != service:
        return False
    pattern = fault["action"]
    if pattern in (action, "*"):
        return True
    # A pattern never matches GetOperation: the provider's waits must see their operations.
    return any(c in pattern for c in "*?[") and action != "GetOperation" and \
        fnmatch.fnmatchcase(action, pattern)
