#include "health_probe.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "berth/error.h"
#include "berth/log.h"

namespace berth::micros {
namespace {

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

void GlobalInit() {
  static const bool initialized = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  if (!initialized) throw Error(ErrorCode::kFailure, "cannot initialise libcurl");
}

}  // namespace

std::string ProbeResult::Describe() const { return status != 0 ? "HTTP " + std::to_string(status) : error; }

ProbeResult ProbeOnce(const std::string& url, std::chrono::milliseconds timeout) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    throw Error(ErrorCode::kInvalidInput, "health URL '" + url + "' must start with http:// or https://");
  }
  GlobalInit();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw Error(ErrorCode::kFailure, "cannot create a libcurl handle");
  char error[CURL_ERROR_SIZE] = {0};
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(handle, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, long(std::max<long long>(timeout.count(), 1)));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, long(std::max<long long>(timeout.count(), 1)));
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "berth-micros-health");
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
  ProbeResult result;
  CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    result.error = error[0] != '\0' ? error : curl_easy_strerror(code);
    return result;
  }
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &result.status);
  return result;
}

WaitResult WaitHealthy(const std::string& url, std::chrono::seconds timeout, std::chrono::seconds interval) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  const auto deadline = started + timeout;
  WaitResult wait;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    // Each probe may take at most what is left (and at least a moment).
    wait.last = ProbeOnce(url, std::clamp(left, std::chrono::milliseconds(200), std::chrono::milliseconds(10000)));
    ++wait.attempts;
    wait.waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    log::Info("health {}: {} (attempt {}, {:.1f}s)", url, wait.last.Describe(), wait.attempts, wait.waited.count() / 1000.0);
    if (wait.last.healthy()) {
      wait.healthy = true;
      return wait;
    }
    if (Clock::now() >= deadline) return wait;
    // The last probe is at the deadline, so a timeout of N seconds gets N seconds.
    std::this_thread::sleep_until(std::min(Clock::now() + interval, deadline));
  }
}

}  // namespace berth::micros
