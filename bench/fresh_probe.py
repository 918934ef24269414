#!/usr/bin/env python3
"""fresh_probe.py URL SECONDS: GET URL every 20 ms, each on a NEW TLS
connection (as xdeploy's gate and prober do), certificate not checked.
Prints the p50/p99/max latency of the whole request and the failures."""
import http.client
import ssl
import sys
import time
import urllib.parse


def main():
    url = urllib.parse.urlsplit(sys.argv[1])
    seconds = float(sys.argv[2])
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    latencies, failures = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.monotonic()
        try:
            conn = http.client.HTTPSConnection(url.hostname, url.port, timeout=5, context=ctx)
            conn.request("GET", url.path)
            ok = conn.getresponse().status == 200
            conn.close()
        except OSError:
            ok = False
        latencies.append(time.monotonic() - start)
        failures += not ok
        time.sleep(0.02)
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    print(f"fresh-connection probes: n={len(latencies)} p50={pick(0.50):.2f}ms p99={pick(0.99):.2f}ms "
          f"max={latencies[-1] * 1000:.2f}ms failed={failures}")


if __name__ == "__main__":
    main()
