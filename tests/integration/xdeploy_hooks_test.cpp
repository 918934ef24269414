// Hooks end to end: the real xdeploy against the fake terraform, with hook
// scripts in the working dir's .xdeploy/hooks (the default place).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>

#include "integration/terraform_world.h"

using namespace xd::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

fs::path hooks_dir(const TerraformWorld& w) {
  return w.dir() / ".xdeploy" / "hooks";
}

// A hook: a shell script, executable.
void write_hook(const TerraformWorld& w, const std::string& name, const std::string& body) {
  fs::create_directories(hooks_dir(w));
  const auto path = hooks_dir(w) / name;
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  chmod(path.c_str(), 0755);
}

// A hook that appends its XDEPLOY_* environment to <hooks>/<name>.env.
void write_recording_hook(const TerraformWorld& w, const std::string& name) {
  write_hook(w, name,
             "env | grep '^XDEPLOY_' | sort >> \"$(dirname \"$0\")/" + name +
                 ".env\"\necho \"hook " + name + " says hello\"");
}

std::map<std::string, std::string> recorded(const TerraformWorld& w, const std::string& name) {
  std::map<std::string, std::string> env;
  std::ifstream in(hooks_dir(w) / (name + ".env"));
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

bool ran(const TerraformWorld& w, const std::string& name) {
  return fs::exists(hooks_dir(w) / (name + ".env"));
}

// Gone, or a zombie waiting for a parent that may never reap it.
bool process_alive(int pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

std::vector<json> history(const TerraformWorld& w) {
  std::vector<json> lines;
  std::ifstream in(w.dir() / ".xdeploy" / "history.jsonl");
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

}  // namespace

TEST_CASE("hooks see the operation in their environment, and their output is logged") {
  TerraformWorld w;
  for (const char* hook :
       {"pre-deploy", "pre-promote", "post-promote", "post-rollback", "post-cleanup", "on-failure"})
    write_recording_hook(w, hook);
  w.xdeploy_json({"blue"});
  CHECK(recorded(w, "pre-deploy")["XDEPLOY_VERB"] == "blue");
  CHECK(recorded(w, "pre-deploy")["XDEPLOY_FROM"].empty());
  CHECK(recorded(w, "pre-deploy")["XDEPLOY_TO"] == "blue");
  w.xdeploy_json({"teal"});
  CHECK(recorded(w, "pre-deploy")["XDEPLOY_COLOR"] == "green");  // teal's twin

  auto r = w.xdeploy({"promote", "green", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto pre = recorded(w, "pre-promote");
  CHECK(pre.at("XDEPLOY_VERB") == "promote green");
  CHECK(pre.at("XDEPLOY_FROM") == "blue");
  CHECK(pre.at("XDEPLOY_TO") == "green");
  CHECK(pre.at("XDEPLOY_EXIT_CODE").empty());
  const auto post = recorded(w, "post-promote");
  CHECK(post.at("XDEPLOY_HOOK") == "post-promote");
  CHECK(post.at("XDEPLOY_VERB") == "promote green");
  CHECK(post.at("XDEPLOY_FROM") == "blue");
  CHECK(post.at("XDEPLOY_TO") == "green");
  CHECK(post.at("XDEPLOY_COLOR") == "green");
  CHECK(post.at("XDEPLOY_EXIT_CODE") == "0");
  CHECK(std::stoi(post.at("XDEPLOY_DOWNTIME_MS")) >= 0);
  // XDEPLOY_RECORD is the history line.
  const auto record = json::parse(post.at("XDEPLOY_RECORD"));
  CHECK(record == history(w).back());
  CHECK(record["verb"] == "promote green");
  // The pre-hook is a step of the operation; hook output is in the log, not on stdout.
  CHECK(json::parse(r.out)["steps"][1]["id"] == "hook-pre-promote");
  CHECK_THAT(r.err, Catch::Contains("[hook post-promote] hook post-promote says hello"));
  std::string logs;
  for (const auto& e : fs::directory_iterator(w.dir() / ".xdeploy" / "logs"))
    logs += read_file(e.path());
  CHECK_THAT(logs, Catch::Contains("[hook post-promote] hook post-promote says hello"));

  w.xdeploy_json({"rollback"});
  CHECK(recorded(w, "post-rollback")["XDEPLOY_TO"] == "blue");
  w.xdeploy_json({"cleanup", "--yes"});
  CHECK(recorded(w, "post-cleanup")["XDEPLOY_COLOR"] == "green");
  CHECK_FALSE(ran(w, "on-failure"));
}

TEST_CASE("a failing pre-hook stops the operation before anything changes (exit 4)") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  w.xdeploy_json({"teal"});
  write_hook(w, "pre-promote", "echo 'not on a Friday' >&2; exit 7");
  write_recording_hook(w, "on-failure");
  write_recording_hook(w, "post-promote");
  const int plans = w.count("plan");
  const auto state_before = w.state_text();

  auto r = w.xdeploy({"promote", "green"});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("pre-promote hook exited with 7"));
  CHECK_THAT(r.err, Catch::Contains("not on a Friday"));
  CHECK_THAT(r.err, Catch::Contains(".xdeploy/hooks/pre-promote"));  // where to fix it
  CHECK(w.count("plan") == plans);  // no Terraform beyond reading the state
  CHECK(w.state_text() == state_before);
  CHECK(w.status()["deployment"]["active"] == "blue");
  CHECK(history(w).back()["result"] == "refused");
  CHECK(recorded(w, "on-failure")["XDEPLOY_EXIT_CODE"] == "4");
  CHECK_FALSE(ran(w, "post-promote"));

  // --no-hooks skips them all.
  CHECK(w.xdeploy({"promote", "green", "--no-hooks"}).exit_code == 0);
  CHECK(w.status()["deployment"]["active"] == "green");
}

TEST_CASE("a failing post-hook is reported and changes no exit code") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  w.xdeploy_json({"teal"});
  write_hook(w, "post-promote", "exit 3");
  auto r = w.xdeploy({"promote", "green"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("post-promote hook exited with 3"));
  CHECK(w.status()["deployment"]["active"] == "green");
}

TEST_CASE("a hanging hook is stopped at --hook-timeout") {
  TerraformWorld w;
  // The hook's child (sleep) is in its process group: it is stopped too.
  write_hook(w, "pre-deploy",
             "sleep 600 & echo $! > \"$(dirname \"$0\")/sleep.pid\"; echo waiting; wait");
  const auto t = std::chrono::steady_clock::now();
  auto r = w.xdeploy({"blue", "--hook-timeout", "1s"});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("pre-deploy hook timed out after 1s and was stopped"));
  CHECK(std::chrono::steady_clock::now() - t < std::chrono::seconds(60));
  CHECK(w.count("apply") == 0);
  CHECK(w.status()["deployment"]["active"].is_null());
  const int sleeper = std::stoi(read_file(hooks_dir(w) / "sleep.pid"));
  CHECK(eventually([&] { return !process_alive(sleeper); }, std::chrono::seconds(10)));
}

TEST_CASE("a pre-hook that cannot run refuses like a failing one") {
  TerraformWorld w;
  write_hook(w, "pre-deploy", "exit 0");
  chmod((hooks_dir(w) / "pre-deploy").c_str(), 0644);  // forgot chmod +x
  auto r = w.xdeploy({"blue"});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("the pre-deploy hook cannot run"));
  CHECK_THAT(r.err, Catch::Contains("Permission denied"));
  CHECK(w.count("apply") == 0);
}

TEST_CASE("dry runs and no-ops run no hook") {
  TerraformWorld w;
  write_recording_hook(w, "pre-deploy");
  write_recording_hook(w, "on-failure");
  CHECK(w.xdeploy({"plan", "blue"}).exit_code == 0);
  CHECK_FALSE(ran(w, "pre-deploy"));
  w.xdeploy_json({"blue", "--no-hooks"});
  CHECK(w.xdeploy({"blue"}).exit_code == 0);  // already so: a no-op
  CHECK_FALSE(ran(w, "pre-deploy"));
  CHECK_FALSE(ran(w, "on-failure"));
}
