#include "completion.h"

#include <CLI/CLI.hpp>
#include <catch2/catch.hpp>

#include "command_line.h"

namespace xd {
namespace {

// Every option name CLI11 knows, global and per verb.
std::vector<std::string> every_option_name(CLI::App& app) {
  std::vector<std::string> names;
  auto add = [&](CLI::App& a) {
    for (CLI::Option* opt : a.get_options()) {
      for (const auto& s : opt->get_snames()) names.push_back("-" + s);
      for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
    }
  };
  add(app);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) add(*sub);
  return names;
}

bool has_word(const std::string& script, const std::string& word) {
  // As a whole word: "--color" must not be satisfied by "--colors".
  for (std::size_t at = script.find(word); at != std::string::npos;
       at = script.find(word, at + 1)) {
    const char after = at + word.size() < script.size() ? script[at + word.size()] : ' ';
    if (!std::isalnum(static_cast<unsigned char>(after)) && after != '-') return true;
  }
  return false;
}

}  // namespace

TEST_CASE("every option and verb CLI11 knows is in each completion script") {
  with_command_line_definition([](CLI::App& app) {
    const auto names = every_option_name(app);
    REQUIRE(names.size() > 30);
    for (const std::string shell : {"bash", "zsh", "fish"}) {
      const auto script = completion_script(app, shell);
      REQUIRE(script);
      for (auto name : names) {
        // fish spells options as `-l name` / `-s C`.
        if (shell == "fish")
          name = name.rfind("--", 0) == 0 ? "-l " + name.substr(2) : "-s " + name.substr(1);
        INFO(shell << ": " << name);
        CHECK(has_word(*script, name));
      }
      for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        INFO(shell << ": verb " << sub->get_name());
        CHECK(has_word(*script, sub->get_name()));
      }
    }
  });
}

TEST_CASE("the completion model reads choices and value kinds from the definition") {
  with_command_line_definition([](CLI::App& app) {
    const auto model = completion_model(app);
    auto option = [&](const std::string& name) {
      for (const auto& o : model.options)
        for (const auto& n : o.names)
          if (n == name) return o;
      FAIL("no option " << name);
      return CompletionOption{};
    };
    CHECK(option("--backend").choices == std::vector<std::string>{"terraform", "local"});
    CHECK(option("--color").choices == std::vector<std::string>{"auto", "always", "never"});
    CHECK(option("--chdir").value == ValueKind::Directory);
    CHECK(option("--hooks-dir").value == ValueKind::Directory);
    CHECK(option("--var-file").value == ValueKind::File);
    CHECK(option("--config").value == ValueKind::File);
    CHECK(option("--terraform").value == ValueKind::Command);
    CHECK(option("--app-command").value == ValueKind::Command);
    CHECK(option("--json").value == ValueKind::None);
    CHECK(option("--health-timeout").value == ValueKind::Other);
    for (const auto& v : model.verbs) {
      if (v.name == "promote" || v.name == "replace") {
        REQUIRE(v.positionals.size() == 1);
        CHECK(v.positionals[0].choices == std::vector<std::string>{"blue", "green"});
      }
      if (v.name == "completion")
        CHECK(v.positionals.at(0).choices == std::vector<std::string>{"bash", "zsh", "fish"});
      if (v.name == "plan") {
        const auto& verbs = v.positionals.at(0).choices;
        CHECK(std::find(verbs.begin(), verbs.end(), "~green") != verbs.end());
        CHECK(std::find(verbs.begin(), verbs.end(), "status") == verbs.end());
      }
    }
  });
}

TEST_CASE("an unknown shell has no script") {
  with_command_line_definition([](CLI::App& app) { CHECK_FALSE(completion_script(app, "tcsh")); });
}

}  // namespace xd
