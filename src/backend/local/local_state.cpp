#include "xdeploy/backend/local/local_state.h"

#include <nlohmann/json.hpp>

#include "xdeploy/fs/atomic_file.h"

namespace xd {
namespace {

using nlohmann::json;

json process_json(const ProcessIdentity& p) {
  return {{"pid", p.pid}, {"start_time", p.start_time}};
}

ProcessIdentity process_from(const json& j) {
  return ProcessIdentity{j.at("pid").get<pid_t>(), j.at("start_time").get<unsigned long long>()};
}

Color color_from(const std::string& text) {
  const auto c = parse_color(text);
  if (!c) throw std::invalid_argument("unknown color \"" + text + "\"");
  return *c;
}

}  // namespace

std::string to_json_text(const LocalState& state) {
  json j = {{"version", 1}, {"slots", json::object()}};
  for (const auto& [color, slot] : state.slots) {
    j["slots"][std::string(to_string(color))] = {{"process", process_json(slot.process)},
                                                 {"port", slot.port},
                                                 {"command", slot.command},
                                                 {"stopping", slot.stopping}};
  }
  if (state.router) {
    j["router"] = {{"process", process_json(state.router->process)},
                   {"bind", state.router->bind},
                   {"public_port", state.router->public_port}};
  }
  if (state.active) j["active"] = std::string(to_string(*state.active));
  return j.dump(2) + "\n";
}

std::optional<LocalState> parse_local_state(const std::string& text, std::string* error) {
  try {
    const json j = json::parse(text);
    if (j.value("version", 0) != 1) throw std::invalid_argument("unsupported version");
    LocalState state;
    for (const auto& [name, slot] : j.at("slots").items()) {
      state.slots[color_from(name)] =
          SlotRecord{process_from(slot.at("process")), slot.at("port").get<int>(),
                     slot.value("command", ""), slot.value("stopping", false)};
    }
    if (j.contains("router")) {
      const auto& r = j.at("router");
      state.router = RouterRecord{process_from(r.at("process")), r.at("bind").get<std::string>(),
                                  r.at("public_port").get<int>()};
    }
    if (j.contains("active")) state.active = color_from(j.at("active").get<std::string>());
    return state;
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return std::nullopt;
  }
}

LoadedState load_local_state(const std::filesystem::path& file) {
  const auto text = read_text_file(file);
  if (!text) return {};
  std::string why;
  auto state = parse_local_state(*text, &why);
  if (!state) return {LocalState{}, file.string() + " is corrupt (" + why + ")"};
  return {*state, ""};
}

std::string save_local_state(const std::filesystem::path& file, const LocalState& state) {
  return write_file_atomically(file, to_json_text(state));
}

}  // namespace xd
