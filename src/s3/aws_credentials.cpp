#include "xdeploy/s3/aws_credentials.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace xd::s3 {
namespace {

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  const auto end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

std::string env_or(const GetEnv& env, const std::string& name, const std::string& fallback = "") {
  const auto value = env(name);
  return value && !value->empty() ? *value : fallback;
}

std::string credentials_file(const CredentialHints& hints, const GetEnv& env) {
  if (!hints.shared_credentials_file.empty()) return hints.shared_credentials_file;
  if (auto path = env_or(env, "AWS_SHARED_CREDENTIALS_FILE"); !path.empty()) return path;
  const auto home = env_or(env, "HOME");
  return home.empty() ? "" : home + "/.aws/credentials";
}

// One [profile] section of the shared credentials file (an INI file: `key = value`
// lines, `#`/`;` comments). nullopt with `error` empty: no such file or profile.
std::optional<Credentials> read_profile(const std::string& path, const std::string& profile,
                                        std::string& error) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  Credentials c;
  bool in_section = false;
  bool found = false;
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      in_section = line.back() == ']' && trim(line.substr(1, line.size() - 2)) == profile;
      found = found || in_section;
      continue;
    }
    const auto eq = line.find('=');
    if (!in_section || eq == std::string::npos) continue;
    const auto key = trim(line.substr(0, eq));
    const auto value = trim(line.substr(eq + 1));
    if (key == "aws_access_key_id") c.access_key_id = value;
    if (key == "aws_secret_access_key") c.secret_access_key = value;
    if (key == "aws_session_token") c.session_token = value;
  }
  if (!found) return std::nullopt;
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    error = fmt::format(
        "profile {} in {} has no aws_access_key_id/aws_secret_access_key (SSO, role and "
        "credential_process profiles are not read: export the credentials into the environment, "
        "e.g. `eval \"$(aws configure export-credentials --profile {} --format env)\"`)",
        profile, path, profile);
    return std::nullopt;
  }
  c.source = fmt::format("profile {} in {}", profile, path);
  return c;
}

}  // namespace

GetEnv process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

CredentialsResult find_credentials(const CredentialHints& hints, const GetEnv& env) {
  CredentialsResult r;
  if (!hints.access_key.empty() && !hints.secret_key.empty()) {
    r.credentials = Credentials{hints.access_key, hints.secret_key, hints.token,
                                "the backend configuration's access_key/secret_key"};
    return r;
  }
  const auto file = credentials_file(hints, env);
  if (!hints.profile.empty()) {
    r.credentials = read_profile(file, hints.profile, r.error);
    if (r.credentials || !r.error.empty()) return r;
  }
  const auto key = env_or(env, "AWS_ACCESS_KEY_ID");
  const auto secret = env_or(env, "AWS_SECRET_ACCESS_KEY");
  if (!key.empty() && !secret.empty()) {
    r.credentials = Credentials{key, secret, env_or(env, "AWS_SESSION_TOKEN"), "the environment"};
    return r;
  }
  const auto profile = env_or(env, "AWS_PROFILE", "default");
  if (hints.profile.empty() && !file.empty()) {
    r.credentials = read_profile(file, profile, r.error);
    if (r.credentials || !r.error.empty()) return r;
  }
  r.error = fmt::format(
      "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN "
      "for temporary ones) in the environment, or a profile in {} (AWS_PROFILE={})",
      file.empty() ? "~/.aws/credentials" : file, hints.profile.empty() ? profile : hints.profile);
  return r;
}

}  // namespace xd::s3
