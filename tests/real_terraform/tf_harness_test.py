#!/usr/bin/env python3
"""The harness never passes silently: a missing terraform or provider mirror is
exit 77 with `SKIPPED: <reason>`; and what it writes for Terraform."""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(HERE, "tf_harness.py")
sys.path.insert(0, HERE)
import tf_harness  # noqa: E402


def check(**env):
    return subprocess.run([sys.executable, HARNESS, "check"], capture_output=True, text=True,
                          env=dict(os.environ, **env))


class HarnessTest(unittest.TestCase):
    def test_missing_terraform_is_skipped_with_the_reason(self):
        r = check(XD_REAL_TERRAFORM="/nonexistent/terraform")
        self.assertEqual(tf_harness.SKIP_CODE, r.returncode)
        self.assertTrue(r.stdout.startswith("SKIPPED: no `terraform` binary"), r.stdout)

    def test_a_fake_terraform_is_not_taken_for_the_real_one(self):
        with tempfile.TemporaryDirectory() as d:
            fake = os.path.join(d, "terraform")
            with open(fake, "w") as f:
                f.write("#!/bin/sh\necho not json\n")
            os.chmod(fake, 0o755)
            r = check(XD_REAL_TERRAFORM=fake)
        self.assertEqual(tf_harness.SKIP_CODE, r.returncode)
        self.assertIn("is not a real Terraform", r.stdout)

    def test_mirror_without_the_aws_provider_is_skipped(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "registry.terraform.io", "hashicorp", "http"))
            with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as f:
                f.write('#!/bin/sh\necho \'{"terraform_version":"1.11.4"}\'\n')
            os.chmod(f.name, 0o755)
            try:
                r = check(XD_REAL_TERRAFORM=f.name, XD_TF_PROVIDER_MIRROR=d)
            finally:
                os.remove(f.name)
        self.assertEqual(tf_harness.SKIP_CODE, r.returncode)
        self.assertIn("no provider mirror with registry.terraform.io/hashicorp/aws", r.stdout)

    def test_cli_config_and_override_point_terraform_at_the_mirror_and_the_emulator(self):
        with tempfile.TemporaryDirectory() as d:
            cli = tf_harness.write_cli_config(d, "/some/mirror")
            override = tf_harness.write_provider_override(d, "http://127.0.0.1:1234")
            cli_text, override_text = open(cli).read(), open(override).read()
        self.assertIn('path    = "/some/mirror"', cli_text)
        self.assertIn('include = ["registry.terraform.io/hashicorp/*"]', cli_text)
        self.assertTrue(override.endswith("_override.tf"))
        for line in ("skip_credentials_validation = true", "skip_requesting_account_id  = true",
                     "skip_metadata_api_check     = true", "s3_use_path_style           = true"):
            self.assertIn(line, override_text)
        for service in ("lightsail", "iam", "s3", "sts"):
            self.assertRegex(override_text, rf'{service}\s+= "http://127.0.0.1:1234"')

    def test_terraform_env_keeps_machine_aws_settings_out(self):
        os.environ["AWS_PROFILE"] = "someone-elses"
        try:
            env = tf_harness.terraform_env("/x/terraformrc")
        finally:
            del os.environ["AWS_PROFILE"]
        self.assertNotIn("AWS_PROFILE", env)
        self.assertEqual("/x/terraformrc", env["TF_CLI_CONFIG_FILE"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
