#!/usr/bin/env python3
"""The end-of-suite check can fail (CTest no_process_left_behind_test):
detached processes carrying a marker of this test's own (not the suite's, so
the real check never sees them) are reported by pid, command line, working
directory and test; the check's own ancestors are not; a process that exits
within the grace period is not; once they are stopped the check passes.

    no_process_left_behind_test.py CHECK_SCRIPT
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid

CHECK = sys.argv[1]
NAME = "checker_self_test"

# Each line prints a pid. &: the launching shell exits at once, so init adopts them,
# as it adopts a provider plugin whose terraform was killed.
LEFTOVERS = """
sleep 60 </dev/null >/dev/null 2>&1 &
echo $!
env -i sh -c 'sleep 60; :' "XD_TEST_SUITE=$XD_TEST_SUITE XD_TEST_NAME=$XD_TEST_NAME" </dev/null >/dev/null 2>&1 &
echo $!
"""


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def run_check(env, grace):
    """Runs the check under a shell that carries the marker too: an ancestor,
    which must not be reported. Returns (exit code, output, the shell's pid)."""
    shell = subprocess.Popen(["sh", "-c", '"$0" "$@"; exit $?', sys.executable, CHECK, "--grace", str(grace)],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out, _ = shell.communicate(timeout=30)
    print(f"$ check --grace {grace} -> {shell.returncode}\n{out}")
    return shell.returncode, out, shell.pid


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def eventually(predicate, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def check_reports_leftovers(env, work):
    launcher = subprocess.Popen(["sh", "-c", LEFTOVERS], env=env, cwd=work, stdout=subprocess.PIPE, text=True,
                                start_new_session=True)
    out, _ = launcher.communicate(timeout=10)
    group = launcher.pid  # the session's process group outlives its leader
    try:
        plain, scrubbed = (int(p) for p in out.split())
        if not eventually(lambda: children(scrubbed)):
            fail("the scrubbed shell did not start its child")
        child = children(scrubbed)[0]
        code, report, shell = run_check(env, grace=0.2)
        if code != 1:
            fail(f"the check exited {code} with three processes of its run left")
        expected = {
            plain: ["sleep 60", f"cwd:     {work}", f"test {NAME}"],  # by its environment
            scrubbed: ["XD_TEST_SUITE=", f"test {NAME}"],  # environment cleared: by its command line
            child: ["sleep 60", f"test {NAME}"],  # by its parent, named through it
        }
        for pid, facts in expected.items():
            entry = next((block for block in report.split("  pid ")[1:] if block.startswith(f"{pid} ")), None)
            if entry is None:
                fail(f"pid {pid} is not reported")
            for fact in facts:
                if fact not in entry:
                    fail(f"the report of pid {pid} does not say {fact!r}")
        if f"pid {shell} " in report or f"pid {os.getpid()} " in report:
            fail("the check reported one of its own ancestors")
        print("ok: leftovers are reported by environment, command line and parent, with cmdline, cwd and test")
    finally:
        os.killpg(group, signal.SIGKILL)
    if not eventually(lambda: not any(alive(p) for p in (plain, scrubbed, child))):
        fail("the leftovers did not die")
    code, report, _ = run_check(env, grace=0)
    if code != 0:
        fail(f"the check exited {code} once the leftovers were stopped")
    print("ok: once they are stopped, the check passes")


def check_grace(env, work):
    """A process on its way out (a plugin whose terraform just exited) is not blamed."""
    launcher = subprocess.Popen(["sh", "-c", "sleep 0.5 </dev/null >/dev/null 2>&1 &"], env=env, cwd=work,
                                start_new_session=True)
    launcher.wait(timeout=10)
    try:
        started = time.monotonic()
        code, _, _ = run_check(env, grace=5)
        took = time.monotonic() - started
        if code != 0:
            fail(f"the check exited {code} for a process that exited within the grace period")
        if took > 4:
            fail(f"the check waited {took:.1f} s: it should stop waiting when the process is gone")
        print("ok: a process that exits within the grace period is not reported")
    finally:
        try:
            os.killpg(launcher.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def check_needs_marker():
    env = {k: v for k, v in os.environ.items() if k != "XD_TEST_SUITE"}
    r = subprocess.run([sys.executable, CHECK], env=env, capture_output=True, text=True, timeout=30)
    if r.returncode != 2 or "XD_TEST_SUITE" not in r.stderr:
        fail(f"without the marker the check exited {r.returncode}: {r.stdout}{r.stderr}")
    print("ok: without a marker the check refuses to run, saying why")


def main():
    env = dict(os.environ, XD_TEST_SUITE=f"selftest-{os.getpid()}-{uuid.uuid4().hex}", XD_TEST_NAME=NAME)
    with tempfile.TemporaryDirectory(prefix="no-process-left-") as work:
        check_reports_leftovers(env, work)
        check_grace(env, work)
    check_needs_marker()


if __name__ == "__main__":
    main()
