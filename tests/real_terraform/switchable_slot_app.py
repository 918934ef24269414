#!/usr/bin/env python3
"""A slot workload whose health a test can break and mend: answers GET like
falcon-xecutor's /health ({"status":"ok","slot":COLOR}, X-Slot: COLOR), except
500 while the file FLAG_DIR/unhealthy-COLOR exists (read on every request, so
the test flips it without touching the emulator).

  switchable_slot_app.py PORT COLOR FLAG_DIR
"""

import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, COLOR, FLAG_DIR = int(sys.argv[1]), sys.argv[2], sys.argv[3]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        broken = os.path.exists(os.path.join(FLAG_DIR, f"unhealthy-{COLOR}"))
        status = 500 if broken else 200
        body = ('{"status":"%s","slot":"%s"}' % ("error" if broken else "ok", COLOR)).encode()
        self.send_response(status)
        self.send_header("X-Slot", COLOR)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
server.serve_forever()
