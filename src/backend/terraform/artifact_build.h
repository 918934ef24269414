#pragma once
// The build a slot created now would run, read from the artifact itself: the
// SHA-256 of the file at `artifact_path`, as the module computes it
// (filesha256). The edge around artifact_path.h: reads the variable files
// Terraform would read, then hashes the artifact. No Terraform invocation, so
// `status` stays one `output -json`.
#include <optional>
#include <string>

#include "terraform_commands.h"

namespace xd {

struct ArtifactBuild {
  std::optional<std::string> sha256;  // lowercase hex
  std::string why_not;                // when there is none: why (for the log)
};

ArtifactBuild current_artifact_build(const TerraformSettings& settings);

// Lowercase hex SHA-256 of a file's bytes, or nullopt if it cannot be read.
std::optional<std::string> file_sha256(const std::string& path);

}  // namespace xd
