#include "berth/http/url.h"

#include "curl_api.h"

#include <cctype>
#include <memory>

#include "berth/error.h"
#include "berth/util/host_services.h"
#include "berth/util/text.h"

namespace berth::http {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { Curl().url_cleanup(url); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

std::string Part(CURLU* url, CURLUPart part, unsigned int flags = 0) {
  char* value = nullptr;
  if (Curl().url_get(url, part, &value, flags) != CURLUE_OK || value == nullptr) return "";
  std::string text(value);
  Curl().free(value);
  return text;
}

UrlHandle Parse(std::string_view text) {
  UrlHandle url(Curl().url());
  if (Curl().url_set(url.get(), CURLUPART_URL, std::string(text).c_str(), 0) != CURLUE_OK) {
    // A Location or Link a server sent: no terminal controls in the message.
    throw Error(ErrorCode::kFailure, "malformed URL '" + StripControl(text) + "'");
  }
  return url;
}

}  // namespace

std::string ResolveUrl(std::string_view base, std::string_view reference) {
  UrlHandle url = Parse(base);
  if (Curl().url_set(url.get(), CURLUPART_URL, std::string(reference).c_str(), 0) != CURLUE_OK) {
    throw Error(ErrorCode::kFailure, "malformed URL '" + StripControl(reference) + "' (relative to " + StripControl(base) + ")");
  }
  return Part(url.get(), CURLUPART_URL);
}

std::string UrlHost(std::string_view text) {
  UrlHandle url(Curl().url());
  if (Curl().url_set(url.get(), CURLUPART_URL, std::string(text).c_str(), 0) != CURLUE_OK) return "";
  std::string host = Part(url.get(), CURLUPART_HOST);
  std::string port = Part(url.get(), CURLUPART_PORT);
  return port.empty() ? host : host + ":" + port;
}

std::string UrlOrigin(std::string_view text) {
  UrlHandle url(Curl().url());
  if (Curl().url_set(url.get(), CURLUPART_URL, std::string(text).c_str(), 0) != CURLUE_OK) return "";
  std::string scheme = Part(url.get(), CURLUPART_SCHEME);
  std::string host = Part(url.get(), CURLUPART_HOST);
  std::string port = Part(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (scheme.empty() || host.empty()) return "";
  for (char& c : scheme) c = char(std::tolower(static_cast<unsigned char>(c)));
  for (char& c : host) c = char(std::tolower(static_cast<unsigned char>(c)));
  return scheme + "://" + host + ":" + port;
}

}  // namespace berth::http

namespace berth {

nlohmann::json ServeUrlParse(const nlohmann::json& request) {
  if (!request.is_object() || !request.contains("url") || !request["url"].is_string()) {
    throw Error(ErrorCode::kInvalidInput, "url.parse: the request has no text field 'url'");
  }
  std::string url = request["url"].get<std::string>();
  try {
    if (request.contains("base") && request["base"].is_string()) url = http::ResolveUrl(request["base"].get<std::string>(), url);
  } catch (const Error& error) {
    throw Error(ErrorCode::kInvalidInput, "url.parse: " + std::string(error.what()));
  }
  std::string host = http::UrlHost(url);
  if (host.empty()) throw Error(ErrorCode::kInvalidInput, "url.parse: malformed URL '" + StripControl(url) + "'");
  return {{"url", url}, {"scheme", http::UrlScheme(url)}, {"host", host}, {"origin", http::UrlOrigin(url)}};
}

}  // namespace berth
