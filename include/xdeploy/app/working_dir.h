#pragma once
// The working dir (-C/--chdir) is checked before anything is created in it:
// a typo must not leave a new directory behind or run `terraform init` there.
#include <string>

#include "xdeploy/app/app_options.h"

namespace xd {

// "" when the working dir is usable by the chosen backend; else a message
// naming the path. The Terraform backend needs an existing root module (at
// least one *.tf file); the local backend keeps only .xdeploy/ there.
std::string working_dir_problem(const AppOptions& options);

}  // namespace xd
