#pragma once
// What the local backend remembers between runs: which slot processes and
// which router it started (pid + kernel start time, so a reused pid is never
// mistaken for ours), their ports, and the color last switched to. It is a
// record, not the truth: liveness always comes from the processes themselves
// and the active color from the router. Stored as JSON, written atomically.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "xdeploy/backend/local/process_identity.h"
#include "xdeploy/core/color.h"

namespace xd {

struct SlotRecord {
  ProcessIdentity process;
  int port = 0;
  std::string command;    // the argv, shell-quoted, for status and logs
  bool stopping = false;  // a stop began: once the process is gone the slot is gone

  friend bool operator==(const SlotRecord&, const SlotRecord&) = default;
};

struct RouterRecord {
  ProcessIdentity process;
  std::string bind;
  int public_port = 0;

  friend bool operator==(const RouterRecord&, const RouterRecord&) = default;
};

struct LocalState {
  std::map<Color, SlotRecord> slots;
  std::optional<RouterRecord> router;
  std::optional<Color> active;  // the color last confirmed by the router

  friend bool operator==(const LocalState&, const LocalState&) = default;
};

std::string to_json_text(const LocalState& state);
// Returns nullopt and sets `error` for malformed content.
std::optional<LocalState> parse_local_state(const std::string& text, std::string* error);

// A missing file is an empty state; a corrupt one is an error (never guessed).
struct LoadedState {
  LocalState state;
  std::string error;
};
LoadedState load_local_state(const std::filesystem::path& file);
std::string save_local_state(const std::filesystem::path& file, const LocalState& state);

}  // namespace xd
