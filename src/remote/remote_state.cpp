#include "xdeploy/remote/remote_state.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "json_text.h"
#include "xdeploy/fs/atomic_file.h"

namespace xd {
namespace {

using nlohmann::json;

bool flag(const json& config, const char* key) {
  const auto it = config.find(key);
  return it != config.end() && it->is_boolean() && it->get<bool>();
}

std::string first_set(std::initializer_list<std::string> values) {
  for (const auto& v : values)
    if (!v.empty()) return v;
  return "";
}

// Terraform's S3 backend: endpoints.s3 (>= 1.6), the deprecated `endpoint`,
// then AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL.
std::string endpoint_of(const json& config, const s3::GetEnv& env) {
  std::string configured;
  if (const auto it = config.find("endpoints"); it != config.end() && it->is_object())
    configured = text_or_empty(*it, "s3");
  return first_set({configured, text_or_empty(config, "endpoint"),
                    env("AWS_ENDPOINT_URL_S3").value_or(""), env("AWS_ENDPOINT_URL").value_or("")});
}

// Terraform's data dir: TF_DATA_DIR (relative to the working dir), else .terraform.
std::filesystem::path data_dir(const std::filesystem::path& working_dir, const s3::GetEnv& env) {
  const std::filesystem::path dir = env("TF_DATA_DIR").value_or("");
  if (dir.empty()) return working_dir / ".terraform";
  return dir.is_relative() ? working_dir / dir : dir;
}

// The default workspace keeps `key`; another one lives under
// <workspace_key_prefix>/<workspace>/<key> (prefix "env:" unless configured).
std::string workspace_key(const json& config, const std::filesystem::path& working_dir,
                          const s3::GetEnv& env) {
  std::string workspace = env("TF_WORKSPACE").value_or("");
  if (workspace.empty()) {
    auto saved = read_text_file(data_dir(working_dir, env) / "environment").value_or("");
    while (!saved.empty() && (saved.back() == '\n' || saved.back() == ' ')) saved.pop_back();
    workspace = saved;
  }
  const auto key = text_or_empty(config, "key");
  if (workspace.empty() || workspace == "default") return key;
  const auto prefix = first_set({text_or_empty(config, "workspace_key_prefix"), "env:"});
  return prefix + "/" + workspace + "/" + key;
}

}  // namespace

BackendFinding find_backend(const std::filesystem::path& working_dir, const s3::GetEnv& env) {
  BackendFinding f;
  f.type = "local";
  const auto path = data_dir(working_dir, env) / "terraform.tfstate";
  const auto content = read_text_file(path);
  if (!content) return f;  // no init yet, or local state
  f.initialised = true;
  const auto doc = json::parse(*content, nullptr, false);
  if (!doc.is_object()) {
    f.error = fmt::format("{} is not JSON (run `terraform init` again)", path.string());
    return f;
  }
  const auto backend = doc.find("backend");
  if (backend == doc.end() || !backend->is_object()) return f;  // local state
  f.type = text_or_empty(*backend, "type");
  if (f.type != "s3") return f;
  const auto config_it = backend->find("config");
  const json config =
      config_it != backend->end() && config_it->is_object() ? *config_it : json::object();

  RemoteState s;
  s.bucket.name = text_or_empty(config, "bucket");
  s.bucket.region = first_set({text_or_empty(config, "region"), env("AWS_REGION").value_or(""),
                               env("AWS_DEFAULT_REGION").value_or("")});
  s.bucket.endpoint = endpoint_of(config, env);
  s.bucket.path_style = flag(config, "use_path_style") || flag(config, "force_path_style");
  s.state_key = workspace_key(config, working_dir, env);
  s.credentials.access_key = text_or_empty(config, "access_key");
  s.credentials.secret_key = text_or_empty(config, "secret_key");
  s.credentials.token = text_or_empty(config, "token");
  s.credentials.profile = text_or_empty(config, "profile");
  if (const auto files = config.find("shared_credentials_files");
      files != config.end() && files->is_array() && !files->empty() && (*files)[0].is_string())
    s.credentials.shared_credentials_file = (*files)[0].get<std::string>();
  if (s.bucket.name.empty() || s.state_key.empty() || s.bucket.region.empty()) {
    f.error = fmt::format(
        "the s3 backend in {} has no {} (set it in backend.tf, or AWS_REGION for the region, "
        "and run `terraform init` again)",
        path.string(),
        s.bucket.name.empty() ? "bucket"
        : s.state_key.empty() ? "key"
                              : "region");
    return f;
  }
  f.state = std::move(s);
  return f;
}

}  // namespace xd
