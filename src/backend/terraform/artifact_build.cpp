#include "artifact_build.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "artifact_path.h"

namespace xd {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void add_file(std::vector<VariableSource>& sources, const fs::path& dir, const std::string& name,
              bool required) {
  const fs::path path = fs::path(name).is_absolute() ? fs::path(name) : dir / name;
  auto text = read_text(path);
  if (!text && !required) return;
  sources.push_back(
      {name.ends_with(".json") ? VariableSource::Kind::Json : VariableSource::Kind::Hcl, name,
       text.value_or("")});
}

// Terraform's precedence, lowest first (relative names are relative to -chdir, as for
// Terraform itself).
std::vector<VariableSource> gather_sources(const TerraformSettings& s) {
  std::vector<VariableSource> sources;
  if (const char* env = std::getenv("TF_VAR_artifact_path"))
    sources.push_back({VariableSource::Kind::Literal, "TF_VAR_artifact_path", env});
  const fs::path dir = s.chdir;
  add_file(sources, dir, "terraform.tfvars", false);
  add_file(sources, dir, "terraform.tfvars.json", false);
  std::vector<std::string> auto_files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const auto name = entry.path().filename().string();
    if (name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json"))
      auto_files.push_back(name);
  }
  std::sort(auto_files.begin(), auto_files.end());
  for (const auto& name : auto_files) add_file(sources, dir, name, false);
  for (const auto& name : s.var_files) add_file(sources, dir, name, true);
  for (auto& source : artifact_sources_in_args(s.extra_args)) {
    if (source.kind == VariableSource::Kind::Literal)
      sources.push_back(std::move(source));
    else
      add_file(sources, dir, source.origin, true);
  }
  return sources;
}

}  // namespace

std::optional<std::string> file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return std::nullopt;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0)
    if (EVP_DigestUpdate(ctx.get(), buffer, static_cast<size_t>(in.gcount())) != 1)
      return std::nullopt;
  if (in.bad()) return std::nullopt;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &size) != 1) return std::nullopt;
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

ArtifactBuild current_artifact_build(const TerraformSettings& settings) {
  const auto resolved = resolve_artifact_path(gather_sources(settings));
  if (!resolved.path)
    return {std::nullopt, resolved.unreadable.empty() ? "artifact_path is not set where xdeploy "
                                                        "can read it"
                                                      : resolved.unreadable};
  fs::path path = *resolved.path;
  if (path.is_relative()) path = fs::path(settings.chdir) / path;
  auto sha = file_sha256(path.string());
  if (!sha) return {std::nullopt, fmt::format("cannot read the artifact {}", path.string())};
  return {sha, ""};
}

}  // namespace xd
