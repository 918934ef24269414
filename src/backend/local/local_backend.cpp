#include "xdeploy/backend/local/local_backend.h"

#include <fmt/format.h>

#include <fstream>
#include <thread>

#include "detached_process.h"
#include "router_control.h"
#include "tcp_port.h"
#include "xdeploy/backend/local/local_state.h"
#include "xdeploy/backend/local/slot_command.h"
#include "xdeploy/core/duration.h"

namespace xd {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

constexpr milliseconds kRouterAnswer{2000};
constexpr milliseconds kRouterStart{5000};

std::string color_name(Color c) {
  return std::string(to_string(c));
}

milliseconds since(Clock::time_point t0) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t0);
}

void record(StepOutcome& out, std::string display, bool ok, Clock::time_point t0) {
  out.commands.push_back(CommandRecord{std::move(display), ok ? 0 : 1, since(t0)});
}

bool fail(StepOutcome& out, ExitCode code, std::string message, std::string hint = {}) {
  out.code = code;
  out.message = std::move(message);
  out.hint = std::move(hint);
  return false;
}

bool router_alive(const RouterRecord& r) {
  return is_alive(r.process) && process_program_name(r.process.pid) == kRouterProgram;
}

bool wait_until_port_free(int port) {
  for (int i = 0; i < 100; ++i) {
    if (port_unavailable_reason("127.0.0.1", port).empty()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

void append_log_line(const std::filesystem::path& log, const std::string& line) {
  std::ofstream out(log, std::ios::app);
  out << "--- xdeploy: " << line << "\n";
}

class LocalBackend final : public Backend {
 public:
  explicit LocalBackend(LocalBackendOptions options) : o_(std::move(options)) {
    o_.state_dir = std::filesystem::absolute(o_.state_dir).lexically_normal();
    dir_ = o_.state_dir / "local";
  }

  std::string name() const override { return "local"; }

  Result<ClusterState> read_state() override {
    Result<ClusterState> result;
    auto loaded = observe();
    if (!loaded.error.empty()) {
      result.code = ExitCode::Failed;
      result.error = loaded.error;
      result.hint = "`xdeploy down --backend local` stops what it finds and resets the local state";
      return result;
    }
    result.value = to_cluster_state(loaded.state);
    return result;
  }

  StepOutcome run(const Step& step, const Deployment& from, bool dry_run) override {
    (void)from;
    StepOutcome out;
    if (auto why = invalid_ports(); !why.empty()) {
      fail(out, ExitCode::Refused, why,
           "use --slot-ports BLUE,GREEN and --public-port with three different ports");
      return out;
    }
    auto loaded = observe();
    if (!loaded.error.empty()) {
      fail(out, ExitCode::Failed, loaded.error,
           "`xdeploy down --backend local` stops what it finds and resets the local state");
      return out;
    }
    LocalState st = loaded.state;
    if (dry_run) {
      check_only(step, st, out);
      return out;
    }
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (!save(out, st)) return out;  // persists processes found again after a crash
    execute(step, st, out);
    return out;
  }

  std::vector<std::string> describe(const Step& step, const Deployment& from) const override {
    (void)from;
    const Color c = step.color;
    const std::string stop =
        fmt::format("stop {} (SIGTERM, SIGKILL after {}ms)", color_name(c), o_.stop_grace.count());
    switch (step.kind) {
      case StepKind::Bootstrap:
        return {start_line(c), fmt::format("start {} on {} -> 127.0.0.1:{} ({})", kRouterProgram,
                                           public_address(), port_of(c), color_name(c))};
      case StepKind::CreateSlot:
        return {start_line(c)};
      case StepKind::ReplaceSlot:
        return {stop, start_line(c)};
      case StepKind::SwitchTraffic: {
        std::string line = fmt::format("switch the router on {} to 127.0.0.1:{} ({})",
                                       public_address(), port_of(c), color_name(c));
        if (o_.swap_gap.count() > 0)
          line += fmt::format(", refusing connections for {}ms", o_.swap_gap.count());
        return {line};
      }
      case StepKind::DestroySlot:
        return {stop};
      case StepKind::HealthGate:
      case StepKind::VerifyActive:
        return {};
    }
    return {};
  }

  StepOutcome stop_everything() {
    StepOutcome out;
    auto loaded = observe();
    LocalState st = loaded.state;  // a corrupt file still lets us stop what the markers find
    if (!loaded.error.empty()) {
      if (auto r = find_process_by_marker(router_marker()))
        st.router = RouterRecord{*r, o_.bind, o_.public_port};
      for (Color c : {Color::Blue, Color::Green})
        if (auto p = find_process_by_marker(slot_marker(c)))
          st.slots[c] = SlotRecord{*p, port_of(c), "", false};
    }
    bool ok = true;
    if (st.router) {
      const auto t0 = Clock::now();
      const bool stopped = stop_process(st.router->process, o_.stop_grace);
      record(out, fmt::format("stop {} (pid {})", kRouterProgram, st.router->process.pid), stopped,
             t0);
      ok = ok && stopped;
    }
    for (const auto& [color, slot] : st.slots) {
      const auto t0 = Clock::now();
      const bool stopped = stop_process(slot.process, o_.stop_grace);
      record(out, fmt::format("stop {} (pid {})", color_name(color), slot.process.pid), stopped,
             t0);
      ok = ok && stopped;
    }
    if (!ok) {
      fail(out, ExitCode::Failed, "some local processes did not stop; the state was kept",
           "check the pids above, then run `xdeploy down --backend local` again");
      return out;
    }
    std::error_code ec;
    for (const char* f : {"state.json", "router.json", "router.sock"})
      std::filesystem::remove(dir_ / f, ec);
    return out;
  }

 private:
  // ---- naming -------------------------------------------------------------
  int port_of(Color c) const { return c == Color::Blue ? o_.blue_port : o_.green_port; }
  std::filesystem::path state_file() const { return dir_ / "state.json"; }
  std::filesystem::path socket_path() const { return dir_ / "router.sock"; }
  std::filesystem::path router_file() const { return dir_ / "router.json"; }
  std::filesystem::path log_of(const std::string& who) const { return dir_ / (who + ".log"); }
  // Environment markers: how our processes are recognised even when no record was written.
  std::string slot_marker(Color c) const {
    return "XDEPLOY_LOCAL_SLOT=" + (dir_ / color_name(c)).string();
  }
  std::string router_marker() const { return "XDEPLOY_LOCAL_ROUTER=" + dir_.string(); }
  std::string public_address() const { return fmt::format("{}:{}", o_.bind, o_.public_port); }
  std::string health_url(const std::string& host, int port) const {
    return fmt::format("{}://{}:{}{}", o_.tls ? "https" : "http", host, port, o_.health_path);
  }
  std::string start_line(Color c) const {
    return fmt::format("start {}: {} (port {}, log {})", color_name(c),
                       quote_command(slot_argv(o_.app_command, o_.exe_dir, c, port_of(c))),
                       port_of(c), log_of(color_name(c)).string());
  }

  std::string invalid_ports() const {
    if (o_.blue_port == o_.green_port || o_.blue_port == o_.public_port ||
        o_.green_port == o_.public_port)
      return fmt::format("ports must differ: blue {}, green {}, public {}", o_.blue_port,
                         o_.green_port, o_.public_port);
    return {};
  }

  // ---- observing ----------------------------------------------------------
  // The record, corrected by what really runs: a slot whose stop began and
  // whose process is gone is dropped; a process started by an xdeploy that was
  // killed before recording it is found again by its environment marker.
  LoadedState observe() const {
    LoadedState loaded = load_local_state(state_file());
    if (!loaded.error.empty()) return loaded;
    LocalState& st = loaded.state;
    for (Color c : {Color::Blue, Color::Green}) {
      auto it = st.slots.find(c);
      if (it != st.slots.end() && is_alive(it->second.process)) continue;
      if (auto found = find_process_by_marker(slot_marker(c))) {
        const int port = it != st.slots.end() ? it->second.port : port_of(c);
        st.slots[c] = SlotRecord{*found, port, "", false};
      } else if (it != st.slots.end() && it->second.stopping) {
        st.slots.erase(it);
      }
    }
    if (!st.router || !router_alive(*st.router)) {
      if (auto found = find_process_by_marker(router_marker()))
        st.router = RouterRecord{*found, o_.bind, o_.public_port};
    }
    return loaded;
  }

  // The port the router forwards to: asked live; if the router is gone, the
  // target it last confirmed in its own file; else what we last recorded.
  std::optional<int> routed_port(const LocalState& st) const {
    if (st.router && router_alive(*st.router)) {
      const auto reply = query_router(socket_path(), kRouterAnswer);
      if (reply.status && reply.status->pid == st.router->process.pid)
        return reply.status->target_port;
    }
    if (auto p = read_router_target_file(router_file())) return p;
    if (st.active) {
      auto it = st.slots.find(*st.active);
      return it != st.slots.end() ? it->second.port : port_of(*st.active);
    }
    return std::nullopt;
  }

  std::optional<Color> color_of_port(const LocalState& st, int port) const {
    for (const auto& [c, slot] : st.slots)
      if (slot.port == port) return c;
    if (port == o_.blue_port) return Color::Blue;
    if (port == o_.green_port) return Color::Green;
    return std::nullopt;
  }

  SlotInfo slot_info(Color c, std::string instance, int port, bool running) const {
    SlotInfo info;  // field by field: SlotInfo grows fields other backends fill
    info.color = c;
    info.instance_name = std::move(instance);
    info.public_ip = "127.0.0.1";
    info.health_url = health_url("127.0.0.1", port);
    info.liveness = running ? SlotLiveness::Running : SlotLiveness::Crashed;
    return info;
  }

  ClusterState to_cluster_state(const LocalState& st) const {
    ClusterState cs;
    for (const auto& [c, slot] : st.slots) {
      cs.slots[c] = slot_info(c, fmt::format("local-{} (pid {})", color_name(c), slot.process.pid),
                              slot.port, is_alive(slot.process));
    }
    // A dead router serves nobody, whatever it last forwarded to: then no
    // color is active, which is what makes `xdeploy <color>` and `promote`
    // start it again instead of answering "nothing to do".
    const bool router_running = st.router && router_alive(*st.router);
    cs.public_endpoint_down = !router_running && !st.slots.empty();
    if (cs.public_endpoint_down) {
      // no active color
    } else if (const auto port = routed_port(st)) {
      cs.deployment.active = color_of_port(st, *port);
    }
    if (cs.deployment.active && !cs.slots.count(*cs.deployment.active)) {
      // The router forwards to a slot we have no process for: say so.
      const Color a = *cs.deployment.active;
      cs.slots[a] =
          slot_info(a, fmt::format("local-{} (not running)", color_name(a)), port_of(a), false);
    }
    for (const auto& [c, slot] : st.slots) {
      if (cs.deployment.active == c) continue;
      if (cs.deployment.inactive) {  // two slots and neither serves: say so, do not guess
        cs.deployment.inactive.reset();
        cs.deployment.detached_pair = true;
        break;
      }
      cs.deployment.inactive = c;
    }
    if (st.router || cs.deployment.active) {
      const int public_port = st.router ? st.router->public_port : o_.public_port;
      const std::string bind = st.router ? st.router->bind : o_.bind;
      cs.static_ip = fmt::format("127.0.0.1:{}", public_port);
      cs.public_health_url = health_url(bind, public_port);
    }
    return cs;
  }

  // ---- acting -------------------------------------------------------------
  bool save(StepOutcome& out, const LocalState& st) const {
    if (auto e = save_local_state(state_file(), st); !e.empty())
      return fail(out, ExitCode::Failed, "cannot write " + state_file().string() + ": " + e);
    return true;
  }

  void execute(const Step& step, LocalState& st, StepOutcome& out) {
    const Color c = step.color;
    switch (step.kind) {
      case StepKind::Bootstrap:
        if (start_slot(c, st, out, true) && ensure_router(port_of(c), st, out))
          set_active(c, st, out);
        return;
      case StepKind::CreateSlot:
        start_slot(c, st, out, false);
        return;
      case StepKind::ReplaceSlot:
        if (stop_slot(c, st, out) && start_slot(c, st, out, false) && st.active == c)
          ensure_router(port_of(c), st, out);
        return;
      case StepKind::SwitchTraffic:
        switch_traffic(c, st, out);
        return;
      case StepKind::DestroySlot:
        stop_slot(c, st, out);
        return;
      case StepKind::HealthGate:
      case StepKind::VerifyActive:
        return;  // run by the app layer
    }
  }

  // Read-only checks for --dry-run: what would block the step.
  void check_only(const Step& step, const LocalState& st, StepOutcome& out) const {
    const bool starts = step.kind == StepKind::Bootstrap || step.kind == StepKind::CreateSlot;
    if (starts && !(st.slots.count(step.color) && is_alive(st.slots.at(step.color).process))) {
      const auto t0 = Clock::now();
      const auto why = port_unavailable_reason("127.0.0.1", port_of(step.color));
      record(out, fmt::format("check 127.0.0.1:{} is free", port_of(step.color)), why.empty(), t0);
      if (!why.empty()) fail(out, ExitCode::Refused, port_busy_message(step.color, why));
    }
  }

  std::string port_busy_message(Color c, const std::string& why) const {
    return fmt::format("port {} for {} is not free on 127.0.0.1: {}", port_of(c), color_name(c),
                       why);
  }

  bool start_slot(Color c, LocalState& st, StepOutcome& out, bool keep_running) {
    const int port = port_of(c);
    if (auto it = st.slots.find(c); it != st.slots.end()) {
      if (keep_running && is_alive(it->second.process)) {
        record(out, fmt::format("{} already runs (pid {})", color_name(c), it->second.process.pid),
               true, Clock::now());
        return true;
      }
      if (is_alive(it->second.process) && !stop_slot(c, st, out)) return false;
      st.slots.erase(c);
    }
    auto t0 = Clock::now();
    if (auto why = port_unavailable_reason("127.0.0.1", port); !why.empty()) {
      record(out, fmt::format("check 127.0.0.1:{} is free", port), false, t0);
      return fail(
          out, ExitCode::Refused, port_busy_message(c, why),
          fmt::format(
              "stop it, or pick other ports with --slot-ports (`ss -ltnp 'sport = {}'` shows it)",
              port));
    }
    const auto argv = slot_argv(o_.app_command, o_.exe_dir, c, port);
    const std::string display = quote_command(argv);
    const auto log = log_of(color_name(c));
    const auto log_start = size_or_zero(log);  // failures quote this run's lines only
    append_log_line(log, "starting " + display);
    t0 = Clock::now();
    const auto spawned = spawn_detached({argv, log, o_.state_dir.parent_path(), {slot_marker(c)}});
    if (!spawned.process) {
      record(out, display, false, t0);
      return fail(
          out, ExitCode::Failed, fmt::format("cannot start {}: {}", color_name(c), spawned.error),
          o_.app_command.empty() ? "build the falcon-xecutor service or pass --app-command" : "");
    }
    const ProcessIdentity pid = *spawned.process;
    st.slots[c] = SlotRecord{pid, port, display, false};
    if (!save(out, st)) return false;
    const bool listening =
        wait_until_listening("127.0.0.1", port, o_.start_timeout, [&] { return is_alive(pid); });
    record(out, fmt::format("{} (pid {})", display, pid.pid), listening, t0);
    if (listening) return true;
    if (!is_alive(pid))
      return fail(out, ExitCode::Failed,
                  fmt::format("{} exited right after starting; last lines of {}: {}", color_name(c),
                              log.string(), tail_of_file(log, 5, log_start)),
                  "fix the app, then `xdeploy ~" + color_name(c) + "`");
    return fail(out, ExitCode::Failed,
                fmt::format("{} (pid {}) does not accept connections on 127.0.0.1:{} after {}; "
                            "last lines of {}: {}",
                            color_name(c), pid.pid, port, duration_literal(o_.start_timeout),
                            log.string(), tail_of_file(log, 5, log_start)),
                "fix the app (or raise --health-timeout), then `xdeploy ~" + color_name(c) + "`");
  }

  bool stop_slot(Color c, LocalState& st, StepOutcome& out) {
    auto it = st.slots.find(c);
    if (it == st.slots.end()) {
      record(out, fmt::format("{} is not running: nothing to stop", color_name(c)), true,
             Clock::now());
      return true;
    }
    it->second.stopping = true;  // if we are killed now, a gone process means a gone slot
    if (!save(out, st)) return false;
    const auto t0 = Clock::now();
    const bool stopped = stop_process(it->second.process, o_.stop_grace);
    record(out, fmt::format("stop {} (pid {})", color_name(c), it->second.process.pid), stopped,
           t0);
    if (!stopped)
      return fail(
          out, ExitCode::Failed,
          fmt::format("{} (pid {}) survived SIGKILL", color_name(c), it->second.process.pid));
    append_log_line(log_of(color_name(c)), "stopped");
    const int port = it->second.port;
    st.slots.erase(it);
    if (!save(out, st)) return false;
    const auto t1 = Clock::now();
    // The kernel may release the listener a moment after the process is gone.
    const bool freed = wait_until_port_free(port);
    record(out, fmt::format("wait for 127.0.0.1:{} to be free", port), freed, t1);
    return true;
  }

  bool set_active(Color c, LocalState& st, StepOutcome& out) {
    st.active = c;
    return save(out, st);
  }

  bool switch_traffic(Color c, LocalState& st, StepOutcome& out) {
    if (!st.slots.count(c))
      return fail(out, ExitCode::Refused,
                  fmt::format("{} has no process to switch to", color_name(c)),
                  fmt::format("`xdeploy ~{}` starts it", color_name(c)));
    const int port = st.slots.at(c).port;
    if (!st.router || !router_alive(*st.router))
      return ensure_router(port, st, out) && set_active(c, st, out);
    const auto t0 = Clock::now();
    const auto reply = switch_router(socket_path(), port, o_.swap_gap);
    const bool ok = reply.status && reply.status->target_port == port;
    record(out,
           fmt::format(
               "switch router {} -> 127.0.0.1:{} ({}){}", public_address(), port, color_name(c),
               o_.swap_gap.count() > 0 ? fmt::format(" with a {}ms gap", o_.swap_gap.count()) : ""),
           ok, t0);
    if (!ok)
      return fail(
          out, ExitCode::Failed, "the router did not confirm the switch: " + reply.error,
          "see " + log_of("router").string() + "; `xdeploy status` shows where traffic goes");
    return set_active(c, st, out);
  }

  // The router up and forwarding to `port`: kept if it runs and answers,
  // replaced if it runs but does not answer, started if absent.
  bool ensure_router(int port, LocalState& st, StepOutcome& out) {
    if (st.router && router_alive(*st.router)) {
      const auto status = query_router(socket_path(), kRouterAnswer).status;
      if (status && status->pid == st.router->process.pid) {
        if (status->target_port == port) return true;
        const auto t0 = Clock::now();
        const auto reply = switch_router(socket_path(), port, 0ms);
        record(out, fmt::format("switch router {} -> 127.0.0.1:{}", public_address(), port),
               reply.status.has_value(), t0);
        return reply.status ? true : fail(out, ExitCode::Failed, "router: " + reply.error);
      }
      const auto t0 = Clock::now();
      const bool stopped = stop_process(st.router->process, o_.stop_grace);
      record(out, fmt::format("stop unresponsive router (pid {})", st.router->process.pid), stopped,
             t0);
      if (!stopped)
        return fail(out, ExitCode::Failed, "the router does not answer and does not stop");
    }
    st.router.reset();
    return start_router(port, st, out);
  }

  bool start_router(int port, LocalState& st, StepOutcome& out) {
    auto t0 = Clock::now();
    if (auto why = port_unavailable_reason(o_.bind, o_.public_port); !why.empty()) {
      record(out, fmt::format("check {} is free", public_address()), false, t0);
      return fail(out, ExitCode::Failed,
                  fmt::format("public port {} is not free ({})", public_address(), why),
                  "stop what listens there, or pick another port with --public-port");
    }
    const std::vector<std::string> argv = {
        find_sibling_program(o_.exe_dir, kRouterProgram, "backend/local"),
        "--bind",
        o_.bind,
        "--port",
        std::to_string(o_.public_port),
        "--target",
        std::to_string(port),
        "--control",
        socket_path().string(),
        "--state-file",
        router_file().string()};
    const auto log = log_of("router");
    const auto log_start = size_or_zero(log);
    const auto spawned = spawn_detached({argv, log, dir_, {router_marker()}});
    if (!spawned.process) {
      record(out, quote_command(argv), false, t0);
      return fail(out, ExitCode::Failed, "cannot start the router: " + spawned.error);
    }
    st.router = RouterRecord{*spawned.process, o_.bind, o_.public_port};
    if (!save(out, st)) return false;
    bool answering = false;
    for (const auto until = Clock::now() + kRouterStart;
         !answering && Clock::now() < until && router_alive(*st.router);
         std::this_thread::sleep_for(20ms)) {
      const auto s = query_router(socket_path(), kRouterAnswer).status;
      answering = s && s->pid == st.router->process.pid && s->target_port == port;
    }
    record(out, fmt::format("{} (pid {})", quote_command(argv), st.router->process.pid), answering,
           t0);
    if (!answering)
      return fail(out, ExitCode::Failed,
                  "the router did not come up; last lines of " + log.string() + ": " +
                      tail_of_file(log, 5, log_start));
    return true;
  }

  LocalBackendOptions o_;
  std::filesystem::path dir_;
};

}  // namespace

std::unique_ptr<Backend> make_local_backend(const LocalBackendOptions& options) {
  return std::make_unique<LocalBackend>(options);
}

StepOutcome stop_everything_local(const LocalBackendOptions& options) {
  return LocalBackend(options).stop_everything();
}

}  // namespace xd
