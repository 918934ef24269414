#!/usr/bin/env python3
"""A webhook sender that behaves as TradingView's does (its help pages, as
summarised in shared/reference/tradingview-webhooks.md):

- POST the alert message, as written, to the URL (text/plain for a non-JSON
  message);
- cancel the request when no answer has come 3 s after it started;
- on an answer in 500..599, send the SAME bytes again 5 s later, up to 3
  times (4 sends in all);
- no resend after a 2xx, a 4xx or a 429. The pages say nothing about a
  cancelled or failed request: by default it is not resent (`resend_on_cancel`
  turns that on, for a service that must be safe either way).

The resend delay is a parameter so that tests which do not need TradingView's
real 5 s can run faster; the default is the real value.

Library: deliver(url, body, ...) -> Delivery (one Attempt per send).
CLI:     tradingview_client.py URL BODY_FILE [--cafile CA] [--resend-delay S]
         prints the attempts as JSON lines.
"""
import argparse
import http.client
import json
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

CANCEL_AFTER_S = 3.0  # TradingView cancels a request after 3 s
RESEND_DELAY_S = 5.0  # ... and resends after 5 s on a 5xx
MAX_RESENDS = 3  # ... up to 3 times


@dataclass
class Attempt:
    sent_at: float  # time.time() when the send started
    elapsed: float  # seconds until the answer, the cancel or the failure
    status: int | None = None  # None: cancelled or failed, no answer
    body: bytes = b""
    error: str = ""  # "cancelled after 3 s", or the connection error

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return {}

    def summary(self):
        if self.status is None:
            return self.error
        return f"{self.status} {self.json().get('outcome', '')}".strip()


@dataclass
class Delivery:
    attempts: list = field(default_factory=list)

    @property
    def statuses(self):
        return [a.status for a in self.attempts]

    def summary(self):
        return ", ".join(a.summary() for a in self.attempts)


def send_once(url, body, context=None, cancel_after=CANCEL_AFTER_S, headers=None,
              source_address=None):
    """One POST, cancelled (the socket shut down) when no answer came in time."""
    parsed = urllib.parse.urlsplit(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    path = parsed.path or "/"
    sent_at = time.time()
    start = time.monotonic()
    if parsed.scheme == "https":
        conn = http.client.HTTPSConnection(parsed.hostname, port, timeout=cancel_after,
                                           context=context, source_address=source_address)
    else:
        conn = http.client.HTTPConnection(parsed.hostname, port, timeout=cancel_after,
                                          source_address=source_address)
    cancelled = threading.Event()

    def cancel():
        cancelled.set()
        sock = conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    timer = threading.Timer(cancel_after, cancel)
    timer.start()
    try:
        conn.request("POST", path, body=body,
                     headers={"Content-Type": "text/plain; charset=utf-8", **(headers or {})})
        response = conn.getresponse()
        data = response.read()
        if cancelled.is_set():
            raise TimeoutError("answer came after the cancel")
        return Attempt(sent_at, time.monotonic() - start, response.status, data)
    except (OSError, http.client.HTTPException) as e:
        elapsed = time.monotonic() - start
        if cancelled.is_set() or isinstance(e, TimeoutError):
            return Attempt(sent_at, elapsed, error=f"cancelled after {cancel_after:g} s")
        return Attempt(sent_at, elapsed, error=f"{e.__class__.__name__}: {e}")
    finally:
        timer.cancel()
        conn.close()


def deliver(url, body, context=None, resend_delay=RESEND_DELAY_S, max_resends=MAX_RESENDS,
            cancel_after=CANCEL_AFTER_S, resend_on_cancel=False, on_attempt=None, urls=None,
            source_address=None):
    """Sends `body` and resends it as TradingView does. `urls`, when given,
    names the URL of each send in turn (the last one repeats): a resend that
    reaches the other slot after a promote."""
    delivery = Delivery()
    for n in range(max_resends + 1):
        target = urls[min(n, len(urls) - 1)] if urls else url
        attempt = send_once(target, body, context, cancel_after, source_address=source_address)
        delivery.attempts.append(attempt)
        if on_attempt:
            on_attempt(n, attempt)
        resend = (attempt.status is not None and 500 <= attempt.status <= 599) or (
            attempt.status is None and resend_on_cancel)
        if not resend or n == max_resends:
            break
        time.sleep(resend_delay)
    return delivery


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("body_file")
    parser.add_argument("--cafile", help="CA to verify the server with (default: the system's)")
    parser.add_argument("--resend-delay", type=float, default=RESEND_DELAY_S)
    parser.add_argument("--resend-on-cancel", action="store_true")
    args = parser.parse_args()
    with open(args.body_file, "rb") as f:
        body = f.read()
    context = ssl.create_default_context(cafile=args.cafile)
    result = deliver(args.url, body, context, args.resend_delay,
                     resend_on_cancel=args.resend_on_cancel)
    for a in result.attempts:
        print(json.dumps({"sent_at": a.sent_at, "elapsed_s": round(a.elapsed, 4), "status": a.status,
                          "error": a.error, "body": a.body.decode("utf-8", "replace")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
