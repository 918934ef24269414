#include "apply_executor.h"

#include <fmt/format.h>

#include <chrono>
#include <set>

#include "config_model.h"
#include "outputs.h"
#include "plan_render.h"
#include "provider_ops.h"
#include "signals.h"

namespace fake_tf {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

void persist(State& state, StateStore& store, const FakeConfig& cfg) {
  state.outputs = json::object();
  const json computed = compute_outputs(state, cfg);
  for (const auto& [name, o] : computed.items())
    state.outputs[name] = {{"value", o["value"]}, {"type", o["type"]}};
  store.save(state);
}

namespace {

struct Node {
  size_t change;
  bool is_delete;
};

// Kahn's algorithm over the apply graph; ties go to deletes, then plan order.
std::vector<Node> apply_order(const std::vector<Change>& changes) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < changes.size(); ++i) index[changes[i].addr.str()] = i;
  std::vector<Node> nodes;
  std::map<std::pair<size_t, bool>, size_t> node_of;
  for (size_t i = 0; i < changes.size(); ++i) {
    Action a = changes[i].action;
    if (a == Action::NoOp) continue;
    if (a == Action::Delete || a == Action::Replace) {
      node_of[{i, true}] = nodes.size();
      nodes.push_back({i, true});
    }
    if (a != Action::Delete) {
      node_of[{i, false}] = nodes.size();
      nodes.push_back({i, false});
    }
  }
  std::vector<std::set<size_t>> after(nodes.size());  // edges u -> v: u before v
  std::vector<int> indegree(nodes.size(), 0);
  auto edge = [&](std::pair<size_t, bool> u, std::pair<size_t, bool> v) {
    auto iu = node_of.find(u), iv = node_of.find(v);
    if (iu == node_of.end() || iv == node_of.end()) return;
    if (after[iu->second].insert(iv->second).second) ++indegree[iv->second];
  };
  for (size_t x = 0; x < changes.size(); ++x) {
    edge({x, true}, {x, false});
    for (const auto& dep : changes[x].dependencies) {
      auto it = index.find(dep);
      if (it == index.end()) continue;
      size_t y = it->second;
      edge({y, false}, {x, false});  // dependencies are created first
      edge({x, true}, {y, true});    // dependents are destroyed first
      if (changes[y].action == Action::Delete) edge({x, false}, {y, true});
    }
  }
  std::vector<Node> order;
  std::set<std::pair<std::pair<bool, size_t>, size_t>> ready;  // ((!delete, change), node)
  for (size_t n = 0; n < nodes.size(); ++n)
    if (indegree[n] == 0) ready.insert({{!nodes[n].is_delete, nodes[n].change}, n});
  while (!ready.empty()) {
    size_t n = ready.begin()->second;
    ready.erase(ready.begin());
    order.push_back(nodes[n]);
    for (size_t v : after[n])
      if (--indegree[v] == 0) ready.insert({{!nodes[v].is_delete, nodes[v].change}, v});
  }
  return order;
}

class Executor {
 public:
  Executor(const ApplyRequest& r, State& s, StateStore& st, const FakeConfig& c, const View& v)
      : req_(r), state_(s), store_(st), cfg_(c), view_(v) {}

  ApplyResult run() {
    bool dirty = false;
    for (const auto& [address, attrs] : req_.refreshed.items()) {
      Instance* inst = state_.find_mutable(address);
      if (!inst) continue;
      inst->attributes = attrs;
      dirty = true;
    }
    for (const Node& node : apply_order(req_.changes)) {
      interrupts::poll();
      if (interrupts::stop_requested()) {
        result_.interrupted = true;
        break;
      }
      const Change& c = req_.changes[node.change];
      if (blocked(c)) continue;
      bool ok = node.is_delete ? destroy(c) : create_or_update(c);
      dirty = true;
      if (!ok) failed_.insert(c.addr.str());
      if (ok && req_.fail_after_first) {
        result_.diagnostics.push_back(
            {"error", "injected failure",
             "FAKE_TF_FAULTS asked this apply to fail after its first resource operation."});
        break;
      }
    }
    if (dirty) persist(state_, store_, cfg_);
    return std::move(result_);
  }

 private:
  bool blocked(const Change& c) {
    if (failed_.count(c.addr.str())) return true;
    for (const auto& d : c.dependencies)
      if (failed_.count(d)) {
        failed_.insert(c.addr.str());
        return true;
      }
    return false;
  }

  void start(const Change& c, Action action, const std::string& verb, const std::string& id) {
    std::string msg =
        fmt::format("{}: {}...{}", c.addr.str(), verb, id.empty() ? "" : " [id=" + id + "]");
    view_.out(msg + "\n");
    json hook{{"resource", hook_resource_json(c.addr)}, {"action", hook_action(action)}};
    if (!id.empty()) hook["id_key"] = "id", hook["id_value"] = id;
    view_.message("info", msg, "apply_start", {{"hook", hook}});
  }

  void complete(const Change& c, Action action, const std::string& text, const std::string& id,
                Clock::time_point began) {
    long secs = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - began).count();
    std::string msg = fmt::format("{}: {} after {}s{}", c.addr.str(), text, secs,
                                  id.empty() ? "" : " [id=" + id + "]");
    view_.out(msg + "\n");
    json hook{{"resource", hook_resource_json(c.addr)},
              {"action", hook_action(action)},
              {"elapsed_seconds", secs}};
    if (!id.empty()) hook["id_key"] = "id", hook["id_value"] = id;
    view_.message("info", msg, "apply_complete", {{"hook", hook}});
  }

  // The "cloud" operation: apply_delay_ms, with progress every 10 s. The first interrupt lets it
  // finish; the second throws OperationCanceled out of sleep_for.
  void wait_operation(const Change& c, const std::string& still, Clock::time_point began) {
    auto remaining = std::chrono::milliseconds(cfg_.apply_delay_ms);
    while (remaining.count() > 0) {
      auto step = std::min(remaining, std::chrono::milliseconds(10000));
      interrupts::sleep_for(step, false);
      remaining -= step;
      if (remaining.count() > 0) {
        long secs = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - began).count();
        std::string msg = fmt::format("{}: Still {}... [{:02d}m{:02d}s elapsed]", c.addr.str(),
                                      still, secs / 60, secs % 60);
        view_.out(msg + "\n");
        view_.message(
            "info", msg, "apply_progress",
            {{"hook", {{"resource", hook_resource_json(c.addr)}, {"elapsed_seconds", secs}}}});
      }
    }
  }

  bool destroy(const Change& c) {
    const Instance* inst = state_.find(c.addr.str());
    std::string id = inst ? resource_id(inst->attributes) : "";
    auto began = Clock::now();
    start(c, Action::Delete, "Destroying", id);
    wait_operation(c, "destroying", began);
    state_.erase(c.addr.str());
    persist(state_, store_, cfg_);
    complete(c, Action::Delete, "Destruction complete", "", began);
    ++result_.done.destroy;
    return true;
  }

  bool create_or_update(const Change& c) {
    json after = c.after.is_null() ? json::object() : c.after;
    for (const auto& [attr, ref] : c.pending_refs) {
      const Instance* source = state_.find(ref.address);
      after[attr] = source ? source->attributes.value(ref.attribute, json()) : json();
    }
    if (c.addr.str() == addr::kHealthy) {
      // Re-checked now that every value is known (the active instance may have just been
      // created: it does not hold the static IP yet).
      const Instance* active = state_.find(addr::slot_instance(req_.model.active));
      const bool holds = active && holds_static_ip(active->attributes);
      if (auto diag = check_attestation(req_.model, holds)) {
        result_.diagnostics.push_back(*diag);
        return false;
      }
    }
    bool update = c.action == Action::Update;
    const Instance* prior = state_.find(c.addr.str());
    std::string prior_id = update && prior ? resource_id(prior->attributes) : "";
    auto began = Clock::now();
    start(c, update ? Action::Update : Action::Create, update ? "Modifying" : "Creating", prior_id);
    wait_operation(c, update ? "modifying" : "creating", began);
    json attrs = provider_apply(c, after, state_, cfg_);
    state_.put({c.addr, c.provider, attrs, c.dependencies});
    persist(state_, store_, cfg_);
    complete(c, update ? Action::Update : Action::Create,
             update ? "Modifications complete" : "Creation complete", resource_id(attrs), began);
    update ? ++result_.done.change : ++result_.done.add;
    return true;
  }

  const ApplyRequest& req_;
  State& state_;
  StateStore& store_;
  const FakeConfig& cfg_;
  const View& view_;
  std::set<std::string> failed_;
  ApplyResult result_;
};

}  // namespace

ApplyResult execute_apply(const ApplyRequest& request, State& state, StateStore& store,
                          const FakeConfig& cfg, const View& view) {
  return Executor(request, state, store, cfg, view).run();
}

}  // namespace fake_tf
