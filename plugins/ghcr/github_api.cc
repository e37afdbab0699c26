#include "github_api.h"

#include <algorithm>
#include <ctime>
#include <thread>

#include "berth/http/retry.h"
#include "berth/http/url.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"
#include "berth/util/redact.h"
#include "berth/util/text.h"
#include "berth/util/time.h"

namespace berth::ghcr {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string StatusText(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "";
  }
}

// "404 Not Found (Package not found.)" from GitHub's {message, errors} body.
std::string Describe(const http::HostResponse& response) {
  std::string text = std::to_string(response.status);
  if (std::string reason = StatusText(response.status); !reason.empty()) text += " " + reason;
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  std::string detail;
  if (body.is_object()) {
    if (auto m = body.find("message"); m != body.end() && m->is_string()) detail = m->get<std::string>();
    if (auto errors = body.find("errors"); errors != body.end() && errors->is_array()) {
      for (const auto& e : *errors) {
        if (e.is_object() && e.contains("message") && e["message"].is_string()) detail += "; " + e["message"].get<std::string>();
      }
    }
  }
  detail = StripControl(detail);  // Server text: no terminal controls.
  // GitHub's messages sometimes span lines ("Invalid request.\n\n..."): one line, single spaces.
  std::string line;
  for (char c : detail) {
    if (c == '\n' || c == '\r') c = ' ';
    if (c == ' ' && (line.empty() || line.back() == ' ')) continue;
    line += c;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  if (!line.empty()) text += " (" + line + ")";
  return text;
}

std::optional<int64_t> HeaderNumber(const http::HostResponse& response, std::string_view name) {
  auto value = response.Header(name);
  if (!value) return std::nullopt;
  try {
    size_t used = 0;
    int64_t number = std::stoll(*value, &used);
    if (used == 0) return std::nullopt;
    return number;
  } catch (...) {
    return std::nullopt;
  }
}

std::string UtcTime(int64_t epoch) { return FormatRfc3339(epoch); }

}  // namespace

std::optional<std::string> NextLink(const std::string& link_header) {
  size_t position = 0;
  while (position < link_header.size()) {
    size_t open = link_header.find('<', position);
    if (open == std::string::npos) return std::nullopt;
    size_t close = link_header.find('>', open);
    if (close == std::string::npos) return std::nullopt;
    size_t end = link_header.find('<', close);
    std::string params = link_header.substr(close + 1, end == std::string::npos ? std::string::npos : end - close - 1);
    if (params.find("rel=\"next\"") != std::string::npos || params.find("rel=next") != std::string::npos) {
      return link_header.substr(open + 1, close - open - 1);
    }
    position = close + 1;
  }
  return std::nullopt;
}

std::string PathSegment(const std::string& text) { return http::UrlEncode(text); }

GitHubApi::GitHubApi(ApiOptions options)
    : options_(std::move(options)),
      sleep_([](milliseconds wait) { std::this_thread::sleep_for(wait); }) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
  if (!options_.token.empty()) RegisterSecret(options_.token.Reveal());
  if (!options_.ca_file.empty()) ca_pem_ = ReadFile(options_.ca_file);
}

GitHubApi::~GitHubApi() = default;

std::string GitHubApi::Url(const std::string& path) const {
  if (path.starts_with("http://") || path.starts_with("https://")) return path;
  return options_.base_url + path;
}

std::optional<milliseconds> GitHubApi::RateLimitWait(const http::HostResponse& response) const {
  if (response.status != 403 && response.status != 429) return std::nullopt;
  if (auto retry_after = response.Header("retry-after")) {
    if (auto parsed = http::ParseRetryAfter(*retry_after)) return *parsed;
  }
  auto remaining = HeaderNumber(response, "x-ratelimit-remaining");
  if (remaining && *remaining == 0) {
    if (auto reset = HeaderNumber(response, "x-ratelimit-reset")) {
      auto now = std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch());
      // The reset second is when it lifts; a little past it, so the first try is not refused again.
      return std::max(milliseconds(0), milliseconds(*reset * 1000) - now) + milliseconds(250);
    }
    return seconds(60);
  }
  // A secondary limit without headers: GitHub asks for at least a minute.
  if (response.status == 429 || response.body.find("secondary rate limit") != std::string::npos) return seconds(60);
  return std::nullopt;
}

void GitHubApi::Fail(const std::string& what, const http::HostResponse& response) const {
  std::string described = Describe(response);
  std::string token_note = options_.token.empty() ? " without a token (set GH_TOKEN or GITHUB_TOKEN)"
                                                  : " with the token from " + options_.token_origin;
  switch (response.status) {
    case 401:
      throw Error(ErrorCode::kAuth, "GitHub API " + what + " refused" + token_note + ": " + described);
    case 403:
      throw Error(ErrorCode::kAuth, "GitHub API " + what + " forbidden" + token_note + ": " + described +
                                        (response.Header("x-accepted-oauth-scopes")
                                             ? " (needs scopes: " + *response.Header("x-accepted-oauth-scopes") + ")"
                                             : ""));
    case 404:
      throw Error(ErrorCode::kNotFound, "GitHub API " + what + ": " + described);
    case 400:
    case 422:
      throw Error(ErrorCode::kInvalidInput, "GitHub API " + what + ": " + described);
    default:
      throw Error(ErrorCode::kFailure, "GitHub API " + what + ": " + described);
  }
}

ApiResponse GitHubApi::Call(const std::string& method, const std::string& path, const std::optional<nlohmann::json>& body,
                            const std::vector<int>& allowed) {
  const std::string url = Url(path);
  // Messages name the path, not the host: it may be long and says nothing new.
  std::string shown = url.starts_with(options_.base_url) ? url.substr(options_.base_url.size()) : url;
  const std::string what = method + " " + shown;
  // The service tries network errors and 5xx again; 403 and 429 are
  // GitHub's rate limits, waited out below (up to max_rate_limit_wait).
  http::HostRequest request;
  request.method = method;
  request.url = url;
  request.headers = {{"Accept", "application/vnd.github+json"},
                     {"X-GitHub-Api-Version", kApiVersion},
                     {"User-Agent", "berth-ghcr"}};
  if (!options_.token.empty()) request.headers.push_back({"Authorization", "Bearer " + options_.token.Reveal()});
  if (body) {
    request.body = body->dump();
    request.headers.push_back({"Content-Type", "application/json"});
  }
  request.retry = {.attempts = options_.attempts, .initial_backoff = options_.initial_backoff,
                   .statuses = {408, 500, 502, 503, 504}};
  request.tls.ca_pem = ca_pem_;
  for (int attempt = 1;; ++attempt) {
    http::HostResponse response;
    try {
      response = http_.Send(request);
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kFailure) throw;
      // The service's message names the method and the full URL: this one names the path.
      std::string detail = e.what();
      std::string call = method + " " + http::UrlForMessages(url) + ": ";
      if (detail.starts_with(call)) detail.erase(0, call.size());
      throw Error(ErrorCode::kFailure, "GitHub API " + what + " failed: " + detail);
    }
    if ((response.status >= 200 && response.status < 300) ||
        std::find(allowed.begin(), allowed.end(), response.status) != allowed.end()) {
      ApiResponse out;
      out.status = response.status;
      if (!response.body.empty()) {
        out.body = nlohmann::json::parse(response.body, nullptr, false);
        if (out.body.is_discarded()) throw Error(ErrorCode::kFailure, "GitHub API " + what + ": the answer is not JSON");
      }
      if (auto link = response.Header("link")) out.next_url = NextLink(*link);
      return out;
    }
    if (auto wait = RateLimitWait(response)) {
      auto remaining = HeaderNumber(response, "x-ratelimit-remaining");
      std::string kind = remaining && *remaining == 0 && !response.Header("retry-after") ? "primary" : "secondary";
      auto reset = HeaderNumber(response, "x-ratelimit-reset");
      std::string lifts = kind == "primary" && reset ? " (lifts at " + UtcTime(*reset) + ")" : "";
      auto wait_seconds = std::chrono::duration_cast<seconds>(*wait + milliseconds(999)).count();
      if (*wait > options_.max_rate_limit_wait) {
        throw Error(ErrorCode::kFailure, "GitHub API " + what + ": " + kind + " rate limit exceeded" + lifts + "; it lifts in " +
                                             std::to_string(wait_seconds) + " s, longer than berth waits (" +
                                             std::to_string(options_.max_rate_limit_wait.count()) +
                                             " s, setting rate-limit-wait); try again later");
      }
      if (attempt >= options_.attempts) {
        throw Error(ErrorCode::kFailure, "GitHub API " + what + ": still " + kind + " rate limited after " +
                                             std::to_string(attempt) + " attempts (" + Describe(response) + ")");
      }
      log::Info("GitHub API {}: {} rate limit, waiting {} s (try {} of {})", what, kind, wait_seconds, attempt, options_.attempts);
      sleep_(*wait);
      continue;
    }
    Fail(what, response);
  }
}

std::vector<nlohmann::json> GitHubApi::ListAll(const std::string& path, const std::string& items_key) {
  std::vector<nlohmann::json> items;
  std::string next = http::AddQuery(Url(path), "per_page", "100");
  std::vector<std::string> seen;
  while (!next.empty()) {
    if (std::find(seen.begin(), seen.end(), next) != seen.end()) {
      throw Error(ErrorCode::kFailure, "GitHub API GET " + path + ": the Link pagination loops");
    }
    seen.push_back(next);
    // The token goes with every request: never follow a Link to another server.
    if (http::UrlScheme(next) != http::UrlScheme(options_.base_url) || http::UrlHost(next) != http::UrlHost(options_.base_url)) {
      throw Error(ErrorCode::kFailure, "GitHub API GET " + path + ": refusing a Link to another server (" + http::UrlHost(next) + ")");
    }
    ApiResponse page = Call("GET", next);
    const nlohmann::json* list = &page.body;
    if (!items_key.empty()) {
      if (!page.body.is_object() || !page.body.contains(items_key)) {
        throw Error(ErrorCode::kFailure, "GitHub API GET " + path + ": the answer has no '" + items_key + "'");
      }
      list = &page.body[items_key];
    }
    if (!list->is_array()) throw Error(ErrorCode::kFailure, "GitHub API GET " + path + ": expected a list");
    for (const auto& item : *list) items.push_back(item);
    next = page.next_url.value_or("");
  }
  return items;
}

}  // namespace berth::ghcr
