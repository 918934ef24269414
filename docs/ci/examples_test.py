#!/usr/bin/env python3
"""ci_examples_test: every `xdeploy` command in docs/ci/ parses.

Finds each xdeploy invocation in the examples (a shell job and a GitHub
Actions workflow), replaces shell and workflow expressions with a color, and
runs it against the LOCAL backend in a scratch dir with --dry-run appended
(the same code path as `xdeploy plan`), so nothing is deployed and no AWS is
needed. A usage error (exit 2) fails the test; any other outcome (0, or 4 for
a verb whose precondition an empty local state cannot meet) means the
command line was understood.

usage: examples_test.py XDEPLOY_BIN [EXAMPLE...]
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_EXAMPLES = [os.path.join(HERE, "deploy-job.sh"), os.path.join(HERE, "github-actions.yml")]

# `xdeploy` where a command starts: line start, `run:`, `$(`, after ; | && ||.
COMMAND = re.compile(r"(?:^|run:\s*|\$\(|[;|&]\s*|\b(?:then|else|do)\s+)xdeploy\s+(?P<args>.*)$")
# Where the command's own words end: a redirect, a pipe, a list operator, a comment.
END = re.compile(r"\s(?:\d?>|<|\|\|?|&&|;|#)|\)\s*$|\)\s|\|")
EXPRESSION = re.compile(r"\$\{\{[^}]*\}\}|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")


def commands(path):
    found = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            stripped = line.strip()
            if stripped.startswith("#"):
                continue
            match = COMMAND.search(stripped)
            if not match:
                continue
            args = match.group("args")
            end = END.search(" " + args)
            if end:
                args = args[: max(end.start() - 1, 0)]
            args = EXPRESSION.sub("green", args)
            found.append((number, shlex.split(args)))
    return found


def check(xdeploy, path, scratch):
    failures = 0
    found = commands(path)
    if not found:
        print(f"FAIL {path}: no xdeploy command found")
        return 1
    for number, args in found:
        argv = [xdeploy, *args, "--backend", "local", "-C", scratch, "--dry-run", "--no-hooks"]
        env = {**os.environ, "NO_COLOR": "1"}
        if args[:1] == ["init"]:
            # `init --backend s3` talks to S3: without credentials it stops before
            # writing anything (exit 1), which still shows the line parsed.
            module = os.path.join(scratch, "module")
            os.makedirs(module, exist_ok=True)
            open(os.path.join(module, "main.tf"), "a").close()
            argv = [xdeploy, *args, "-C", module]
            env = {k: v for k, v in env.items() if not k.startswith("AWS_")}
            env["HOME"] = scratch
        result = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                                cwd=scratch, env=env)
        shown = "xdeploy " + shlex.join(args)
        if result.returncode == 2:
            failures += 1
            print(f"FAIL {os.path.basename(path)}:{number}: {shown}\n  {result.stderr.strip()}")
        else:
            print(f"ok   {os.path.basename(path)}:{number}: {shown} (exit {result.returncode})")
    return failures


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    xdeploy = os.path.abspath(sys.argv[1])
    examples = sys.argv[2:] or DEFAULT_EXAMPLES
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        for path in examples:
            failures += check(xdeploy, path, scratch)
    print(f"ci_examples_test: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
