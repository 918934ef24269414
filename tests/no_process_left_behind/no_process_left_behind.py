#!/usr/bin/env python3
"""The end-of-suite check (CTest `no_process_left_behind`): fails, naming each
one, if a process that this ctest run started is still running after the
tests ended: Terraform's provider plugins, emulators, nginx, mock servers,
the service, anything.

    no_process_left_behind.py [--grace SECONDS]

How a process is known to be the run's: ctest gives every test the run's
marker XD_TEST_SUITE=<build dir>#<time>-<random> (one value per ctest run,
see CMakeLists.txt next to this file) and XD_TEST_NAME=<test>; children
inherit the environment, so a provider plugin that Terraform started under
xdeploy under a test carries both. A process is the run's when
  - its environment (/proc/PID/environ) holds the marker, or
  - its command line does (nginx overwrites its environment with its process
    title: the tests that start nginx put the marker in its -g directives), or
  - it descends from such a process (a child that cleared its environment).
This process and its ancestors (ctest, the shell) are not counted. A process
may be on its way out when the tests end (a plugin whose Terraform just
exited): those still there after the grace period are reported.
"""
import argparse
import os
import re
import sys
import time

MARKER = "XD_TEST_SUITE"
TEST_NAME = re.compile(rb"XD_TEST_NAME=([^\s\0\";]+)")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Process:
    def __init__(self, pid, stat, environ, cmdline):
        self.pid = pid
        # /proc/PID/stat: "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat[stat.rindex(b")") + 2:].split()
        self.state = fields[0].decode()
        self.ppid = int(fields[1])
        self.start_ticks = int(fields[19])
        self.environ = environ
        self.cmdline = cmdline

    def carries(self, marker):
        return marker in self.environ.split(b"\0") or marker in self.cmdline

    def test_name(self):
        for text in (self.environ, self.cmdline):
            found = TEST_NAME.search(text)
            if found:
                return found.group(1).decode(errors="replace")
        return None


def read(pid, name):
    try:
        with open(f"/proc/{pid}/{name}", "rb") as f:
            return f.read()
    except OSError:  # gone meanwhile, or not ours to read
        return None


def scan():
    """pid -> Process for every process we can read."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        stat = read(pid, "stat")
        if stat is None:
            continue
        out[pid] = Process(pid, stat, read(pid, "environ") or b"", read(pid, "cmdline") or b"")
    return out


def ancestors(pid, procs):
    """pid and every process above it."""
    chain = set()
    while pid in procs and pid not in chain:
        chain.add(pid)
        pid = procs[pid].ppid
    return chain


def leftovers(marker):
    """The run's processes still running, as {pid: Process}."""
    procs = scan()
    exempt = ancestors(os.getpid(), procs)
    ours = {pid for pid, p in procs.items() if p.carries(marker)}
    found = {}
    for pid, p in procs.items():
        if pid in exempt or p.state == "Z":  # a zombie is already dead: its parent is reported
            continue
        if ancestors(pid, procs) & ours:
            found[pid] = p
    return found, procs


def describe(p, procs):
    argv = p.cmdline.replace(b"\0", b" ").decode(errors="replace").strip() or "?"
    try:
        cwd = os.readlink(f"/proc/{p.pid}/cwd")
    except OSError:
        cwd = "?"
    name = p.test_name()
    if name is None:  # a child that cleared its environment: the nearest ancestor that says
        up = procs.get(p.ppid)
        while up is not None and name is None:
            name = up.test_name()
            up = procs.get(up.ppid)
    with open("/proc/uptime", encoding="ascii") as f:
        uptime = float(f.read().split()[0])
    age = uptime - p.start_ticks / CLOCK_TICKS
    return (f"  pid {p.pid} (started by test {name or '?'}), running {age:.0f} s, parent {p.ppid}\n"
            f"    cmdline: {argv}\n"
            f"    cwd:     {cwd}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grace", type=float, default=3.0,
                        help="seconds to let exiting processes go before reporting them")
    args = parser.parse_args()
    value = os.environ.get(MARKER)
    if not value:
        print(f"{MARKER} is not set: this check runs under ctest, which sets it for the run", file=sys.stderr)
        return 2
    marker = f"{MARKER}={value}".encode()
    deadline = time.monotonic() + args.grace
    found, procs = leftovers(marker)
    while found and time.monotonic() < deadline:
        time.sleep(0.05)
        found, procs = leftovers(marker)
    if not found:
        print(f"ok: no process of this run is left ({MARKER}={value})")
        return 0
    print(f"{len(found)} process(es) that this test run started are still running "
          f"({MARKER}={value}):")
    for pid in sorted(found):
        print(describe(found[pid], procs))
    print(f"Stop them (kill {' '.join(map(str, sorted(found)))}) and make the test that started them "
          "stop them (and their children) however it ends.")
    return 1


if __name__ == "__main__":
    sys.exit(main())
