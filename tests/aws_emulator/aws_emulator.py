#!/usr/bin/env python3
"""AWS endpoint emulator for running the real aws provider (5.100) against
Lightsail, IAM, S3 and STS on 127.0.0.1. See README.md.

  aws_emulator.py serve --state-dir DIR [--instance-command CMD] [--service-port N] ...
  aws_emulator.py ctl ENDPOINT state | faults | clear-faults | fault '<json>'
"""

import argparse
import json
import os
import signal
import socket
import sys
import threading
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emulator.cloud import Cloud, Config  # noqa: E402
from emulator.server import EmulatorServer  # noqa: E402


def free_port():
    # Bound on 0.0.0.0: a port free there is free on every 127.x address too.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


def write_atomically(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def serve(args):
    os.makedirs(args.state_dir, exist_ok=True)
    state_dir = os.path.abspath(args.state_dir)
    cfg = Config(state_dir, args.service_port or free_port(), args.instance_command, args.operation_seconds)
    call_log = args.call_log or os.path.join(state_dir, "calls.jsonl")
    state_file = os.path.join(state_dir, "state.json")
    cloud = Cloud(cfg, call_log, state_file)
    server = EmulatorServer(("127.0.0.1", args.port), cloud)
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"

    stopping = threading.Event()

    def stop(signum, frame):
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.exit_on_stdin_eof:
        # The test that started us holds our stdin's write end: if it dies without
        # stopping us, EOF arrives and we shut down cleanly (instances included).
        def watch_stdin():
            # os.read, not sys.stdin: a daemon thread blocked inside the buffered
            # reader's lock aborts the interpreter at exit.
            while os.read(0, 4096):
                pass
            stop(None, None)

        threading.Thread(target=watch_stdin, daemon=True).start()
    cloud.save()
    ready = {"endpoint": endpoint, "servicePort": cfg.service_port, "pid": os.getpid(),
             "stateFile": state_file, "callLog": call_log, "stateDir": state_dir}
    if args.ready_file:
        write_atomically(args.ready_file, json.dumps(ready, indent=1))
    print(json.dumps(ready), flush=True)
    server.serve_forever(poll_interval=0.2)
    server.server_close()
    cloud.shutdown()  # every instance process and router stops with the emulator
    return 0


def ctl(args):
    base = args.endpoint.rstrip("/") + "/__emulator/"
    if args.what == "state":
        req = urllib.request.Request(base + "state")
    elif args.what == "faults":
        req = urllib.request.Request(base + "faults")
    elif args.what == "clear-faults":
        req = urllib.request.Request(base + "faults", method="DELETE")
    elif args.what == "fault":
        json.loads(args.json)  # fail here, with a clear message, on bad JSON
        req = urllib.request.Request(base + "faults", data=args.json.encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    else:
        raise SystemExit(f"unknown ctl command {args.what}")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            sys.stdout.write(r.read().decode() + "\n")
    except urllib.error.HTTPError as e:
        sys.stderr.write(f"emulator refused: {e.code} {e.read().decode()}\n")
        return 1
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="run the emulator")
    s.add_argument("--state-dir", required=True, help="state.json, calls.jsonl, instance logs, S3 objects")
    s.add_argument("--port", type=int, default=0, help="API port on 127.0.0.1 (0: ephemeral)")
    s.add_argument("--service-port", type=int, default=0,
                   help="port every public address (instance or static IP) forwards; 0: pick a free one")
    s.add_argument("--instance-command", default="",
                   help="shell command run per instance; placeholders {name} {port} {color} {host} "
                        "{user_data_file} {tag:KEY}")
    s.add_argument("--operation-seconds", type=float, default=0.5,
                   help="how long a Lightsail operation reports Started before Succeeded")
    s.add_argument("--call-log", default="", help="JSON-lines call log (default STATE_DIR/calls.jsonl)")
    s.add_argument("--ready-file", default="", help="written atomically once the emulator listens")
    s.add_argument("--exit-on-stdin-eof", action="store_true",
                   help="shut down when stdin closes (the starting test died)")
    c = sub.add_parser("ctl", help="talk to a running emulator")
    c.add_argument("endpoint")
    c.add_argument("what", choices=["state", "faults", "clear-faults", "fault"])
    c.add_argument("json", nargs="?", default="{}")
    args = p.parse_args()
    return serve(args) if args.cmd == "serve" else ctl(args)


if __name__ == "__main__":
    sys.exit(main())
