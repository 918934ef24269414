#!/usr/bin/env python3
"""delivery_burst_bench.py [BUILD_DIR] [--alerts N ...] [--delay-ms MS]

Many tickers firing on one bar close: N simultaneous valid alerts (distinct
`id:`, one `time:`) from one allow-listed address, each delivered as
TradingView does (tests/tradingview/tradingview_client.py: 3 s cancel, the same
bytes resent 5 s after a 5xx, up to 3 times), through the real nginx front to
falcon-xecutor in live mode (file claim store) with the FalconX stand-in
answering every call after DELAY_MS (300 ms by default).

Per run it prints: fills at the stand-in, the first answers by status, the
final answers by status (after resends), alerts lost (no fill and no answer
the README explains), and the time to the first answer (p50/p99/max) as the
client measured it (TLS handshake included), next to the service's own
request latency from its log. The peer in the same run: the same burst
through the front WITHOUT the sender allow-listed (the per-client limits of
before issue 16: 10 r/s, burst 20, 32 connections), which TradingView's
addresses used to meet.
"""
import argparse
import collections
import concurrent.futures
import datetime
import os
import platform
import shutil
import ssl
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "tradingview"))
import delivery_stack as stack_mod  # noqa: E402
import tradingview_client as tv  # noqa: E402


def percentile(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def alert(n, fired):
    return (f"BUY\n0.1 BTC\n30000 USD\nid: ticker-{n}\ntime: {fired}\n"
            f"secret: {stack_mod.WEBHOOK_SECRET}\n").encode()


def burst(bins, pki, work, alerts, delay_ms, allow_sender, resend_delay):
    stack = stack_mod.Stack(bins, work, pki, front_allows_sender=allow_sender)
    try:
        stack.mock.configure(quote_delay_ms=delay_ms, execute_delay_ms=delay_ms,
                             lookup_delay_ms=delay_ms)
        url = stack.services[0].url
        ctx = ssl.create_default_context(cafile=pki.ca)
        fired = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        gate = threading.Barrier(alerts)

        def one(n):
            gate.wait()  # all at once
            return tv.deliver(url, alert(n, fired), ctx, resend_delay=resend_delay)

        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=alerts) as pool:
            deliveries = list(pool.map(one, range(alerts)))
        wall = time.monotonic() - start
        time.sleep(1.0)
        stats = stack.mock.stats()
        latencies = [e["latency_ms"] for e in stack.services[0].log_events()
                     if e.get("path") == "/webhook" and "latency_ms" in e]
    finally:
        stack.stop()
    return deliveries, stats, latencies, wall


def label(attempt):
    if attempt.status is None:
        return attempt.error
    outcome = attempt.json().get("outcome") or attempt.json().get("error", "")
    return f"{attempt.status} {outcome}".strip()


def report(name, alerts, deliveries, stats, latencies, wall):
    first = collections.Counter(label(d.attempts[0]) for d in deliveries)
    final = collections.Counter(label(d.attempts[-1]) for d in deliveries)
    sends = sum(len(d.attempts) for d in deliveries)
    answer_s = [d.attempts[0].elapsed for d in deliveries if d.attempts[0].status is not None]
    filled = stats["executes"]
    unexplained = sum(1 for d in deliveries if d.attempts[-1].status in (429, None))
    print(f"-- {name}: {alerts} simultaneous alerts, {sends} sends, {wall:.1f} s until the last answer")
    print(f"   fills at the stand-in: {filled} of {alerts}")
    print("   first answers: " + ", ".join(f"{k} x{v}" for k, v in sorted(first.items())))
    print("   final answers: " + ", ".join(f"{k} x{v}" for k, v in sorted(final.items())))
    print(f"   not filled: {alerts - filled}; last answer a 429 or none (TradingView never "
          f"resends those): {unexplained}")
    print(f"   time to first answer (client, TLS included): p50={percentile(answer_s, 50) * 1000:.0f}ms "
          f"p99={percentile(answer_s, 99) * 1000:.0f}ms max={max(answer_s, default=0) * 1000:.0f}ms")
    if latencies:
        print(f"   service's logged latency: p50={percentile(latencies, 50):.0f}ms "
              f"p99={percentile(latencies, 99):.0f}ms max={max(latencies):.0f}ms")


def main():
    parser = argparse.ArgumentParser(description="TradingView burst through nginx")
    parser.add_argument("build_dir", nargs="?", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--alerts", type=int, nargs="+", default=[100])
    parser.add_argument("--delay-ms", type=int, default=300)
    parser.add_argument("--resend-delay", type=float, default=tv.RESEND_DELAY_S)
    parser.add_argument("--no-peer", action="store_true", help="skip the run without the allow-list")
    args = parser.parse_args()
    bins = {"service": os.path.join(args.build_dir, "src", "service", "falcon-xecutor"),
            "mock": os.path.join(args.build_dir, "tests", "mock_falconx", "mock_falconx")}
    os.environ["PATH"] += ":/usr/sbin"
    work = tempfile.mkdtemp(prefix="delivery-burst-bench.")
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
        print(f"== machine: nproc={os.cpu_count()}, cpu={cpu}, {platform.platform()}")
        print(f"== load average before the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"== FalconX stand-in: {args.delay_ms} ms per call; resend delay {args.resend_delay:g} s")
        pki = stack_mod.front_support.Pki(work)
        runs = [(n, True) for n in args.alerts]
        if not args.no_peer:
            runs.append((args.alerts[0], False))
        for n, allow in runs:
            name = "sender allow-listed at nginx" if allow else "PEER: sender not allow-listed (old limits)"
            d, stats, lat, wall = burst(bins, pki, os.path.join(work, f"{n}-{allow}"), n,
                                        args.delay_ms, allow, args.resend_delay)
            report(name, n, d, stats, lat, wall)
        print(f"== load average after the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
