#pragma once
// terraform.tfstate in Terraform's version-4 layout, written atomically (tmp + fsync + rename)
// after every resource operation so an interrupted apply leaves truthful partial state.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "address.h"

namespace fake_tf {

struct Instance {
  Address addr;
  std::string provider;  // "registry.terraform.io/hashicorp/aws"
  nlohmann::json attributes = nlohmann::json::object();
  std::vector<std::string> dependencies;
};

// Terraform's `state list` order: module path, data before managed, type, name, key.
std::string state_sort_key(const Address& a);

struct State {
  bool exists = false;  // a state file was found
  std::uint64_t serial = 0;
  std::string lineage;
  std::map<std::string, Instance> instances;          // keyed by state_sort_key
  nlohmann::json outputs = nlohmann::json::object();  // name -> {value, type}

  const Instance* find(const std::string& address) const;
  Instance* find_mutable(const std::string& address);
  void put(Instance inst);
  void erase(const std::string& address);
  bool empty() const { return instances.empty(); }
  std::vector<const Instance*> ordered() const;
};

class StateStore {
 public:
  explicit StateStore(std::filesystem::path workdir);
  State load() const;  // missing file -> empty state; throws std::runtime_error on corrupt file
  // Bumps serial (new lineage on first write), keeps one .backup of the pre-run state.
  void save(State& state);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  bool backed_up_ = false;
};

// The state file's document (format version 4), as written to disk and as `state pull` prints it.
nlohmann::json to_state_file(const State& state);

// Writes `content` to `path` atomically: a crash leaves either the old or the new file.
// `durable` adds the fsyncs; ephemeral files (lock info) skip them to keep calls instant.
void write_file_atomic(const std::filesystem::path& path, const std::string& content,
                       bool durable = true);

}  // namespace fake_tf
