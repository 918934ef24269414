#include "xdeploy/remote/state_bucket.h"

#include <fmt/format.h>

namespace xd {
namespace {

constexpr const char* kNs = "http://s3.amazonaws.com/doc/2006-03-01/";

std::string versioning_xml() {
  return fmt::format(
      "<VersioningConfiguration xmlns=\"{}\"><Status>Enabled</Status></VersioningConfiguration>",
      kNs);
}

std::string encryption_xml() {
  return fmt::format(
      "<ServerSideEncryptionConfiguration xmlns=\"{}\"><Rule><ApplyServerSideEncryptionByDefault>"
      "<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>"
      "</Rule></ServerSideEncryptionConfiguration>",
      kNs);
}

std::string public_block_xml() {
  return fmt::format(
      "<PublicAccessBlockConfiguration xmlns=\"{}\"><BlockPublicAcls>true</BlockPublicAcls>"
      "<IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy>"
      "<RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>",
      kNs);
}

bool all_blocked(const std::string& xml) {
  for (const char* flag :
       {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"})
    if (s3::xml_value(xml, std::string("PublicAccessBlockConfiguration/") + flag) != "true")
      return false;
  return true;
}

// An existing bucket: say what it lacks, change nothing.
void inspect_existing(const s3::Client& client, BootstrapReport& report) {
  const auto& name = client.bucket().name;
  const auto versioning = client.get_bucket_config("versioning");
  if (!versioning.ok()) {
    report.error = versioning.error;
    return;
  }
  if (s3::xml_value(versioning.body, "VersioningConfiguration/Status") != "Enabled")
    report.advice.push_back(fmt::format(
        "versioning is off (a bad apply or a mistaken delete of the state cannot be undone): "
        "aws s3api put-bucket-versioning --bucket {} --versioning-configuration Status=Enabled",
        name));
  const auto block = client.get_bucket_config("publicAccessBlock");
  if (block.outcome == s3::Outcome::NotFound || (block.ok() && !all_blocked(block.body)))
    report.advice.push_back(fmt::format(
        "public access is not blocked (the state holds secrets): aws s3api put-public-access-block "
        "--bucket {} --public-access-block-configuration "
        "BlockPublicAcls=true,IgnorePublicAcls=true,"
        "BlockPublicPolicy=true,RestrictPublicBuckets=true",
        name));
  else if (!block.ok())
    report.error = block.error;
}

}  // namespace

std::string backend_tf(const BackendSettings& s) {
  return fmt::format(
      R"(# Written by `xdeploy init --backend s3`. The state lives in S3, so every machine
# (CI runners, laptops) shares one state; xdeploy keeps its deploy lock and its
# history next to it ({key}.xdeploy/). Credentials come from the environment
# (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN or AWS_PROFILE), never from here.
terraform {{
  backend "s3" {{
    bucket       = "{bucket}"
    key          = "{key}"
    region       = "{region}"
    encrypt      = true
    use_lockfile = true # Terraform's own S3 lock file (Terraform >= 1.10)
  }}
}}
)",
      fmt::arg("bucket", s.bucket), fmt::arg("key", s.key), fmt::arg("region", s.region));
}

std::string check_backend_settings(const BackendSettings& s) {
  const auto& b = s.bucket;
  const bool name_ok =
      b.size() >= 3 && b.size() <= 63 && std::isalnum(static_cast<unsigned char>(b.front())) &&
      std::isalnum(static_cast<unsigned char>(b.back())) &&
      b.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") == std::string::npos &&
      b.find("..") == std::string::npos;
  if (!name_ok)
    return fmt::format(
        "--bucket '{}' is not an S3 bucket name (3-63 characters: a-z, 0-9, '.' "
        "and '-', starting and ending with a letter or digit)",
        b);
  if (s.key.empty() || s.key.front() == '/' || s.key.back() == '/' ||
      s.key.find('"') != std::string::npos || s.key.find('\\') != std::string::npos)
    return fmt::format("--key '{}' is not a state key (e.g. falcon-xecutor/terraform.tfstate)",
                       s.key);
  if (s.region.empty() ||
      s.region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
    return fmt::format("--region '{}' is not an AWS region (e.g. us-east-1)", s.region);
  return "";
}

BootstrapReport bootstrap_state_bucket(const s3::Client& client) {
  BootstrapReport report;
  const auto& name = client.bucket().name;
  const auto head = client.head_bucket();
  if (head.ok()) {
    inspect_existing(client, report);
    return report;
  }
  if (head.outcome != s3::Outcome::NotFound) {
    report.error = head.http_status == 403
                       ? fmt::format(
                             "the bucket {} exists but these credentials may not use it "
                             "(HTTP 403: another account's, or no s3:ListBucket)",
                             name)
                       : head.error;
    return report;
  }
  const auto created = client.create_bucket();
  if (!created.ok()) {
    report.error = created.error;
    return report;
  }
  report.created = true;
  report.done.push_back(fmt::format("created the bucket {} in {}", name, client.bucket().region));
  const std::pair<const char*, std::string> settings[] = {{"publicAccessBlock", public_block_xml()},
                                                          {"versioning", versioning_xml()},
                                                          {"encryption", encryption_xml()}};
  const char* said[] = {"blocked every public access", "turned versioning on",
                        "made SSE-S3 (AES256) its default encryption"};
  for (size_t i = 0; i < std::size(settings); ++i) {
    const auto a = client.put_bucket_config(settings[i].first, settings[i].second);
    if (!a.ok()) {
      report.error = a.error;
      return report;
    }
    report.done.push_back(said[i]);
  }
  return report;
}

std::optional<bool> remote_state_exists(const s3::Client& client, const std::string& key,
                                        std::string& error) {
  const auto a = client.head(key);
  if (a.ok()) return true;
  if (a.outcome == s3::Outcome::NotFound) return false;
  error = a.error;
  return std::nullopt;
}

}  // namespace xd
