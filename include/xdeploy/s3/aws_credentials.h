#pragma once
// AWS credentials found the way Terraform's S3 backend finds them, for the few
// sources a CI runner or a developer uses: static keys in the backend
// configuration, the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN), and a profile of the shared credentials file
// (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials; the backend's `profile`,
// else AWS_PROFILE, else "default"). SSO, assume_role, credential_process and
// instance metadata are not read: the error says so.
//
// The secret is only ever passed to libcurl; describe() names the source, never
// a key.
#include <functional>
#include <optional>
#include <string>

namespace xd::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials (CI OIDC, SSO exports)
  std::string source;         // "the environment", "profile ci in /home/u/.aws/credentials"
};

// What the backend configuration says about credentials (all optional).
struct CredentialHints {
  std::string access_key;
  std::string secret_key;
  std::string token;
  std::string profile;
  std::string shared_credentials_file;
};

using GetEnv = std::function<std::optional<std::string>(const std::string& name)>;
GetEnv process_env();

struct CredentialsResult {
  std::optional<Credentials> credentials;
  std::string error;  // none found (what was tried), or an unreadable/malformed file
};

// Terraform's order: the backend's static keys; then, when the backend names
// a profile, that profile; then the environment's keys; then the profile
// AWS_PROFILE (or "default") of the shared credentials file.
CredentialsResult find_credentials(const CredentialHints& hints, const GetEnv& env);

}  // namespace xd::s3
