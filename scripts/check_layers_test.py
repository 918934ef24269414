#!/usr/bin/env python3
"""scripts/check_layers.py on small trees: each forbidden include is refused
with its file and line, the allowed ones pass. CTest: check_layers_test."""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_layers  # noqa: E402

LAYERS = {"core": [], "fs": [], "backend": ["core"], "app": ["backend", "fs"], "cli": ["app"],
          "service/core": [], "service/webhook": ["service/core"], "service": ["service/webhook"]}


class Tree:
    def __init__(self, files):
        self.tmp = tempfile.TemporaryDirectory(prefix="check-layers-")
        self.root = self.tmp.name
        Tree.made.append(self.tmp)
        for path, text in files.items():
            full = os.path.join(self.root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as f:
                f.write(text)

    made = []

    def errors(self):
        return check_layers.check(self.root, LAYERS)


# A tree that follows the rules: every public header is used by another folder.
GOOD = {
    "include/xdeploy/core/color.h": "#pragma once\n",
    "include/xdeploy/fs/atomic_file.h": "#pragma once\n",
    "include/xdeploy/backend/backend.h": '#include "xdeploy/core/color.h"\n',
    "include/xdeploy/app/runner.h": '#include "xdeploy/backend/backend.h"\n',
    "src/core/color.cpp": '#include "xdeploy/core/color.h"\n',
    "src/app/state_dir.h": "#pragma once\n",
    "src/app/runner.cpp": ('#include "xdeploy/app/runner.h"\n#include "state_dir.h"\n'
                           '#include "xdeploy/core/color.h"\n#include "xdeploy/fs/atomic_file.h"\n'
                           "#include <string>\n"),
    "src/app/runner_test.cpp": '#include "state_dir.h"\n#include "support/child_process.h"\n',
    "src/cli/main.cpp": '#include "xdeploy/app/runner.h"\n#include "xdeploy/core/color.h"\n',
    "tests/support/child_process.h": "#pragma once\n",
    "tests/integration/story_test.cpp": '#include "xdeploy/app/runner.h"\n#include "support/child_process.h"\n',
    # The service: include/falcon_xecutor/<area>/ is the public side of src/service/<area>/.
    "include/falcon_xecutor/core/decimal.h": "#pragma once\n",
    "include/falcon_xecutor/webhook/order.h": '#include "falcon_xecutor/core/decimal.h"\n',
    "src/service/core/digits.h": "#pragma once\n",
    "src/service/core/decimal.cpp": '#include "falcon_xecutor/core/decimal.h"\n#include "digits.h"\n',
    "src/service/webhook/order.cpp": '#include "falcon_xecutor/webhook/order.h"\n',
    "src/service/main.cpp": '#include "falcon_xecutor/webhook/order.h"\n',
}


def with_file(path, text):
    files = dict(GOOD)
    files[path] = files.get(path, "") + text
    return Tree(files)


class CheckLayersTest(unittest.TestCase):
    def tearDown(self):
        while Tree.made:
            Tree.made.pop().cleanup()

    def test_a_tree_that_follows_the_rules_passes(self):
        self.assertEqual(Tree(GOOD).errors(), [])

    def test_a_lower_layer_may_not_include_a_higher_one(self):
        errors = with_file("src/core/color.cpp", '#include "xdeploy/app/runner.h"\n').errors()
        self.assertEqual(errors, ['src/core/color.cpp:2: #include "xdeploy/app/runner.h": '
                                  "core may not include app (it may include: nothing)"])

    def test_a_sideways_include_is_refused(self):
        errors = with_file("src/fs/x.cpp", '#include "xdeploy/core/color.h"\n').errors()
        self.assertEqual(len(errors), 1)
        self.assertIn("src/fs/x.cpp:1", errors[0])
        self.assertIn("fs may not include core", errors[0])

    def test_a_path_into_another_librarys_src_folder_is_refused(self):
        for include in ('"../app/state_dir.h"', '"app/state_dir.h"', '"src/app/state_dir.h"'):
            with self.subTest(include=include):
                errors = with_file("src/cli/main.cpp", f"#include {include}\n").errors()
                self.assertEqual(len(errors), 1, errors)
                self.assertIn("src/cli/main.cpp:3", errors[0])
                self.assertIn("src/app/state_dir.h", errors[0])

    def test_the_test_tree_may_not_reach_into_src(self):
        errors = with_file("tests/integration/story_test.cpp", '#include "../../src/app/state_dir.h"\n').errors()
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("private header of app", errors[0])

    def test_a_public_header_may_not_include_a_private_one(self):
        errors = with_file("include/xdeploy/app/runner.h", '#include "../../../src/app/state_dir.h"\n').errors()
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("a public header includes the private src/app/state_dir.h", errors[0])

    def test_production_code_may_not_include_test_support(self):
        errors = with_file("src/app/runner.cpp", '#include "support/child_process.h"\n').errors()
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("production code includes test support", errors[0])

    def test_a_public_header_nobody_else_includes_should_be_private(self):
        tree = with_file("include/xdeploy/app/only_mine.h", "#pragma once\n")
        self.assertEqual(tree.errors(), ["include/xdeploy/app/only_mine.h: public, but nothing outside app"
                                         " includes it: move it to src/app/"])

    def test_a_public_header_reached_through_another_one_is_needed(self):
        tree = with_file("include/xdeploy/core/step.h", "#pragma once\n")
        self.assertEqual(len(tree.errors()), 1)
        tree = Tree({**GOOD, "include/xdeploy/core/step.h": "#pragma once\n",
                     "include/xdeploy/core/color.h": '#include "xdeploy/core/step.h"\n'})
        self.assertEqual(tree.errors(), [])

    def test_a_service_area_may_not_include_a_higher_one(self):
        errors = with_file("src/service/core/decimal.cpp", '#include "falcon_xecutor/webhook/order.h"\n').errors()
        self.assertEqual(errors, ['src/service/core/decimal.cpp:3: #include "falcon_xecutor/webhook/order.h": '
                                  "service/core may not include service/webhook (it may include: nothing)"])

    def test_a_service_area_may_not_reach_into_another_areas_src(self):
        errors = with_file("src/service/webhook/order.cpp", '#include "../core/digits.h"\n').errors()
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("src/service/webhook/order.cpp:2", errors[0])
        self.assertIn("src/service/core/digits.h is a private header of service/core", errors[0])

    def test_a_folder_without_rules_is_refused(self):
        errors = with_file("src/s3/s3_client.cpp", '#include "../app/state_dir.h"\n').errors()
        self.assertEqual(errors, ["src/s3/: no rule in LAYERS (scripts/check_layers.py): "
                                  "say which folders it may include"])

    def test_a_target_may_not_export_its_src_folder(self):
        for line in ("target_include_directories(xd_app PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src)",
                     "target_include_directories(xd_app INTERFACE ${CMAKE_CURRENT_SOURCE_DIR})"):
            with self.subTest(line=line):
                errors = with_file("src/app/CMakeLists.txt", line + "\n").errors()
                self.assertEqual(len(errors), 1, errors)
                self.assertIn("src/app/CMakeLists.txt:1:", errors[0])
                self.assertIn("include path: a src/ folder stays PRIVATE", errors[0])
        private = "target_include_directories(xd_app PUBLIC ${CMAKE_SOURCE_DIR}/include PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})"
        self.assertEqual(with_file("src/app/CMakeLists.txt", private + "\n").errors(), [])

    def test_the_command_fails_and_names_the_include(self):
        tree = with_file("src/core/color.cpp", '#include "xdeploy/app/runner.h"\n')
        # The real LAYERS table allows core nothing either.
        r = subprocess.run([sys.executable, check_layers.__file__, tree.root], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn('src/core/color.cpp:2: #include "xdeploy/app/runner.h": core may not include app', r.stdout)

    def test_the_repository_follows_its_layers(self):
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
        self.assertEqual(check_layers.check(root), [])


if __name__ == "__main__":
    unittest.main()
