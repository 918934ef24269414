// plan, apply and destroy: one operation pipeline (flags, config, variables, lock, state, plan,
// approval, apply), as Terraform's local backend runs them.
#include <fmt/format.h>

#include <cstdlib>

#include "apply_executor.h"
#include "command_context.h"
#include "config_model.h"
#include "fake_config.h"
#include "outputs.h"
#include "plan_file.h"
#include "plan_render.h"
#include "planted_secret.h"
#include "provider_ops.h"
#include "signals.h"
#include "state_lock.h"
#include "state_store.h"
#include "variables.h"

namespace fake_tf {

using nlohmann::json;

namespace {

enum class Kind { Plan, Apply, Destroy };

struct OperationArgs {
  bool input = true, auto_approve = false, lock = true, refresh = true, refresh_only = false;
  bool destroy = false, detailed_exitcode = false, json = false;
  int parallelism = 10;
  std::string out;
  std::chrono::milliseconds lock_timeout{0};
  std::vector<std::pair<std::string, std::string>> vars;
  std::vector<std::string> targets, replace;
};

const char* kTargetPlanWarning =
    "You are creating a plan with the -target option, which means that the result of this plan "
    "may not represent all of the changes requested by the current configuration.\n\nThe -target "
    "option is not for routine use, and is provided only for exceptional situations such as "
    "recovering from errors or mistakes, or when Terraform specifically suggests to use it as "
    "part of an error message.";
const char* kTargetApplyWarning =
    "The plan was created with the -target option in effect, so some changes requested in the "
    "configuration may have been ignored and the output values may not be fully updated. Run "
    "the following command to verify that no other changes are pending:\n    terraform plan\n\n"
    "Note that the -target option is not suitable for routine use, and is provided only for "
    "exceptional situations such as recovering from errors or mistakes, or when Terraform "
    "specifically suggests to use it as part of an error message.";

bool input_enabled(const OperationArgs& a) {
  if (!a.input || a.json) return false;
  const char* env = std::getenv("TF_INPUT");
  if (env && *env) {
    if (auto b = parse_go_bool(env)) return *b;
  }
  return true;
}

class Operation {
 public:
  Operation(CommandContext& ctx, Kind kind) : ctx_(ctx), view_(ctx.view), kind_(kind) {}

  int run() {
    FlagSet f = flags();
    int code = 0;
    auto rest = parse_flags(ctx_, f, code);
    if (!rest) return code;
    view_.set_json(a_.json);
    interrupts::set_view(&view_);
    if (a_.json) view_.version_line();
    if (kind_ == Kind::Destroy) a_.destroy = true;
    if (!validate_arguments(*rest)) return 1;
    if (!plan_path_.empty()) return apply_saved_plan();
    return plan_and_maybe_apply();
  }

 private:
  FlagSet flags() {
    FlagSet f;
    f.boolean("input", &a_.input);
    f.boolean("lock", &a_.lock);
    f.duration("lock-timeout", &a_.lock_timeout);
    f.boolean("refresh", &a_.refresh);
    f.boolean("refresh-only", &a_.refresh_only);
    f.ordered("var", &a_.vars);
    f.ordered("var-file", &a_.vars);
    f.repeated("target", &a_.targets);
    f.repeated("replace", &a_.replace);
    f.integer("parallelism", &a_.parallelism);
    f.boolean("json", &a_.json);
    if (kind_ != Kind::Destroy) f.boolean("destroy", &a_.destroy);
    if (kind_ == Kind::Plan) {
      f.string("out", &a_.out);
      f.boolean("detailed-exitcode", &a_.detailed_exitcode);
    } else {
      f.boolean("auto-approve", &a_.auto_approve);
    }
    return f;
  }

  bool fail(const std::string& summary, const std::string& detail = {}) {
    view_.error(summary, detail);
    return false;
  }

  bool validate_arguments(const std::vector<std::string>& rest) {
    if (kind_ == Kind::Plan && !rest.empty())
      return fail("Too many command line arguments",
                  "To specify a working directory for the plan, use the global -chdir flag.");
    if (rest.size() > 1)
      return fail("Too many command line arguments", "Expected at most one positional argument.");
    if (!rest.empty()) plan_path_ = rest[0];
    if (kind_ == Kind::Destroy && !plan_path_.empty())
      return fail("Destroy can't be called with a plan file.");
    if (a_.refresh_only && !a_.refresh)
      return fail("Incompatible refresh options",
                  "It doesn't make sense to use -refresh-only at the same time as -refresh=false, "
                  "because Terraform would have nothing to do.");
    for (const auto& t : a_.targets) {
      auto parsed = parse_address(t);
      if (!parsed)
        return fail(fmt::format("Invalid target \"{}\"", t),
                    "A resource address or module address is required here.");
      targets_.push_back(*parsed);
    }
    for (const auto& r : a_.replace) {
      auto parsed = parse_address(r);
      if (!parsed || !parsed->is_resource() || parsed->mode != "managed")
        return fail(fmt::format("Invalid force-replace address \"{}\"", r),
                    "This argument must be a managed resource instance address.");
      replace_.insert(parsed->str());
    }
    if (kind_ != Kind::Plan && a_.json && !a_.auto_approve && plan_path_.empty())
      return fail("Plan file or auto-approve required",
                  "Terraform cannot ask for interactive approval when -json is set. You can either "
                  "apply a saved plan file, or enable the -auto-approve option.");
    if (!plan_path_.empty() && !a_.vars.empty())
      return fail("Can't set variables when applying a saved plan",
                  "The -var and -var-file options cannot be used when applying a saved plan file, "
                  "because a saved plan includes the variable values that were set when it was "
                  "created.");
    if (!plan_path_.empty() && (!a_.targets.empty() || !a_.replace.empty()))
      return fail("Can't change the plan scope when applying a saved plan",
                  "The -target and -replace options cannot be used when applying a saved plan "
                  "file, because a saved plan already records what it changes. Create a new plan "
                  "instead.");
    return true;
  }

  bool initialized() const {
    return std::filesystem::exists(ctx_.data_dir / "fake-terraform-init.json");
  }

  bool check_config_and_init() {
    if (plan_path_.empty() && !has_configuration(ctx_.workdir)) {
      return fail(
          "No configuration files",
          kind_ == Kind::Plan
              ? "Plan requires configuration to be present. Planning without a "
                "configuration would mark everything for destruction, which is normally "
                "not what is desired. If you would like to destroy everything, run plan "
                "with the -destroy option. Otherwise, create a Terraform configuration file "
                "(.tf file) and try again."
              : "Apply requires configuration to be present. Applying without a "
                "configuration would mark everything for destruction, which is normally "
                "not what is desired. If you would like to destroy everything, run "
                "'terraform destroy' instead.");
    }
    if (!initialized()) {
      return fail("Inconsistent dependency lock file",
                  "The following dependency selections recorded in the lock file are inconsistent "
                  "with the current configuration:\n"
                  "  - provider registry.terraform.io/hashicorp/aws: required by this "
                  "configuration but no version is selected\n\n"
                  "To make the initial dependency selections that will initialize the dependency "
                  "lock file, run:\n  terraform init");
    }
    try {
      cfg_ = load_fake_config(ctx_.workdir);
    } catch (const std::exception& e) {
      return fail("Invalid fake terraform configuration", e.what());
    }
    return true;
  }

  bool resolve_variables() {
    Declarations decls = scan_declarations(ctx_.workdir);
    VariableValues vals = collect_variables(ctx_.workdir, decls, a_.vars);
    for (const auto& d : vals.diagnostics) view_.diagnostic(d);
    if (vals.has_errors()) return false;
    for (const auto& [name, decl] : decls) {
      if (vals.values.count(name) || decl.has_default) continue;
      if (input_enabled(a_)) {
        view_.out(fmt::format("var.{}\n  Enter a value: ", name));
        if (auto line = read_line()) {
          vals.values[name] = *line;
          continue;
        }
        view_.out("\n");
      }
      return fail("No value for required variable",
                  fmt::format("The root module input variable \"{}\" is not set, and has no "
                              "default value. Use a -var or -var-file command line argument to "
                              "provide a value for this variable.",
                              name));
    }
    for (const auto& [name, value] : vals.values)
      variables_[name] = {{"value", is_secret_variable(name) ? json() : json(value)}};
    if (!decls.count("deploy") || !vals.values.count("deploy"))
      return fail("Unsupported configuration for the fake terraform",
                  "The fake models a root module with a variable \"deploy\"; declare it in a .tf "
                  "file.");
    std::vector<std::string> colors;
    if (auto diag = parse_deploy(vals.values["deploy"], decls["deploy"].complex_type, colors)) {
      view_.diagnostic(*diag);
      return false;
    }
    if (auto v = vals.values.find("verified"); v != vals.values.end()) {
      if (v->second != "blue" && v->second != "green")
        return fail(
            "Invalid value for variable",
            fmt::format("var.verified is \"{}\"\n\nverified must be \"blue\" or \"green\": the "
                        "color whose health you checked.\n\nThis was checked by the "
                        "validation rule at variables.tf:14,3-13.",
                        v->second));
    }
    SlotSettings settings;
    if (auto v = vals.values.find("bundle_id"); v != vals.values.end())
      settings.bundle_id = v->second;
    if (auto v = vals.values.find("health_port"); v != vals.values.end()) {
      try {
        settings.health_port = std::stoi(v->second);
      } catch (const std::exception&) {
        return fail("Invalid value for input variable",
                    "The given value is not suitable for var.health_port: a number is required.");
      }
    }
    model_ = build_model(colors, cfg_, settings);
    if (auto v = vals.values.find("verified"); v != vals.values.end()) model_.verified = v->second;
    return true;
  }

  bool take_lock() {
    if (!a_.lock) return true;
    const std::string op = kind_ == Kind::Plan ? "OperationTypePlan" : "OperationTypeApply";
    bool held_elsewhere = ctx_.fault && ctx_.fault->kind == FaultKind::Lock;
    if (auto diag = lock_.acquire(ctx_.workdir, op, a_.lock_timeout, held_elsewhere, view_)) {
      view_.diagnostic(*diag);
      return false;
    }
    return true;
  }

  bool load_state() {
    try {
      state_ = store_.load();
    } catch (const std::exception& e) {
      return fail("Failed to load state", e.what());
    }
    prior_doc_ = to_state_file(state_);  // a saved plan's tfstate-prev
    return true;
  }

  void show_refresh(const std::vector<Change>& changes) {
    if (!a_.refresh) return;
    for (const auto& c : changes) {
      const Instance* inst = state_.find(c.addr.str());
      if (!inst || c.addr.mode != "managed") continue;
      std::string id = resource_id(inst->attributes);
      std::string msg = fmt::format("{}: Refreshing state... [id={}]", c.addr.str(), id);
      view_.out(msg + "\n");
      json hook{{"resource", hook_resource_json(c.addr)}, {"id_key", "id"}, {"id_value", id}};
      view_.message("info", msg, "refresh_start", {{"hook", hook}});
      view_.message("info", fmt::format("{}: Refresh complete [id={}]", c.addr.str(), id),
                    "refresh_complete", {{"hook", hook}});
    }
  }

  // Lightsail's addresses as a refresh reads them (provider_ops.h): only the instances in the
  // refresh's scope (every one, or those a -target selects). Real Terraform refreshes every
  // resource in scope; only the instances can differ in the fake.
  void refresh_instances() {
    std::vector<std::string> addresses;
    const auto scope = refresh_scope(model_, state_, targets_);  // targets and what they read
    for (const Instance* inst : state_.ordered()) {
      if (inst->addr.type != "aws_lightsail_instance") continue;
      if (scope.count(inst->addr.str())) addresses.push_back(inst->addr.str());
    }
    for (const auto& a : addresses) {
      Instance* inst = state_.find_mutable(a);
      if (refresh_instance(*inst, state_, cfg_)) refreshed_[a] = inst->attributes;
    }
    forget_gone_objects();
  }

  // FAKE_TF_GONE: objects whose refresh reads NotFound (a wrong account or region, or
  // deleted in the console) are dropped from the refreshed state, as the aws provider does.
  void forget_gone_objects() {
    const char* spec = std::getenv("FAKE_TF_GONE");
    if (!spec) return;
    const auto scope = refresh_scope(model_, state_, targets_);
    for (const auto& address : drift_addresses(spec)) {
      const Instance* inst = state_.find(address);
      if (!inst || !scope.count(address)) continue;
      gone_.push_back(inst->addr);
      refreshed_.erase(address);
      state_.erase(address);
    }
  }

  // -json: what the refresh found changed outside Terraform (views/json resource_drift).
  void emit_drift() {
    for (const auto& [address, attrs] : refreshed_.items())
      if (auto a = parse_address(address))
        view_.message("info", fmt::format("{}: Drift detected (update)", address), "resource_drift",
                      {{"change", {{"resource", hook_resource_json(*a)}, {"action", "update"}}}});
    for (const auto& a : gone_)
      view_.message("info", fmt::format("{}: Drift detected (delete)", a.str()), "resource_drift",
                    {{"change", {{"resource", hook_resource_json(a)}, {"action", "delete"}}}});
  }

  // The gate's precondition, checked at plan time when its values are known (facts §5.7).
  bool check_attestation_at_plan(const std::vector<Change>& changes) {
    auto find = [&](const std::string& a) -> const Change* {
      for (const auto& c : changes)
        if (c.addr.str() == a) return &c;
      return nullptr;
    };
    if (!find(addr::kHealthy)) return true;
    const std::string active = addr::slot_instance(model_.active);
    const Change* inst = find(active);
    std::optional<bool> holds;
    if (!inst || inst->action == Action::NoOp || inst->action == Action::Update) {
      const Instance* prior = state_.find(active);
      if (prior) holds = holds_static_ip(prior->attributes);
    }
    if (auto diag = check_attestation(model_, holds)) {
      view_.diagnostic(*diag);
      return false;
    }
    return true;
  }

  // plan/apply -refresh-only: nothing but the refresh; an apply persists it and prints the
  // outputs (a targeted refresh-only apply keeps every output in state, as Terraform does).
  int refresh_only() {
    for (const auto& [address, attrs] : refreshed_.items())
      view_.out(fmt::format(
          "\nNote: Objects have changed outside of Terraform\n\n  # {} has changed\n", address));
    if (kind_ == Kind::Plan) {
      const bool drift = !refreshed_.empty() || !gone_.empty();
      render_change_summary(view_, ChangeCounts{}, "plan", true);
      if (!drift) view_.out("\nNo changes. Your infrastructure still matches the configuration.\n");
      if (!a_.out.empty() && !save_plan({})) return 1;
      return a_.detailed_exitcode && drift ? 2 : 0;
    }
    if (!refreshed_.empty()) persist(state_, store_, cfg_);
    if (!targets_.empty()) view_.warning("Applied changes may be incomplete", kTargetApplyWarning);
    render_change_summary(view_, ChangeCounts{}, "apply", false);
    view_.out("\nApply complete! Resources: 0 added, 0 changed, 0 destroyed.\n");
    print_outputs();
    return 0;
  }

  int plan_and_maybe_apply() {
    if (!check_config_and_init() || !resolve_variables() || !take_lock() || !load_state()) return 1;
    PlanOptions opts;
    opts.destroy = a_.destroy;
    opts.refresh = a_.refresh;
    opts.targets = targets_;
    opts.replace = replace_;
    if (const char* drift = std::getenv("FAKE_TF_DRIFT")) opts.drift = drift_addresses(drift);
    if (a_.refresh && !a_.destroy) refresh_instances();
    PlanOutcome plan = plan_changes(model_, state_, opts);
    show_refresh(plan.changes);
    emit_drift();
    interrupts::poll();
    if (interrupts::stop_requested()) return interrupted_exit();
    if (a_.refresh_only) return refresh_only();
    if (!a_.destroy && !check_attestation_at_plan(plan.changes)) return 1;
    for (const auto& d : plan.diagnostics) view_.diagnostic(d);
    if (plan.has_errors()) return 1;
    if (!plan.drifted.empty()) {
      std::string note = "\nNote: Objects have changed outside of Terraform\n\n";
      for (const auto& d : plan.drifted) note += fmt::format("  # {} has changed\n", d);
      view_.out(note);
    }
    render_plan(view_, plan.changes, a_.destroy);
    if (!targets_.empty()) view_.warning("Resource targeting is in effect", kTargetPlanWarning);
    interrupts::poll();
    if (interrupts::stop_requested()) return interrupted_exit();
    if (kind_ == Kind::Plan) return finish_plan(plan);
    if (plan.has_changes() && !a_.auto_approve && !approved()) return 1;
    return apply(plan.changes, !targets_.empty());
  }

  bool save_plan(const std::vector<Change>& changes) {
    SavedPlan saved;
    saved.destroy = a_.destroy;
    saved.targets = a_.targets;
    saved.replace = a_.replace;
    saved.variables = variables_;
    saved.prior_exists = state_.exists;
    saved.prior_serial = state_.serial;
    saved.prior_lineage = state_.lineage;
    saved.prior_outputs = state_.outputs;
    saved.changes = changes;
    saved.refreshed = refreshed_;
    saved.attestation = {{"active", model_.active},
                         {"verified", model_.verified ? json(*model_.verified) : json()}};
    // The fake's outputs follow every state write (README), so the refreshed state carries
    // outputs computed from what the refresh read.
    State refreshed = state_;
    refreshed.outputs = compute_outputs(refreshed, cfg_);
    auto refreshed_doc = to_state_file(refreshed);
    plant_in_state_file(refreshed_doc);  // a plan file holds secrets in clear, as Terraform's
    try {
      write_plan_file(a_.out, saved, refreshed_doc, prior_doc_);
    } catch (const std::exception& e) {
      view_.error("Failed to write plan file", e.what());
      return false;
    }
    return true;
  }

  int finish_plan(const PlanOutcome& plan) {
    if (!a_.out.empty()) {
      if (!save_plan(plan.changes)) return 1;
      view_.out(fmt::format(
          "\n─────────────────────────────────────────────────────────────────────────────\n\n"
          "Saved the plan to: {0}\n\nTo perform exactly these actions, run the following "
          "command to apply:\n    terraform apply \"{0}\"\n",
          a_.out));
    } else if (plan.has_changes() && !ctx_.in_automation) {
      view_.out(
          "\n─────────────────────────────────────────────────────────────────────────────\n\n"
          "Note: You didn't use the -out option to save this plan, so Terraform can't guarantee "
          "to take exactly these actions if you run \"terraform apply\" now.\n");
    }
    return a_.detailed_exitcode && plan.has_changes() ? 2 : 0;
  }

  bool approved() {
    if (a_.destroy) {
      view_.out(
          "\nDo you really want to destroy all resources?\n  Terraform will destroy all your "
          "managed infrastructure, as shown above.\n  There is no undo. Only 'yes' will be "
          "accepted to confirm.\n\n  Enter a value: ");
    } else {
      view_.out(
          "\nDo you want to perform these actions?\n  Terraform will perform the actions "
          "described above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
    }
    auto answer = read_line();
    if (!answer) {
      view_.out("\n");
      return fail("error asking for approval: EOF");
    }
    if (*answer != "yes") {
      view_.out(a_.destroy ? "\nDestroy cancelled.\n" : "\nApply cancelled.\n");
      return false;
    }
    return true;
  }

  int apply_saved_plan() {
    SavedPlan saved;
    try {
      saved = read_plan_file(plan_path_);
    } catch (const std::exception& e) {
      view_.error(fmt::format("Failed to load \"{}\" as a plan file", plan_path_),
                  fmt::format("Error: {}", e.what()));
      return 1;
    }
    if (!check_config_and_init() || !take_lock() || !load_state()) return 1;
    bool same = saved.prior_exists == state_.exists &&
                (!state_.exists ||
                 (saved.prior_serial == state_.serial && saved.prior_lineage == state_.lineage));
    if (!same) {
      view_.error("Saved plan is stale",
                  "The given plan file can no longer be applied because the state was changed by "
                  "another operation after the plan was created.");
      return 1;
    }
    a_.destroy = saved.destroy;
    refreshed_ = saved.refreshed;
    model_.active = saved.attestation.value("active", "");
    if (saved.attestation.contains("verified") && saved.attestation["verified"].is_string())
      model_.verified = saved.attestation["verified"].get<std::string>();
    return apply(saved.changes, !saved.targets.empty());
  }

  int interrupted_exit() {
    interrupts::poll();
    view_.error("execution halted");
    return 1;
  }

  int apply(const std::vector<Change>& changes, bool targeted) {
    ApplyRequest req{changes, refreshed_,
                     ctx_.fault && ctx_.fault->kind == FaultKind::FailAfterFirst, model_};
    ApplyResult result;
    try {
      result = execute_apply(req, state_, store_, cfg_, view_);
    } catch (const OperationCanceled&) {
      view_.error("operation canceled");
      return 1;
    }
    if (targeted) view_.warning("Applied changes may be incomplete", kTargetApplyWarning);
    for (const auto& d : result.diagnostics) view_.diagnostic(d);
    if (result.interrupted) view_.error("execution halted");
    if (!result.ok()) return 1;
    const auto& n = result.done;
    std::string op = a_.destroy ? "destroy" : "apply";
    render_change_summary(view_, n, op, false);
    if (a_.destroy) {
      view_.out(fmt::format("\nDestroy complete! Resources: {} destroyed.\n", n.destroy));
      return 0;
    }
    view_.out(fmt::format("\nApply complete! Resources: {} added, {} changed, {} destroyed.\n",
                          n.add, n.change, n.destroy));
    print_outputs();
    return 0;
  }

  void print_outputs() {
    json outputs = compute_outputs(state_, cfg_);
    plant_in_outputs(outputs);  // -json sends sensitive values in clear (facts §1.5)
    view_.message("info", fmt::format("Outputs: {}", outputs.size()), "outputs",
                  {{"outputs", outputs}});
    if (outputs.empty()) return;
    std::string text = "\nOutputs:\n\n";
    for (const auto& [name, o] : outputs.items())
      text += fmt::format("{} = {}\n", name,
                          o.value("sensitive", false) ? "<sensitive>" : render_value(o["value"]));
    view_.out(text);
  }

  CommandContext& ctx_;
  View& view_;
  Kind kind_;
  OperationArgs a_;
  std::string plan_path_;
  std::vector<Address> targets_;
  std::set<std::string> replace_;
  FakeConfig cfg_;
  Model model_;
  json variables_ = json::object();
  json refreshed_ = json::object();  // instances whose refresh changed them
  std::vector<Address> gone_;        // FAKE_TF_GONE: dropped by this refresh
  json prior_doc_ = json::object();  // the state as loaded, before any refresh
  StateLock lock_;
  StateStore store_{ctx_.workdir};
  State state_;
};

}  // namespace

int run_operation(CommandContext& ctx) {
  Kind kind = ctx.subcommand == "plan"    ? Kind::Plan
              : ctx.subcommand == "apply" ? Kind::Apply
                                          : Kind::Destroy;
  return Operation(ctx, kind).run();
}

}  // namespace fake_tf
