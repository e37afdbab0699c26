#include "key_repository.h"

#include "berth/error.h"
#include "berth/util/log.h"
#include "http_fetch.h"

namespace berth::asap {
namespace {

constexpr size_t kMaxKeyBytes = 64 * 1024;

}  // namespace

KeyRepositories::KeyRepositories(std::vector<std::string> base_urls) {
  if (base_urls.empty()) throw Error(ErrorCode::kUsage, "no key repository given (--key-repo URL or ASAP_PUBLIC_KEY_REPOSITORY_URL)");
  for (std::string& url : base_urls) {
    bool https = url.rfind("https://", 0) == 0;
    bool local_http = url.rfind("http://", 0) == 0 && IsLoopbackUrl(url);
    if (!https && !local_http) {
      throw Error(ErrorCode::kUsage, "key repository '" + url + "' must be an https:// URL (plain http only for 127.0.0.1, localhost and [::1])");
    }
    if (url.back() != '/') url += '/';
    base_urls_.push_back(std::move(url));
  }
}

FetchedKey KeyRepositories::Fetch(const std::string& kid) const {
  std::string failures;
  for (const std::string& base : base_urls_) {
    HttpRequest request;
    request.url = base + kid;
    request.headers = {{"Accept", "application/x-pem-file"}};
    request.timeout_seconds = 15;
    request.max_response_bytes = kMaxKeyBytes;
    request.follow_redirects = true;
    HttpResponse response;
    try {
      response = HttpFetch(request);
    } catch (const Error& e) {
      log::Warn("key repository {} failed: {}", base, e.what());
      failures += (failures.empty() ? "" : "; ") + std::string(e.what());
      continue;
    }
    if (response.status == 200) return FetchedKey{jwt::PublicKey::FromPem(response.body, request.url), request.url};
    if (response.status >= 500) {
      log::Warn("key repository {} answered HTTP {}; trying the next one", base, response.status);
      failures += (failures.empty() ? "" : "; ") + request.url + ": HTTP " + std::to_string(response.status);
      continue;
    }
    if (response.status == 404) {
      throw Error(ErrorCode::kNotFound, "public key '" + kid + "' not found at " + request.url + " (HTTP 404)");
    }
    throw Error(ErrorCode::kFailure, "cannot fetch public key '" + kid + "': " + request.url + " answered HTTP " + std::to_string(response.status));
  }
  throw Error(ErrorCode::kFailure, "cannot fetch public key '" + kid + "' from any key repository: " + failures);
}

}  // namespace berth::asap
