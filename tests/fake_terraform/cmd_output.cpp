// `terraform output [-json] [-raw] [NAME]` (facts §1.7); works without init, reading state.
#include <fmt/format.h>

#include "command_context.h"
#include "outputs.h"
#include "planted_secret.h"
#include "state_store.h"

namespace fake_tf {

using nlohmann::json;

int run_output(CommandContext& ctx) {
  bool as_json = false, raw = false, no_color = false;
  std::string state_path;
  FlagSet f;
  f.boolean("json", &as_json);
  f.boolean("raw", &raw);
  f.boolean("no-color", &no_color);
  f.string("state", &state_path);
  int code = 0;
  auto rest = parse_flags(ctx, f, code);
  if (!rest) return code;
  View& v = ctx.view;
  v.set_json(false);
  if (rest->size() > 1) {
    v.error("Unexpected argument",
            "The output command expects exactly one argument with the name of an output variable "
            "or no arguments to show all outputs.");
    return 1;
  }
  if (as_json && raw) {
    v.error("Invalid output format", "The -raw and -json options are mutually-exclusive.");
    return 1;
  }
  if (raw && rest->empty()) {
    v.error("Output name required",
            "You must give the name of a single output value when using the -raw option.");
    return 1;
  }
  std::optional<State> loaded = load_state_or_report(ctx);
  if (!loaded) return 1;
  State& state = *loaded;
  json outputs = json::object();
  for (const auto& [name, o] : state.outputs.items())
    outputs[name] = {
        {"sensitive", o.value("sensitive", false)}, {"type", o["type"]}, {"value", o["value"]}};
  if (rest->empty()) {
    if (as_json) {
      plant_in_outputs(outputs);
      v.out(outputs.dump(2) + "\n");
      return 0;
    }
    if (outputs.empty()) {
      v.warning("No outputs found",
                "The state file either has no outputs defined, or all the defined outputs are "
                "empty. Please define an output in your configuration with the `output` keyword "
                "and run `terraform refresh` for it to become available. If you are using "
                "interpolation, please verify the interpolated value is not empty. You can use "
                "the `terraform console` command to assist.");
      return 0;
    }
    for (const auto& [name, o] : outputs.items())
      v.out(fmt::format("{} = {}\n", name, render_value(o["value"])));
    return 0;
  }
  const std::string& name = (*rest)[0];
  if (!outputs.contains(name)) {
    v.error(fmt::format("Output \"{}\" not found", name),
            "The output variable requested could not be found in the state file. If you "
            "recently added this to your configuration, be sure to run `terraform apply`, since "
            "the state won't be updated with new output variables until that command is run.");
    return 1;
  }
  const json& value = outputs[name]["value"];
  if (as_json) {
    v.out(value.dump() + "\n");
  } else if (raw) {
    if (value.is_object() || value.is_array() || value.is_null()) {
      v.error("Unsupported value for raw output",
              fmt::format("The -raw option only supports strings, numbers, and boolean values, "
                          "but output value \"{}\" is {}.\n\nUse the -json option for "
                          "machine-readable representations of output values that have complex "
                          "types.",
                          name, value.is_null() ? "null" : "object"));
      return 1;
    }
    v.out(value.is_string() ? value.get<std::string>() : value.dump());
  } else {
    v.out(render_value(value) + "\n");
  }
  return 0;
}

}  // namespace fake_tf
