#!/usr/bin/env python3
"""Keeps the layering of docs/ARCHITECTURE.md true: fails, naming file and line,
on an #include that crosses a layer the wrong way.

    scripts/check_layers.py [REPO_ROOT]     (CTest: check_layers, label unit)

The compiler already refuses most of it: each library exports only
include/xdeploy/<folder>/ and keeps its src/ folder private. This check adds
what the compiler cannot see:
  - which folder may include which (LAYERS below, closed transitively);
  - a path into another library's src/ folder ("../app/state_dir.h");
  - a public header that includes a private one;
  - production code that includes test support (tests/);
  - a public header that nobody outside its folder includes (make it private).
"""
import os
import re
import sys

# Each folder of src/ (one library) -> the folders whose public headers it may
# include. A folder may also include what those may (the graph is closed
# transitively) and its own private headers. Adding a folder is one line here.
# `backend` is the port alone: include/xdeploy/backend/backend.h.
LAYERS = {
    "core": [],
    "fs": [],
    "process": [],
    "http": ["core", "process"],
    "lock": ["core", "fs"],
    "history": ["fs"],
    "backend": ["core"],
    "backend/terraform": ["backend", "process"],
    "backend/local": ["backend", "fs"],
    "s3": [],
    "remote": ["s3", "lock", "history", "fs", "core"],
    "app": ["backend/terraform", "backend/local", "http", "lock", "history", "remote"],
    "cli": ["app"],
    # falcon-xecutor (include/falcon_xecutor/<area>/ is the public side of
    # src/service/<area>/; src/service/ itself is the app on top, README "Layout").
    "service/core": [],
    "service/webhook": ["service/core", "core"],  # xdeploy's duration text
    "service/claims": ["service/core", "s3"],  # xdeploy's S3 client
    "service/risk": ["service/core", "service/webhook", "service/claims"],
    "service/http": [],
    "service/falconx": ["service/core", "service/webhook", "service/risk", "service/http"],
    "service": ["service/falconx", "service/claims", "core"],
}

# Where each family's public headers live, and the src/ folder they belong to:
# include/xdeploy/app/x.h is the public side of src/app/.
PUBLIC_ROOTS = {"include/xdeploy/": "", "include/falcon_xecutor/": "service/"}
SOURCE_EXTENSIONS = (".h", ".hpp", ".cpp", ".cc")
SCANNED = ("src", "include", "tests", "bench", "fuzz")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
TEST_FILE = re.compile(r"(_test|_fuzz|_test_support)\.(h|hpp|cpp|cc)$")


def closure(layers):
    """folder -> every folder it may include (its own included)."""
    out = {}

    def reach(folder, seen):
        for dep in layers.get(folder, []):
            if dep not in seen:
                seen.add(dep)
                reach(dep, seen)
        return seen

    for folder in layers:
        out[folder] = reach(folder, {folder})
    return out


def folder_of(rel, layers):
    """The LAYERS folder a repo-relative path belongs to, or None (unchecked)."""
    if rel.startswith("src/"):
        rest = rel[len("src/"):]
    else:
        for root, prefix in PUBLIC_ROOTS.items():
            if rel.startswith(root):
                rest = prefix + rel[len(root):]
                break
        else:
            return None
    best = None
    for folder in layers:
        if rest.startswith(folder + "/") and (best is None or len(folder) > len(best)):
            best = folder
    return best


def is_test_code(rel):
    return rel.startswith("tests/") or bool(TEST_FILE.search(rel))


def resolve(root, rel, kind, name):
    """Where the compiler (or a mistake) would find `name`: (path, how) or None."""
    candidates = []
    if kind == '"':
        candidates.append((os.path.join(os.path.dirname(rel), name), "relative"))
    candidates += [(os.path.join("include", name), "include"), (os.path.join("tests", name), "tests"),
                   (os.path.join("src", name), "src"), (name, "root")]
    for path, how in candidates:
        path = os.path.normpath(path)
        if not path.startswith("..") and os.path.isfile(os.path.join(root, path)):
            return path, how
    return None


def check_include(rel, line_no, kind, name, found, allowed, layers):
    """One error message, or None."""
    target, how = found
    here = folder_of(rel, layers)
    there = folder_of(target, layers)
    close = '"' if kind == '"' else ">"
    where = f"{rel}:{line_no}: #include {kind}{name}{close}"
    if target.startswith("tests/"):
        if not is_test_code(rel):
            return f"{where}: production code includes test support ({target})"
        return None
    if target.startswith("src/"):
        if how in ("src", "root"):
            return f"{where}: {target} is private to src/{os.path.dirname(target)[4:]}: src/ is on no include path"
        if rel.startswith("include/"):
            return f"{where}: a public header includes the private {target}"
        if there is not None and there != here:
            return f"{where}: {target} is a private header of {there}; include its public headers only"
        if there is None and here is not None and not target.startswith("src/" + here + "/"):
            return f"{where}: {target} belongs to another library's src/ folder"
        return None
    if here is None or there is None or rel.startswith("tests/"):
        return None  # a folder without rules (reported once by uncovered_folders), or the test tree
    if there not in allowed[here]:
        may = ", ".join(sorted(allowed[here] - {here})) or "nothing"
        return f"{where}: {here} may not include {there} (it may include: {may})"
    return None


def source_files(root):
    for top in SCANNED:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for f in sorted(filenames):
                if f.endswith(SOURCE_EXTENSIONS):
                    yield os.path.relpath(os.path.join(dirpath, f), root)


def includes_of(root, rel):
    """(line number, kind, name, resolved path or None) of every #include in a file."""
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        for line_no, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                kind, name = m.group(1), m.group(2)
                yield line_no, kind, name, resolve(root, rel, kind, name)


def unneeded_public_headers(edges, layers):
    """Public headers no other folder (nor the test tree) reaches, even through
    another public header."""
    public = {f for f in edges if f.startswith("include/") and folder_of(f, layers) is not None}
    needed = {target for rel, targets in edges.items() for target in targets
              if target in public and (rel.startswith("tests/")
                                       or folder_of(rel, layers) != folder_of(target, layers))}
    grown = True
    while grown:
        reached = {t for rel in needed for t in edges.get(rel, ()) if t in public}
        grown = not reached <= needed
        needed |= reached
    return sorted(public - needed)


def uncovered_folders(files, layers):
    """Folders of src/ (or public header folders) with sources but no LAYERS
    entry: their includes would go unchecked."""
    out = set()
    for rel in files:
        if folder_of(rel, layers) is not None:
            continue
        if rel.startswith("src/") or any(rel.startswith(root) for root in PUBLIC_ROOTS):
            out.add(os.path.dirname(rel))
    return sorted(out)


INCLUDE_DIRS_CALL = re.compile(r"target_include_directories\s*\(([^)]*)\)", re.S)
SCOPES = ("PUBLIC", "INTERFACE", "PRIVATE")


def exported_src_dirs(root):
    """A CMake target under src/ that exports a src/ folder (its own included)
    as a PUBLIC or INTERFACE include path: that folder would stop being private."""
    errors = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, "src")):
        dirnames.sort()
        for f in sorted(filenames):
            if f != "CMakeLists.txt" and not f.endswith(".cmake"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), root)
            with open(os.path.join(root, rel), encoding="utf-8") as cm:
                text = cm.read()
            for call in INCLUDE_DIRS_CALL.finditer(text):
                scope = None
                for word in call.group(1).split():
                    if word in SCOPES:
                        scope = word
                    elif scope in ("PUBLIC", "INTERFACE") and (
                            word.startswith("${CMAKE_CURRENT_SOURCE_DIR}")
                            or re.match(r"\$\{CMAKE_SOURCE_DIR\}/src(/|$)", word)):
                        line = text.count("\n", 0, call.start()) + 1
                        errors.append(f"{rel}:{line}: {word} is a {scope} include path: a src/ folder "
                                      f"stays PRIVATE to its target, only include/ is exported")
    return errors


def check(root, layers=LAYERS):
    allowed = closure(layers)
    errors = []
    edges = {}  # file -> the files of ours it includes
    for rel in source_files(root):
        edges[rel] = []
        for line_no, kind, name, found in includes_of(root, rel):
            if found is None:
                continue  # a system or third-party header
            edges[rel].append(found[0])
            checked = rel.startswith("tests/") or folder_of(rel, layers) is not None
            error = checked and check_include(rel, line_no, kind, name, found, allowed, layers)
            if error:
                errors.append(error)
    errors += exported_src_dirs(root)
    for folder in uncovered_folders(edges, layers):
        errors.append(f"{folder}/: no rule in LAYERS (scripts/check_layers.py): say which folders it may include")
    for rel in unneeded_public_headers(edges, layers):
        folder = folder_of(rel, layers)
        errors.append(f"{rel}: public, but nothing outside {folder} includes it: move it to src/{folder}/")
    return errors


def main(argv):
    root = os.path.abspath(argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    errors = check(root)
    for e in errors:
        print(e)
    if errors:
        print(f"check_layers: {len(errors)} forbidden include(s); the allowed graph is LAYERS in "
              f"scripts/check_layers.py, drawn in docs/ARCHITECTURE.md")
        return 1
    print(f"check_layers: OK ({len(LAYERS)} folders)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
