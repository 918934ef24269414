#include "xdeploy/app/init_backend.h"

#include <filesystem>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "xdeploy/core/exit_code.h"
#include "xdeploy/fs/atomic_file.h"
#include "xdeploy/remote/state_bucket.h"
#include "xdeploy/s3/aws_credentials.h"

namespace xd {
namespace {

namespace fs = std::filesystem;

std::string backend_text(const InitBackendRequest& r, const BackendSettings& settings) {
  std::string text = backend_tf(settings);
  if (r.endpoint.empty()) return text;
  // An S3-compatible store (MinIO, an emulator): path-style addressing, and its
  // credentials are the store's, not an AWS account's: no STS/IAM/metadata checks.
  const auto at = text.find("  }\n}\n");
  return text.insert(at, fmt::format("    use_path_style              = true\n"
                                     "    skip_credentials_validation = true\n"
                                     "    skip_requesting_account_id  = true\n"
                                     "    skip_metadata_api_check     = true\n"
                                     "    skip_region_validation      = true\n"
                                     "    endpoints = {{\n      s3 = \"{}\"\n    }}\n",
                                     r.endpoint));
}

int terraform_init(const InitBackendRequest& r, bool migrate, CommandRunner& runner,
                   Console& console) {
  std::vector<std::string> argv{r.options.terraform.binary, "-chdir=" + r.options.chdir, "init",
                                "-input=false", "-no-color"};
  if (migrate) {
    argv.push_back("-migrate-state");
    argv.push_back("-force-copy");  // checked above: the key holds no state to overwrite
  } else {
    argv.push_back("-reconfigure");
  }
  console.info("==> " + display_command(argv));
  ProcessSpec spec;
  spec.argv = argv;
  const auto sink = [&](bool err) {
    return [&console, err](std::string_view line) { console.stream("init", line, err); };
  };
  const auto result = runner.run(spec, sink(false), sink(true));
  if (!result.started) {
    console.error(fmt::format("cannot run {}: {}", r.options.terraform.binary, result.error));
    return to_int(ExitCode::Failed);
  }
  if (result.exit_code != 0) {
    console.error(fmt::format("terraform init exited {}", result.exit_code),
                  "backend.tf is written; fix the error above and run `terraform init "
                  "-migrate-state` (or this command again)");
    return to_int(ExitCode::Failed);
  }
  return 0;
}

}  // namespace

bool local_state_has_resources(const std::string& text) {
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  const auto it = doc.is_object() ? doc.find("resources") : doc.end();
  return it != doc.end() && it->is_array() && !it->empty();
}

int run_init_s3_backend(const InitBackendRequest& r, CommandRunner& runner, Console& console) {
  const auto env = s3::process_env();
  BackendSettings settings{r.bucket, r.key, r.region};
  if (settings.region.empty())
    settings.region = env("AWS_REGION").value_or(env("AWS_DEFAULT_REGION").value_or(""));
  if (auto problem = check_backend_settings(settings); !problem.empty()) {
    console.error(problem, settings.region.empty() ? "pass --region (or set AWS_REGION)" : "");
    return to_int(ExitCode::Usage);
  }
  const fs::path dir = r.options.chdir;
  const auto backend_file = dir / "backend.tf";
  const std::string text = backend_text(r, settings);
  const auto existing = read_text_file(backend_file);
  if (existing && *existing != text && !r.options.force) {
    console.error(fmt::format("{} exists and differs: not overwritten", backend_file.string()),
                  "compare it with what --backend s3 writes, then pass --force to replace it");
    return to_int(ExitCode::Refused);
  }
  auto credentials = s3::find_credentials({}, env);
  if (!credentials.credentials) {
    console.error(credentials.error,
                  "the bucket is created and checked with them; Terraform uses "
                  "the same ones");
    return to_int(ExitCode::Failed);
  }
  const std::string endpoint =
      r.endpoint.empty() ? env("AWS_ENDPOINT_URL_S3").value_or("") : r.endpoint;
  const s3::Client client({settings.bucket, settings.region, endpoint, !endpoint.empty()},
                          *credentials.credentials);
  const auto report = bootstrap_state_bucket(client);
  for (const auto& line : report.done) console.success(line);
  if (!report.error.empty()) {
    console.error("cannot prepare the state bucket: " + report.error);
    return to_int(ExitCode::Failed);
  }
  if (!report.created) console.info(fmt::format("the bucket {} exists: left as it is", r.bucket));
  for (const auto& line : report.advice) console.warn(line);

  const auto local_state = dir / "terraform.tfstate";
  const bool has_local = local_state_has_resources(read_text_file(local_state).value_or(""));
  std::string error;
  const auto remote = remote_state_exists(client, settings.key, error);
  if (!remote) {
    console.error("cannot tell whether the state key is free: " + error);
    return to_int(ExitCode::Failed);
  }
  if (has_local && *remote) {
    console.error(
        fmt::format("s3://{}/{} already holds a state, and {} holds another: refusing to "
                    "overwrite either (nothing was written)",
                    settings.bucket, settings.key, local_state.string()),
        "pick another --key for this one, or compare both (`terraform state pull`) and remove the "
        "one you do not want deliberately");
    return to_int(ExitCode::Refused);
  }
  if (auto e = write_file_atomically(backend_file, text, 0644); !e.empty()) {
    console.error(e);
    return to_int(ExitCode::Failed);
  }
  console.success("wrote " + backend_file.string());
  if (const int code = terraform_init(r, has_local, runner, console); code != 0) return code;
  if (has_local) {
    std::string check;
    if (remote_state_exists(client, settings.key, check) != true) {
      console.error("terraform init said it moved the state, but s3://" + settings.bucket + "/" +
                        settings.key + " is not there: the local state was left in place",
                    check);
      return to_int(ExitCode::Failed);
    }
    std::error_code ec;
    fs::rename(local_state, dir / "terraform.tfstate.moved-to-s3", ec);
    console.success(fmt::format("moved the local state to s3://{}/{}{}", settings.bucket,
                                settings.key,
                                ec ? "" : " (the old file is terraform.tfstate.moved-to-s3)"));
  }
  console.success(fmt::format(
      "the state is in s3://{}/{}: every machine with this backend.tf shares it, the deploy lock "
      "and the history",
      settings.bucket, settings.key));
  return 0;
}

}  // namespace xd
