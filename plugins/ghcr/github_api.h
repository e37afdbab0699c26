// A small client for the GitHub REST API (api.github.com, GitHub Enterprise's
// https://HOST/api/v3, or a test stand-in) over berth's HTTP service: the
// headers GitHub requires, JSON error bodies turned into one-line berth
// errors, Link pagination, and waiting out rate limits (403 with
// X-RateLimit-Remaining: 0 until X-RateLimit-Reset, 429/403 with
// Retry-After) up to a bound. Network errors and 5xx answers are tried again
// by the service's retry option.
#ifndef BERTH_PLUGINS_GHCR_GITHUB_API_H_
#define BERTH_PLUGINS_GHCR_GITHUB_API_H_

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "berth/error.h"
#include "berth/http/host_client.h"
#include "berth/secret.h"

namespace berth::ghcr {

inline constexpr char kApiVersion[] = "2022-11-28";

struct ApiOptions {
  std::string base_url = "https://api.github.com";  // No trailing slash.
  SecretValue token;                                // Empty: unauthenticated.
  std::string token_origin;                         // For messages: "GH_TOKEN", "/path/to/file".
  std::string ca_file;                              // PEM trust store for the API; empty: the system's.
  int attempts = 5;                                 // Tries per request, the first included.
  // The longest berth waits for a rate limit to lift (per wait); a longer
  // one fails at once with the time it lifts.
  std::chrono::seconds max_rate_limit_wait{60};
  std::chrono::milliseconds initial_backoff{500};
};

struct ApiResponse {
  int status = 0;
  nlohmann::json body;  // null for an empty body.
  std::optional<std::string> next_url;  // Link rel="next".
};

class GitHubApi {
 public:
  explicit GitHubApi(ApiOptions options);
  ~GitHubApi();

  const ApiOptions& options() const { return options_; }

  // `path` starts with "/" (already percent-encoded) or is a full URL from a
  // Link header. Returns 2xx answers; `allowed` lists other statuses the
  // caller handles itself (e.g. 404). Anything else throws Error:
  // kAuth (401, 403 for scopes), kNotFound (404), kInvalidInput (422, 400),
  // kFailure (rate limit not lifted in time, 5xx after retries, network).
  ApiResponse Call(const std::string& method, const std::string& path, const std::optional<nlohmann::json>& body = std::nullopt,
                   const std::vector<int>& allowed = {});
  // Every item of a paginated list: `path` with per_page=100, following
  // Link rel="next". `items_key` names the array in an object answer
  // ("secrets"); empty for an array answer.
  std::vector<nlohmann::json> ListAll(const std::string& path, const std::string& items_key = "");

  // Hook for tests: replaces sleeping while a rate limit lifts.
  void SetSleeper(std::function<void(std::chrono::milliseconds)> sleeper) { sleep_ = std::move(sleeper); }

 private:
  std::string Url(const std::string& path) const;
  // Seconds to wait before trying again, or nullopt when the answer is not a rate limit.
  std::optional<std::chrono::milliseconds> RateLimitWait(const http::HostResponse& response) const;
  [[noreturn]] void Fail(const std::string& what, const http::HostResponse& response) const;

  ApiOptions options_;
  std::string ca_pem_;  // options_.ca_file's contents.
  http::HostClient http_;
  std::function<void(std::chrono::milliseconds)> sleep_;
};

// The URL of rel="next" in a Link header, if any.
std::optional<std::string> NextLink(const std::string& link_header);

// Percent-encodes one path segment ("team/web" -> "team%2Fweb").
std::string PathSegment(const std::string& text);

}  // namespace berth::ghcr

#endif  // BERTH_PLUGINS_GHCR_GITHUB_API_H_
