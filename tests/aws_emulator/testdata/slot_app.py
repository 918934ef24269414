#!/usr/bin/env python3
"""The workload of an emulated instance in the emulator's own tests: answers
every GET with its color (body and X-Slot header), like falcon-xecutor's /health.

  slot_app.py PORT COLOR
"""

import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, COLOR = int(sys.argv[1]), sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = ('{"status":"ok","slot":"%s"}' % COLOR).encode()
        self.send_response(200)
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
