#include "xdeploy/s3/s3_address.h"

#include <algorithm>

#include <fmt/format.h>

namespace xd::s3 {
namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

std::string trimmed_endpoint(std::string endpoint) {
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  return endpoint;
}

// "https://host:port/base" -> {"https://", "host:port/base"}.
std::pair<std::string, std::string> split_scheme(const std::string& endpoint) {
  const auto at = endpoint.find("://");
  if (at == std::string::npos) return {"https://", endpoint};
  return {endpoint.substr(0, at + 3), endpoint.substr(at + 3)};
}

}  // namespace

std::string uri_encode(const std::string& text, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string canonical_query(QueryParams params) {
  for (auto& [name, value] : params) {
    name = uri_encode(name, false);
    value = uri_encode(value, false);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name + "=" + value;
  }
  return out;
}

std::string s3_url(const Bucket& bucket, const std::string& key, const QueryParams& query) {
  const std::string path = "/" + uri_encode(key, true);
  std::string base;
  if (bucket.endpoint.empty()) {
    base = bucket.path_style || bucket.name.find('.') != std::string::npos
               ? fmt::format("https://s3.{}.amazonaws.com/{}", bucket.region, bucket.name)
               : fmt::format("https://{}.s3.{}.amazonaws.com", bucket.name, bucket.region);
  } else if (bucket.path_style) {
    base = trimmed_endpoint(bucket.endpoint) + "/" + uri_encode(bucket.name, false);
  } else {
    const auto [scheme, rest] = split_scheme(trimmed_endpoint(bucket.endpoint));
    base = scheme + bucket.name + "." + rest;
  }
  // The bucket itself is "<base>/" (path-style: "/<bucket>/"): S3 answers both
  // forms, and the trailing slash keeps curl from normalising anything.
  std::string url = base + path;
  if (!query.empty()) url += "?" + canonical_query(query);
  return url;
}

std::string s3_uri(const Bucket& bucket, const std::string& key) {
  return "s3://" + bucket.name + "/" + key;
}

}  // namespace xd::s3
