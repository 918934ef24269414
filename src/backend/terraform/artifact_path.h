#pragma once
// Which `artifact_path` Terraform will use, worked out the way Terraform does,
// so `status` can tell a new build without running Terraform: the module's
// `current_build` output is filesha256(var.artifact_path), but Terraform saves
// outputs only on apply, so after a new .deb the saved value is the old one.
// Pure: the edge (artifact_build.cpp) reads the files and hashes the artifact.
#include <optional>
#include <string>
#include <vector>

namespace xd {

// One place a variable can be set, in Terraform's precedence order (lowest
// first): the environment, terraform.tfvars, terraform.tfvars.json,
// *.auto.tfvars(.json) by name, then -var-file and -var in command-line order.
struct VariableSource {
  enum class Kind {
    Literal,  // TF_VAR_artifact_path or -var=artifact_path=VALUE: the value itself
    Hcl,      // a .tfvars file's text
    Json,     // a .tfvars.json file's text
  };
  Kind kind = Kind::Literal;
  std::string origin;  // for messages: "terraform.tfvars", "TF_VAR_artifact_path"
  std::string text;
};

struct ArtifactPath {
  std::optional<std::string> path;  // the winning value; nullopt: set nowhere, or unreadable
  // Non-empty when the winning assignment is not a plain string (an expression, an
  // interpolation, a file that is not JSON): then nobody but Terraform can say.
  std::string unreadable;
};

ArtifactPath resolve_artifact_path(const std::vector<VariableSource>& lowest_first);

// The -var / -var-file arguments among the extra arguments passed to Terraform after `--`,
// in order: -var values become Literal sources (only those for artifact_path), -var-file
// names are returned for the edge to read, marked with kind Hcl/Json and the name as origin.
std::vector<VariableSource> artifact_sources_in_args(const std::vector<std::string>& args);

}  // namespace xd
