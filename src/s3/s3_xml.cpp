#include "xdeploy/s3/s3_xml.h"

#include <expat.h>

#include <memory>

namespace xd::s3 {
namespace {

struct Walk {
  std::vector<std::string> stack;
  std::vector<std::string> texts;  // the text of each open element
  std::vector<XmlText> out;
};

std::string local_name(const XML_Char* name) {
  // Namespace processing is off: a prefixed name "s3:Key" keeps only "Key".
  std::string n(name);
  const auto colon = n.rfind(':');
  return colon == std::string::npos ? n : n.substr(colon + 1);
}

void XMLCALL on_start(void* data, const XML_Char* name, const XML_Char** /*attributes*/) {
  auto* w = static_cast<Walk*>(data);
  w->stack.push_back(local_name(name));
  w->texts.emplace_back();
}

void XMLCALL on_end(void* data, const XML_Char* /*name*/) {
  auto* w = static_cast<Walk*>(data);
  std::string path;
  for (const auto& part : w->stack) path += (path.empty() ? "" : "/") + part;
  w->out.push_back({path, w->texts.back()});
  w->stack.pop_back();
  w->texts.pop_back();
}

void XMLCALL on_text(void* data, const XML_Char* text, int length) {
  auto* w = static_cast<Walk*>(data);
  if (!w->texts.empty()) w->texts.back().append(text, static_cast<size_t>(length));
}

struct ParserDeleter {
  void operator()(XML_Parser p) const { XML_ParserFree(p); }
};

}  // namespace

std::optional<std::vector<XmlText>> flatten_xml(const std::string& xml) {
  std::unique_ptr<XML_ParserStruct, ParserDeleter> parser(XML_ParserCreate("UTF-8"));
  if (!parser) return std::nullopt;
  Walk walk;
  XML_SetUserData(parser.get(), &walk);
  XML_SetElementHandler(parser.get(), on_start, on_end);
  XML_SetCharacterDataHandler(parser.get(), on_text);
  if (xml.size() > static_cast<size_t>(INT32_MAX)) return std::nullopt;
  if (XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE) != XML_STATUS_OK)
    return std::nullopt;
  return std::move(walk.out);
}

std::optional<ListPage> parse_list_page(const std::string& xml, std::string& error) {
  const auto items = flatten_xml(xml);
  if (!items) {
    error = "the listing is not well-formed XML";
    return std::nullopt;
  }
  if (items->empty() || items->back().path != "ListBucketResult") {
    error = "the listing is not a ListBucketResult";
    return std::nullopt;
  }
  ListPage page;
  ObjectEntry entry;
  for (const auto& [path, text] : *items) {
    if (path == "ListBucketResult/Contents/Key") entry.key = text;
    if (path == "ListBucketResult/Contents/ETag") entry.etag = text;
    if (path == "ListBucketResult/Contents/Size") {
      try {
        entry.size = std::stoll(text);
      } catch (const std::exception&) {
        entry.size = -1;
      }
    }
    if (path == "ListBucketResult/Contents") {
      if (!entry.key.empty()) page.objects.push_back(entry);
      entry = ObjectEntry{};
    }
    if (path == "ListBucketResult/CommonPrefixes/Prefix") page.common_prefixes.push_back(text);
    if (path == "ListBucketResult/IsTruncated") page.truncated = text == "true";
    if (path == "ListBucketResult/NextContinuationToken") page.next_token = text;
  }
  if (page.truncated && page.next_token.empty()) {
    error = "the listing is truncated but has no NextContinuationToken";
    return std::nullopt;
  }
  return page;
}

ErrorDocument parse_error(const std::string& xml) {
  return {xml_value(xml, "Error/Code"), xml_value(xml, "Error/Message")};
}

std::string xml_value(const std::string& xml, const std::string& path) {
  const auto items = flatten_xml(xml);
  if (!items) return "";
  for (const auto& item : *items)
    if (item.path == path) return item.text;
  return "";
}

}  // namespace xd::s3
