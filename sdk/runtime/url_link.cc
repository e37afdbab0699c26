// In a plugin, URLs are parsed by the host ("url.parse"), with the parser its
// HTTP client uses: a plugin that checks a URL's host checks the host the
// request will go to.
#include "berth/abi/host_link.h"
#include "berth/http/url.h"

namespace berth::http {
namespace {

nlohmann::json Parse(std::string_view url, std::string_view base = {}) {
  nlohmann::json request = {{"url", std::string(url)}};
  if (!base.empty()) request["base"] = std::string(base);
  return abi::CallHost("url.parse", request);
}

// One part of a parsed URL; "" for a malformed one, as the host's own
// UrlHost and UrlOrigin answer.
std::string PartOrEmpty(std::string_view url, const char* part) {
  try {
    return Parse(url).value(part, std::string());
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kInvalidInput) throw;
    return "";
  }
}

}  // namespace

std::string ResolveUrl(std::string_view base, std::string_view reference) {
  try {
    return Parse(reference, base).value("url", std::string());
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kInvalidInput) throw;
    throw Error(ErrorCode::kFailure, error.what());
  }
}

std::string UrlHost(std::string_view url) { return PartOrEmpty(url, "host"); }

std::string UrlOrigin(std::string_view url) { return PartOrEmpty(url, "origin"); }

}  // namespace berth::http
