#!/usr/bin/env python3
"""render_template.py TEMPLATE NAME=VALUE... : Terraform's templatefile() for
the subset the boot script uses (CI has no Terraform binary): ${name}
interpolations and the $${ / %%{ escapes. Any other ${...} or %{...}
directive is an error, so the test never runs a template Terraform would
render differently."""
import re
import sys


def render(text, values):
    def replace(match):
        token = match.group(0)
        if token.startswith("$${"):
            return "${"
        if token.startswith("%%{"):
            return "%{"
        if token.startswith("%{"):
            raise SystemExit(f"render_template: directive {token!r} not supported")
        name = match.group(1).strip()
        if name not in values:
            raise SystemExit(f"render_template: no value for ${{{name}}}")
        return values[name]

    return re.sub(r"\$\$\{|%%\{|%\{|\$\{([^}]*)\}", replace, text)


def main():
    if len(sys.argv) < 2:
        raise SystemExit("usage: render_template.py TEMPLATE NAME=VALUE...")
    values = dict(arg.split("=", 1) for arg in sys.argv[2:])
    with open(sys.argv[1], encoding="utf-8") as f:
        out = render(f.read(), values)
    sys.stdout.write(out)


if __name__ == "__main__":
    main()
