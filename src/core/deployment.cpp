#include "xdeploy/core/deployment.h"

#include <fmt/format.h>

#include <vector>

namespace xd {

std::string Deployment::to_deploy_var() const {
  if (inactive && active) return fmt::format("{},{}", to_string(*inactive), to_string(*active));
  if (active) return std::string(to_string(*active));
  if (inactive) return std::string(to_string(*inactive));
  return "";
}

std::string Deployment::describe() const {
  if (detached_pair) return "blue and green deployed, the static IP attached to neither";
  if (empty()) return "nothing deployed";
  std::string text;
  if (active) text = fmt::format("{} active", to_string(*active));
  if (inactive) {
    if (!text.empty()) text += ", ";
    text += fmt::format("{} inactive", to_string(*inactive));
  }
  return text;
}

namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

std::vector<std::string_view> split_items(std::string_view text) {
  std::vector<std::string_view> items;
  size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto end = comma == std::string_view::npos ? text.size() : comma;
    if (auto item = trim(text.substr(start, end - start)); !item.empty()) items.push_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return items;
}

}  // namespace

std::optional<Deployment> parse_deploy_var(std::string_view text, DeployVarError* error) {
  auto fail = [&](std::string reason) -> std::optional<Deployment> {
    if (error) error->reason = std::move(reason);
    return std::nullopt;
  };
  const auto items = split_items(text);
  if (items.size() > 2) return fail(fmt::format("deploy \"{}\" names more than two slots", text));
  std::vector<Color> colors;
  for (auto item : items) {
    auto c = parse_color(item);
    if (!c) return fail(fmt::format("deploy \"{}\" has unknown color \"{}\"", text, item));
    colors.push_back(*c);
  }
  if (colors.size() == 2 && colors[0] == colors[1])
    return fail(fmt::format("deploy \"{}\" names {} twice", text, to_string(colors[0])));
  Deployment d;
  if (!colors.empty()) d.active = colors.back();
  if (colors.size() == 2) d.inactive = colors.front();
  return d;
}

}  // namespace xd
