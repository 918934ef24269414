#pragma once
// Picks the backend the options ask for. The only place that knows both, so it
// owns the backend-specific options (backend_options.h): it derives what they
// take from the rest of the options and turns them into each backend's own
// settings. Nothing above it includes a backend's private headers.
#include <memory>
#include <string>

#include "xdeploy/app/app_options.h"
#include "xdeploy/app/console.h"
#include "xdeploy/backend/backend.h"
#include "xdeploy/process/subprocess.h"

namespace xd {

// Fills in the backend options that derive from the others (the working dir,
// colour, a local slot's start timeout, the --tls slot command). Returns a
// usage error, or "" when the options can make a backend.
std::string finish_backend_options(AppOptions& options);

std::unique_ptr<Backend> make_backend(const AppOptions& options, CommandRunner& runner,
                                      Console& console);

// `xdeploy down`: stops the local backend's router and every slot, and removes its state.
StepOutcome stop_local_backend(const AppOptions& options);

}  // namespace xd
