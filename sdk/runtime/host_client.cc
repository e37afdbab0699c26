// The plugin's side of "http.request": a HostRequest as the service's JSON,
// the JSON reply as a HostResponse, and what a JSON API client does with it.
// In the plugin runtime and in libberth-sdk alike (see host_client.h).
#include "berth/http/host_client.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "berth/util/base64.h"

namespace berth::http {
namespace {

constexpr size_t kMaxErrorText = 200;

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

// Server text for a one-line message: controls become spaces, runs of
// spaces one space, cut at kMaxErrorText.
std::string OneLine(std::string_view text) {
  std::string line;
  for (unsigned char c : text) {
    char out = (c < 0x20 || c == 0x7f) ? ' ' : char(c);
    if (out == ' ' && (line.empty() || line.back() == ' ')) continue;
    line += out;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  if (line.size() > kMaxErrorText) {
    size_t cut = kMaxErrorText;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // Not inside a UTF-8 sequence.
    line = line.substr(0, cut) + "...";
  }
  return line;
}

std::string StringField(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

nlohmann::json RequestJson(const HostRequest& request) {
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& [name, value] : request.headers) headers.push_back({name, value});
  nlohmann::json json = {
      {"method", request.method},
      {"url", request.url},
      {"headers", std::move(headers)},
      {"timeout_ms", request.timeout.count()},
      {"connect_timeout_ms", request.connect_timeout.count()},
      {"follow_redirects", request.follow_redirects},
      {"max_body_bytes", request.max_body_bytes},
  };
  if (!request.body.empty()) {
    if (IsValidUtf8(request.body)) {
      json["body"] = request.body;
    } else {
      json["body_base64"] = Base64Encode(request.body);
    }
  }
  if (request.retry.attempts > 1) {
    json["retry"] = {{"attempts", request.retry.attempts},
                     {"initial_backoff_ms", request.retry.initial_backoff.count()},
                     {"max_backoff_ms", request.retry.max_backoff.count()}};
    if (!request.retry.statuses.empty()) json["retry"]["statuses"] = request.retry.statuses;
  }
  const HostTls& tls = request.tls;
  nlohmann::json tls_json = nlohmann::json::object();
  if (tls.insecure_skip_verify) tls_json["insecure_skip_verify"] = true;
  if (!tls.ca_pem.empty()) tls_json["ca_pem"] = tls.ca_pem;
  if (!tls.client_cert_pem.empty()) tls_json["client_cert_pem"] = tls.client_cert_pem;
  if (!tls.client_key_pem.empty()) tls_json["client_key_pem"] = tls.client_key_pem.Reveal();
  if (!tls.server_name.empty()) tls_json["server_name"] = tls.server_name;
  if (!tls_json.empty()) json["tls"] = std::move(tls_json);
  if (!request.proxy.empty()) json["proxy"] = request.proxy;
  return json;
}

HostResponse ResponseFrom(const nlohmann::json& reply, const HostRequest& request) {
  HostResponse response;
  response.status = reply.value("status", 0);
  if (auto headers = reply.find("headers"); headers != reply.end() && headers->is_array()) {
    for (const auto& pair : *headers) {
      if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
        response.headers.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
      }
    }
  }
  if (reply.contains("body_base64")) {
    std::optional<std::string> body = Base64Decode(reply.value("body_base64", ""));
    if (!body) {
      throw Error(ErrorCode::kPlugin, request.method + " " + UrlForMessages(request.url) + ": the host's reply has a malformed body_base64");
    }
    response.body = std::move(*body);
  } else {
    response.body = reply.value("body", "");
  }
  response.effective_url = reply.value("effective_url", request.url);
  response.attempts = reply.value("attempts", 1);
  return response;
}

}  // namespace

std::optional<std::string> HostResponse::Header(std::string_view name) const {
  std::string key = Lower(name);
  for (const auto& [k, v] : headers) {
    if (Lower(k) == key) return v;
  }
  return std::nullopt;
}

HostResponse HostClient::Send(const HostRequest& request) const {
  nlohmann::json json = RequestJson(request);
  nlohmann::json reply = internal::CallHttpService(json);
  return ResponseFrom(reply, request);
}

nlohmann::json HostClient::SendJson(HostRequest request, const nlohmann::json& body) const {
  auto has = [&](std::string_view name) {
    return std::any_of(request.headers.begin(), request.headers.end(),
                       [&](const auto& header) { return Lower(header.first) == name; });
  };
  if (!has("accept")) request.headers.emplace_back("Accept", "application/json");
  if (!body.is_null()) {
    request.body = body.dump();
    if (!has("content-type")) request.headers.emplace_back("Content-Type", "application/json");
  }
  HostResponse response = Send(request);
  if (!response.ok()) throw StatusError(request, response);
  if (response.body.empty()) return nullptr;
  nlohmann::json parsed = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    throw Error(ErrorCode::kFailure, request.method + " " + UrlForMessages(request.url) + ": the answer (HTTP " +
                                         std::to_string(response.status) + ") is not JSON");
  }
  return parsed;
}

ErrorCode ErrorCodeForStatus(int status) {
  switch (status) {
    case 401:
    case 403:
      return ErrorCode::kAuth;
    case 404:
      return ErrorCode::kNotFound;
    case 400:
    case 409:
    case 413:
    case 415:
    case 422:
      return ErrorCode::kInvalidInput;
    default:
      return ErrorCode::kFailure;
  }
}

std::string ShortErrorText(const HostResponse& response) {
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  std::string text;
  if (body.is_object()) {
    text = StringField(body, "message");
    if (text.empty()) {
      auto error = body.find("error");
      if (error != body.end() && error->is_string()) {
        text = error->get<std::string>();
        if (std::string description = StringField(body, "error_description"); !description.empty()) text += ": " + description;
      } else if (error != body.end() && error->is_object()) {
        text = StringField(*error, "message");
        if (text.empty()) text = StringField(*error, "status");
      }
    }
    if (text.empty()) text = StringField(body, "detail");
    if (text.empty()) text = StringField(body, "error_description");
  } else if (body.is_discarded() && IsValidUtf8(response.body)) {
    text = response.body.substr(0, response.body.find('\n'));
  }
  return OneLine(text);
}

Error StatusError(const HostRequest& request, const HostResponse& response) {
  std::string text = ShortErrorText(response);
  std::string status = "HTTP " + std::to_string(response.status);
  return Error(ErrorCodeForStatus(response.status), request.method + " " + UrlForMessages(request.url) + ": " +
                                                        (text.empty() ? status : text + " (" + status + ")"));
}

std::string UrlForMessages(std::string_view url) {
  std::string_view shown = url.substr(0, url.find_first_of("?#"));
  size_t scheme = shown.find("://");
  size_t authority = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t path = shown.find('/', authority);
  size_t at = shown.substr(0, path).rfind('@');
  if (at != std::string_view::npos && at >= authority) {
    return std::string(shown.substr(0, authority)) + std::string(shown.substr(at + 1));
  }
  return std::string(shown);
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    uint32_t code = length == 1 ? c : length == 2 ? (c & 0x1F) : length == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < length; ++k) {
      unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[length] || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return false;
    i += length;
  }
  return true;
}

}  // namespace berth::http
