#pragma once
// The URL of the CI job this process runs in, from the variables each CI sets:
// GitLab CI_JOB_URL, GitHub Actions GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/
// runs/GITHUB_RUN_ID, Buildkite BUILDKITE_BUILD_URL, CircleCI CIRCLE_BUILD_URL,
// Jenkins BUILD_URL. Empty outside CI. Pure (the environment is passed in).
#include <string>

#include "xdeploy/s3/aws_credentials.h"

namespace xd {

std::string ci_job_url(const s3::GetEnv& env);

}  // namespace xd
