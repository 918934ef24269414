#pragma once
// Picks the backend the options ask for. The only place that knows both.
#include <memory>

#include "xdeploy/app/app_options.h"
#include "xdeploy/app/console.h"
#include "xdeploy/backend/backend.h"
#include "xdeploy/process/subprocess.h"

namespace xd {

std::unique_ptr<Backend> make_backend(const AppOptions& options, CommandRunner& runner,
                                      Console& console);

}  // namespace xd
