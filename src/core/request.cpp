#include "xdeploy/core/request.h"

#include <fmt/format.h>

#include <string>

namespace xd {

std::string_view to_string(Verb v) {
  switch (v) {
    case Verb::Deploy:
      return "deploy";
    case Verb::Teal:
      return "teal";
    case Verb::Replace:
      return "replace";
    case Verb::Promote:
      return "promote";
    case Verb::Rollback:
      return "rollback";
    case Verb::Cleanup:
      return "cleanup";
  }
  return "?";
}

std::string Request::display() const {
  const std::string c = color ? std::string(to_string(*color)) : "";
  switch (verb) {
    case Verb::Deploy:
      return c;
    case Verb::Replace:
      return "~" + c;
    case Verb::Promote:
      return "promote " + c;
    default:
      return std::string(to_string(verb));
  }
}

}  // namespace xd
