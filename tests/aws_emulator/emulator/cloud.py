"""The whole emulated account: the three service models, the armed faults, the
call log, and the state file rewritten (atomically) after every call."""

import json
import os
import threading

from .addresses import AddressPool
from .calllog import CallLog
from .faults import Faults
from .iam import Iam
from .lightsail import Lightsail
from .s3 import S3


class Config:
    def __init__(self, state_dir, service_port, instance_command, operation_seconds):
        self.state_dir = state_dir
        self.service_port = service_port
        self.instance_command = instance_command
        self.operation_seconds = operation_seconds


class Cloud:
    def __init__(self, cfg, call_log_path, state_file):
        self._state_file = state_file
        self._write_lock = threading.Lock()
        self.faults = Faults()
        self.calls = CallLog(call_log_path)
        self.lightsail = Lightsail(cfg, AddressPool(), self.faults, self.save)
        self.iam = Iam(self.save)
        self.s3 = S3(cfg.state_dir, self.save)

    def snapshot(self):
        return {**self.lightsail.snapshot(), "iamUsers": self.iam.snapshot(), "buckets": self.s3.snapshot()}

    def save(self):
        if not self._state_file:
            return
        with self._write_lock:
            tmp = self._state_file + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(self.snapshot(), f, indent=1, sort_keys=True)
            os.replace(tmp, self._state_file)

    def shutdown(self):
        self.lightsail.shutdown()
        self.save()
