#pragma once
// S3's XML answers, read with expat: pure, no I/O.
#include <optional>
#include <string>
#include <vector>

namespace xd::s3 {

// Every element's text, with its path from the root, namespaces dropped:
// ("ListBucketResult/Contents/Key", "a.json"). nullopt: not well-formed XML.
struct XmlText {
  std::string path;
  std::string text;
};
std::optional<std::vector<XmlText>> flatten_xml(const std::string& xml);

struct ObjectEntry {
  std::string key;
  std::string etag;
  long long size = 0;
};

struct ListPage {
  std::vector<ObjectEntry> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_token;  // NextContinuationToken, when truncated
};
// A ListObjectsV2 answer; nullopt with `error` set when it is not one.
std::optional<ListPage> parse_list_page(const std::string& xml, std::string& error);

// <Error><Code>..</Code><Message>..</Message></Error>: the code and message, or empty.
struct ErrorDocument {
  std::string code;
  std::string message;
};
ErrorDocument parse_error(const std::string& xml);

// The first text found at `path` (as flatten_xml names it), or "".
std::string xml_value(const std::string& xml, const std::string& path);

}  // namespace xd::s3
