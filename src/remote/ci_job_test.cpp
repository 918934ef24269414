#include "xdeploy/remote/ci_job.h"

#include <map>

#include <catch2/catch.hpp>

namespace xd {
namespace {
s3::GetEnv env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}
}  // namespace

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
