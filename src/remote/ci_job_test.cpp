#include "xdeploy/remote/ci_job.h"

#include <catch2/catch.hpp>

#include "support/fake_env.h"

using xd::testing::env_of;

namespace xd {

TEST_CASE("the CI job's URL from GitLab, GitHub Actions and others; empty outside CI") {
  CHECK(ci_job_url(env_of({{"CI_JOB_URL", "https://gitlab.example/g/p/-/jobs/7"}})) ==
        "https://gitlab.example/g/p/-/jobs/7");
  CHECK(ci_job_url(env_of({{"GITHUB_SERVER_URL", "https://github.com"},
                           {"GITHUB_REPOSITORY", "acme/app"},
                           {"GITHUB_RUN_ID", "123"}})) ==
        "https://github.com/acme/app/actions/runs/123");
  CHECK(ci_job_url(env_of({{"GITHUB_SERVER_URL", "https://github.com"}})).empty());
  CHECK(ci_job_url(env_of({{"BUILD_URL", "https://jenkins/job/1/"}})) == "https://jenkins/job/1/");
  CHECK(ci_job_url(env_of({})).empty());
}

}  // namespace xd
