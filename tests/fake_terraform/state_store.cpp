#include "state_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "clock_ids.h"

namespace fake_tf {

namespace fs = std::filesystem;
using nlohmann::json;

std::string state_sort_key(const Address& a) {
  return fmt::format("{}\x01{}\x01{}\x01{}\x01{}", a.module_string(), a.mode == "data" ? 0 : 1,
                     a.type, a.name, a.key.value_or(""));
}

const Instance* State::find(const std::string& address) const {
  auto parsed = parse_address(address);
  if (!parsed) return nullptr;
  auto it = instances.find(state_sort_key(*parsed));
  return it == instances.end() ? nullptr : &it->second;
}
Instance* State::find_mutable(const std::string& address) {
  return const_cast<Instance*>(static_cast<const State*>(this)->find(address));
}
void State::put(Instance inst) {
  auto key = state_sort_key(inst.addr);
  instances[key] = std::move(inst);
}
void State::erase(const std::string& address) {
  if (auto parsed = parse_address(address)) instances.erase(state_sort_key(*parsed));
}
std::vector<const Instance*> State::ordered() const {
  std::vector<const Instance*> out;
  for (const auto& [k, v] : instances) out.push_back(&v);
  return out;
}

void write_file_atomic(const fs::path& path, const std::string& content, bool durable) {
  fs::path tmp = path;
  tmp += fmt::format(".tmp-{}", ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot write {}", tmp.string()));
  const char* p = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error(fmt::format("short write to {}", tmp.string()));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (durable) ::fsync(fd);
  ::close(fd);
  fs::rename(tmp, path);
  if (!durable) return;
  int dir = ::open(path.parent_path().empty() ? "." : path.parent_path().c_str(),
                   O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

json to_state_file(const State& s) {
  json resources = json::array();
  for (const Instance* inst : s.ordered()) {
    json instance{{"schema_version", 0},
                  {"attributes", inst->attributes},
                  {"sensitive_attributes", json::array()}};
    if (inst->addr.key) instance["index_key"] = json::parse(*inst->addr.key);
    if (!inst->dependencies.empty()) instance["dependencies"] = inst->dependencies;
    json r{{"mode", inst->addr.mode},
           {"type", inst->addr.type},
           {"name", inst->addr.name},
           {"provider", fmt::format("provider[\"{}\"]", inst->provider)},
           {"instances", json::array({instance})}};
    if (!inst->addr.modules.empty()) r["module"] = inst->addr.module_string();
    resources.push_back(r);
  }
  return {{"version", 4},
          {"terraform_version", kTerraformVersion},
          {"serial", s.serial},
          {"lineage", s.lineage},
          {"outputs", s.outputs},
          {"resources", resources},
          {"check_results", nullptr}};
}

namespace {
State from_v4(const json& j) {
  State s;
  s.exists = true;
  s.serial = j.value("serial", 0ULL);
  s.lineage = j.value("lineage", "");
  s.outputs = j.value("outputs", json::object());
  for (const auto& r : j.value("resources", json::array())) {
    std::string base = r.value("module", "");
    std::string provider = r.value("provider", "");
    if (auto q = provider.find('"'); q != std::string::npos)
      provider = provider.substr(q + 1, provider.rfind('"') - q - 1);
    for (const auto& i : r.at("instances")) {
      std::string addr = base.empty() ? "" : base + ".";
      if (r.at("mode") == "data") addr += "data.";
      addr += r.at("type").get<std::string>() + "." + r.at("name").get<std::string>();
      if (i.contains("index_key")) addr += "[" + i.at("index_key").dump() + "]";
      auto parsed = parse_address(addr);
      if (!parsed) throw std::runtime_error("unparseable address in state: " + addr);
      s.put({*parsed, provider, i.value("attributes", json::object()),
             i.value("dependencies", std::vector<std::string>{})});
    }
  }
  return s;
}
}  // namespace

StateStore::StateStore(fs::path workdir) : path_(std::move(workdir) / "terraform.tfstate") {}

State StateStore::load() const {
  std::ifstream in(path_);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().find_first_not_of(" \t\r\n") == std::string::npos) return {};
  try {
    return from_v4(json::parse(ss.str()));
  } catch (const json::exception& e) {
    throw std::runtime_error(fmt::format("Failed to load state: {}", e.what()));
  }
}

void StateStore::save(State& state) {
  if (!backed_up_) {
    backed_up_ = true;
    std::ifstream in(path_);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      write_file_atomic(fs::path(path_) += ".backup", ss.str());
    }
  }
  if (state.lineage.empty()) state.lineage = random_uuid();
  state.serial += 1;
  state.exists = true;
  write_file_atomic(path_, to_state_file(state).dump(2) + "\n");
}

}  // namespace fake_tf
