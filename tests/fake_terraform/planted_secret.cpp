#include "planted_secret.h"

#include <cstdlib>

namespace fake_tf {

using nlohmann::json;

namespace {

// An access key in the root module, like `aws_iam_access_key.deploy` in a real root module.
json access_key(const std::string& secret) {
  return {{"address", "aws_iam_access_key.deploy"},
          {"mode", "managed"},
          {"type", "aws_iam_access_key"},
          {"name", "deploy"},
          {"provider_name", "registry.terraform.io/hashicorp/aws"},
          {"schema_version", 0},
          {"values", {{"id", "AKIAFAKE"}, {"secret", secret}}},
          {"sensitive_values", {{"secret", true}}}};
}

void add_resource(json& state_document, const std::string& secret) {
  json& values = state_document["values"];
  if (!values.is_object()) values = json::object();
  json& root = values["root_module"];
  if (!root.is_object()) root = json::object();
  if (!root.contains("resources") || !root["resources"].is_array())
    root["resources"] = json::array();
  root["resources"].push_back(access_key(secret));
}

}  // namespace

std::optional<std::string> planted_secret() {
  const char* v = std::getenv("FAKE_TF_PLANT_SECRET");
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

void plant_in_plan(json& doc) {
  const auto secret = planted_secret();
  if (!secret) return;
  doc["variables"]["falconx_secret_key"] = {{"value", *secret}};
  if (doc.contains("prior_state")) add_resource(doc["prior_state"], *secret);
  for (auto& rc : doc["resource_changes"]) {
    auto& after = rc["change"]["after"];
    if (after.is_object() && rc.value("type", "") == "aws_lightsail_instance")
      after["user_data"] = "#!/bin/sh\nexport FALCONX_SECRET_KEY=" + *secret + "\n";
  }
}

void plant_in_state(json& doc) {
  if (const auto secret = planted_secret()) add_resource(doc, *secret);
}

// The raw state keeps sensitive attributes and outputs in clear, like the state file on disk.
void plant_in_state_file(json& doc) {
  const auto secret = planted_secret();
  if (!secret) return;
  if (!doc.contains("resources") || !doc["resources"].is_array()) doc["resources"] = json::array();
  doc["resources"].push_back({{"mode", "managed"},
                              {"type", "aws_iam_access_key"},
                              {"name", "deploy"},
                              {"provider", "provider[\"registry.terraform.io/hashicorp/aws\"]"},
                              {"instances",
                               {{{"schema_version", 0},
                                 {"attributes", {{"id", "AKIAFAKE"}, {"secret", *secret}}},
                                 {"sensitive_attributes", json::array()}}}}});
  plant_in_outputs(doc["outputs"]);
}

void plant_in_outputs(json& outputs) {
  if (const auto secret = planted_secret())
    outputs["falconx_secret_key"] = {{"sensitive", true}, {"type", "string"}, {"value", *secret}};
}

}  // namespace fake_tf
