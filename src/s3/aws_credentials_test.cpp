#include "xdeploy/s3/aws_credentials.h"

#include <fstream>
#include <map>

#include <catch2/catch.hpp>

#include "support/scoped_temp_dir.h"

using xd::testing::ScopedTempDir;

namespace xd::s3 {
namespace {

GetEnv env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("the environment's keys are found, with the session token") {
  const auto r = find_credentials({}, env_of({{"AWS_ACCESS_KEY_ID", "AKIAENV"},
                                              {"AWS_SECRET_ACCESS_KEY", "env-secret"},
                                              {"AWS_SESSION_TOKEN", "tok"},
                                              {"HOME", "/nonexistent"}}));
  REQUIRE(r.credentials);
  CHECK(r.credentials->access_key_id == "AKIAENV");
  CHECK(r.credentials->secret_access_key == "env-secret");
  CHECK(r.credentials->session_token == "tok");
  CHECK(r.credentials->source == "the environment");
}

TEST_CASE("static keys in the backend configuration come first, as in Terraform") {
  CredentialHints hints;
  hints.access_key = "AKIACFG";
  hints.secret_key = "cfg-secret";
  const auto r = find_credentials(
      hints, env_of({{"AWS_ACCESS_KEY_ID", "AKIAENV"}, {"AWS_SECRET_ACCESS_KEY", "s"}}));
  REQUIRE(r.credentials);
  CHECK(r.credentials->access_key_id == "AKIACFG");
}

TEST_CASE("a profile of the shared credentials file: AWS_PROFILE, or the backend's profile") {
  ScopedTempDir dir;
  const auto file = (dir / "credentials").string();
  // A plain write: s3 sits below fs in the layers (scripts/check_layers.py).
  std::ofstream(file) << "# team\n[default]\naws_access_key_id = AKIADEF\n"
                         "aws_secret_access_key = def-secret\n\n[ci]\n"
                         "aws_access_key_id=AKIACI\naws_secret_access_key=ci-secret\n"
                         "aws_session_token = ci-token\n[sso]\nsso_start_url = x\n";
  REQUIRE(std::filesystem::file_size(file) > 0);
  auto r = find_credentials({}, env_of({{"AWS_SHARED_CREDENTIALS_FILE", file}}));
  REQUIRE(r.credentials);
  CHECK(r.credentials->access_key_id == "AKIADEF");
  CHECK(r.credentials->source == "profile default in " + file);

  r = find_credentials({}, env_of({{"AWS_SHARED_CREDENTIALS_FILE", file}, {"AWS_PROFILE", "ci"}}));
  REQUIRE(r.credentials);
  CHECK(r.credentials->session_token == "ci-token");

  // The backend's own profile beats the environment's keys.
  CredentialHints hints;
  hints.profile = "ci";
  hints.shared_credentials_file = file;
  r = find_credentials(hints,
                       env_of({{"AWS_ACCESS_KEY_ID", "AKIAENV"}, {"AWS_SECRET_ACCESS_KEY", "s"}}));
  REQUIRE(r.credentials);
  CHECK(r.credentials->access_key_id == "AKIACI");

  // A profile without keys (SSO): a clear error, not a fall-through.
  r = find_credentials({}, env_of({{"AWS_SHARED_CREDENTIALS_FILE", file}, {"AWS_PROFILE", "sso"}}));
  CHECK_FALSE(r.credentials);
  CHECK_THAT(r.error, Catch::Contains("profile sso in " + file + " has no aws_access_key_id"));
  CHECK_THAT(r.error, Catch::Contains("export-credentials"));
}

TEST_CASE("no credentials anywhere: the error says where they were looked for, no secret") {
  const auto r = find_credentials({}, env_of({{"HOME", "/nonexistent"},
                                              {"AWS_PROFILE", "ci"},
                                              {"AWS_SECRET_ACCESS_KEY", "half-a-pair"}}));
  CHECK_FALSE(r.credentials);
  CHECK_THAT(r.error, Catch::StartsWith("no AWS credentials: set AWS_ACCESS_KEY_ID"));
  CHECK_THAT(r.error, Catch::Contains("/nonexistent/.aws/credentials (AWS_PROFILE=ci)"));
  CHECK_THAT(r.error, !Catch::Contains("half-a-pair"));
}

}  // namespace xd::s3
