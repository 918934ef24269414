#include "xdeploy/app/backend_factory.h"

#include "xdeploy/backend/local/local_backend.h"
#include "xdeploy/backend/terraform/terraform.h"

namespace xd {

std::unique_ptr<Backend> make_backend(const AppOptions& options, CommandRunner& runner,
                                      Console& console) {
  if (options.backend == BackendKind::Local) return make_local_backend(options.local);
  return make_terraform_backend(
      options.terraform, runner,
      [&console](std::string_view step, std::string_view line, bool is_stderr) {
        console.stream(step, line, is_stderr);
      });
}

}  // namespace xd
