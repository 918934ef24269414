#pragma once
// Root-module input variables: which names the *.tf files declare (regex, not HCL), and the
// values gathered from TF_VAR_*, tfvars files and -var/-var-file in Terraform's precedence (§1.4).
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "view.h"

namespace fake_tf {

struct VariableDecl {
  bool complex_type = false;  // list/set/map/object/tuple/any: value parsed, not literal
  bool has_default = false;
  std::optional<std::string> default_;  // only simple quoted string defaults are understood
};
using Declarations = std::map<std::string, VariableDecl>;

bool has_configuration(const std::filesystem::path& workdir);
Declarations scan_declarations(const std::filesystem::path& workdir);

// Names matching key/secret/passphrase/token: their values are never printed or logged.
bool is_secret_variable(const std::string& name);

struct VariableValues {
  std::map<std::string, std::string> values;  // raw text, as given
  std::vector<Diagnostic> diagnostics;        // errors and warnings, in order
  bool has_errors() const;
};

// `cli` holds ("var", "k=v") and ("var-file", path) in command-line order.
VariableValues collect_variables(const std::filesystem::path& workdir, const Declarations& decls,
                                 const std::vector<std::pair<std::string, std::string>>& cli);

}  // namespace fake_tf
