#include "artifact_path.h"

#include <catch2/catch.hpp>

using namespace xd;
using Kind = VariableSource::Kind;

TEST_CASE("artifact_path: Terraform's precedence, lowest first, the last setting wins") {
  const std::vector<VariableSource> sources{
      {Kind::Literal, "TF_VAR_artifact_path", "/env.deb"},
      {Kind::Hcl, "terraform.tfvars",
       "region = \"us-east-1\"\nartifact_path = \"../tfvars.deb\"\n"},
      {Kind::Json, "a.auto.tfvars.json", R"({"region": "eu-west-1"})"},
  };
  CHECK(resolve_artifact_path(sources).path == "../tfvars.deb");
  auto with_var = sources;
  with_var.push_back({Kind::Literal, "-var", "/cli.deb"});
  CHECK(resolve_artifact_path(with_var).path == "/cli.deb");
  CHECK(resolve_artifact_path({sources[0]}).path == "/env.deb");
  CHECK_FALSE(resolve_artifact_path({sources[2]}).path);
  CHECK(resolve_artifact_path({sources[2]}).unreadable.empty());
}

TEST_CASE("artifact_path in a .tfvars: plain strings with escapes and comments are read") {
  auto path = [](const std::string& text) {
    return resolve_artifact_path({{Kind::Hcl, "x.tfvars", text}}).path;
  };
  CHECK(path("  artifact_path   =   \"/a b/c.deb\"   # built by cpack\n") == "/a b/c.deb");
  CHECK(path("artifact_path=\"/q\\\"uote.deb\" // note") == "/q\"uote.deb");
  CHECK(path("# artifact_path = \"/commented.deb\"\n") == std::nullopt);
  CHECK(path("artifact_path_old = \"/other.deb\"\n") == std::nullopt);
}

TEST_CASE("artifact_path set to an expression: unreadable, never guessed") {
  for (const char* text :
       {"artifact_path = \"${path.module}/x.deb\"\n", "artifact_path = local.deb\n",
        "artifact_path = <<EOT\n/x.deb\nEOT\n", "artifact_path = \"/x.deb\" + 1\n"}) {
    INFO(text);
    // An earlier plain setting must not win over one only Terraform can evaluate.
    const auto r = resolve_artifact_path({{Kind::Literal, "TF_VAR_artifact_path", "/env.deb"},
                                          {Kind::Hcl, "terraform.tfvars", text}});
    CHECK_FALSE(r.path);
    CHECK_THAT(r.unreadable, Catch::Contains("terraform.tfvars"));
  }
  const auto json =
      resolve_artifact_path({{Kind::Json, "v.tfvars.json", R"({"artifact_path": 3})"}});
  CHECK_FALSE(json.path);
  CHECK_FALSE(json.unreadable.empty());
  CHECK_FALSE(resolve_artifact_path({{Kind::Json, "v.tfvars.json", "not json"}}).path);
}

TEST_CASE("-var and -var-file among the arguments after --, in order, both spellings") {
  const auto sources = artifact_sources_in_args(
      {"-var=region=x", "-var", "artifact_path=/one.deb", "-var-file=prod.tfvars", "--var-file",
       "more.tfvars.json", "-var=artifact_path=/two.deb", "-lock=false"});
  REQUIRE(sources.size() == 4);
  CHECK(sources[0].kind == Kind::Literal);
  CHECK(sources[0].text == "/one.deb");
  CHECK(sources[1].kind == Kind::Hcl);
  CHECK(sources[1].origin == "prod.tfvars");
  CHECK(sources[2].kind == Kind::Json);
  CHECK(sources[2].origin == "more.tfvars.json");
  CHECK(sources[3].text == "/two.deb");
}
