"""The process that stands in for a Lightsail instance's workload.

Started from the configured --instance-command when the instance is created,
stopped (SIGTERM to its process group, then wait) when it is deleted. Output
goes to <state-dir>/instances/<name>.log.
"""

import os
import signal
import socket
import subprocess


def free_loopback_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def color_of(name, tags):
    """The slot color: the `color` tag if present, else the name's suffix after the last '-'."""
    for t in tags:
        if t.get("key") == "color" and t.get("value"):
            return t["value"]
    return name.rsplit("-", 1)[-1]


class InstanceProcess:
    def __init__(self, command, name, port, color, tags, user_data_file, log_path):
        self.port = port
        fields = {"name": name, "port": port, "color": color, "host": "127.0.0.1",
                  "user_data_file": user_data_file}
        for t in tags:
            fields[f"tag:{t.get('key')}"] = t.get("value", "")
        self.command = _substitute(command, fields)
        self._log = open(log_path, "ab")
        env = dict(os.environ, EMULATOR_INSTANCE_NAME=name, EMULATOR_INSTANCE_PORT=str(port),
                   EMULATOR_INSTANCE_COLOR=color, EMULATOR_USER_DATA_FILE=user_data_file)
        self._proc = subprocess.Popen(["/bin/sh", "-c", self.command], stdin=subprocess.DEVNULL,
                                      stdout=self._log, stderr=subprocess.STDOUT, env=env,
                                      start_new_session=True)
        self.pid = self._proc.pid

    def alive(self):
        return self._proc.poll() is None

    def stop(self, grace_seconds=10):
        """SIGTERM the whole group (sh -c may have forked), wait, SIGKILL only as a last resort:
        this is a test app, and a leak would outlive the test."""
        if self._proc.poll() is None:
            _signal_group(self._proc.pid, signal.SIGTERM)
            try:
                self._proc.wait(timeout=grace_seconds)
            except subprocess.TimeoutExpired:
                _signal_group(self._proc.pid, signal.SIGKILL)
                self._proc.wait()
        _signal_group(self._proc.pid, signal.SIGTERM)  # stragglers of the group, if any
        self._log.close()


def _signal_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _substitute(command, fields):
    out = command
    for key, value in fields.items():
        out = out.replace("{" + key + "}", str(value))
    return out
