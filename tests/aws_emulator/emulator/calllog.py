"""The call log: one JSON object per line, appended and flushed per call, so a
test can read it while the emulator runs."""

import json
import threading
import time


class CallLog:
    def __init__(self, path):
        self._lock = threading.Lock()
        self._file = open(path, "a", encoding="utf-8") if path else None
        self._seq = 0

    def record(self, entry):
        with self._lock:
            self._seq += 1
            entry = {"seq": self._seq, "time": round(time.time(), 3), **entry}
            if self._file:
                self._file.write(json.dumps(entry, sort_keys=True) + "\n")
                self._file.flush()
        return entry
