#include "xdeploy/remote/ci_job.h"

namespace xd {

std::string ci_job_url(const s3::GetEnv& env) {
  const auto get = [&](const char* name) { return env(name).value_or(""); };
  if (auto url = get("CI_JOB_URL"); !url.empty()) return url;
  const auto server = get("GITHUB_SERVER_URL");
  const auto repository = get("GITHUB_REPOSITORY");
  const auto run = get("GITHUB_RUN_ID");
  if (!server.empty() && !repository.empty() && !run.empty())
    return server + "/" + repository + "/actions/runs/" + run;
  for (const char* name : {"BUILDKITE_BUILD_URL", "CIRCLE_BUILD_URL", "BUILD_URL"})
    if (auto url = get(name); !url.empty()) return url;
  return "";
}

}  // namespace xd
