#include "xdeploy/app/team_state.h"

#include <filesystem>

#include <fmt/format.h>

#include "xdeploy/remote/ci_job.h"

namespace xd {

S3OperationLock TeamState::lock() const {
  S3LockOptions o;
  o.ci_job_url = ci_job_url(s3::process_env());
  o.working_dir = working_dir;
  return S3OperationLock(client, where.lock_key(), o);
}

TeamStateFinding find_team_state(const AppOptions& options) {
  TeamStateFinding out;
  if (options.backend != BackendKind::Terraform) return out;
  const auto env = s3::process_env();
  const auto found = find_backend(options.chdir, env);
  if (!found.error.empty()) {
    out.error = found.error;
    return out;
  }
  if (found.type != "local" && found.type != "s3") {
    out.note = fmt::format(
        "the state is in a `{}` backend: xdeploy's deploy lock and history cover this machine "
        "only (the s3 backend shares them across machines)",
        found.type);
    return out;
  }
  if (!found.state) return out;
  auto credentials = s3::find_credentials(found.state->credentials, env);
  if (!credentials.credentials) {
    out.error =
        fmt::format("the state is in S3 ({}), where xdeploy keeps its deploy lock, but {}",
                    s3::s3_uri(found.state->bucket, found.state->state_key), credentials.error);
    out.hint =
        "the same credentials Terraform uses for the state: in CI, pass them as secrets "
        "in the job's environment";
    return out;
  }
  std::error_code ec;
  const auto absolute = std::filesystem::absolute(options.chdir, ec);
  out.team = TeamState{*found.state, s3::Client(found.state->bucket, *credentials.credentials),
                       ec ? options.chdir : absolute.lexically_normal().string()};
  return out;
}

}  // namespace xd
