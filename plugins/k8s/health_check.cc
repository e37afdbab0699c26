#include "health_check.h"

#include <curl/curl.h>

#include <algorithm>
#include <thread>

#include "berth/error.h"
#include "berth/version.h"

namespace berth::k8s {
namespace {

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

// One GET: the HTTP status, or 0 and what went wrong.
long Probe(const std::string& url, std::chrono::milliseconds timeout, std::string& problem) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) throw Error("cannot initialise libcurl");
  char error_buffer[CURL_ERROR_SIZE] = "";
  std::string user_agent = std::string("berth/") + BERTH_SDK_VERSION + " (health check)";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, long(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
  CURLcode code = curl_easy_perform(curl);
  long status = 0;
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    problem = "HTTP " + std::to_string(status);
  } else {
    problem = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  }
  curl_easy_cleanup(curl);
  return status;
}

}  // namespace

void WaitUntilHealthy(const HealthPoll& poll) {
  auto deadline = std::chrono::steady_clock::now() + poll.timeout;
  std::string last;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    std::string problem;
    long status = Probe(poll.url, std::clamp(left, std::chrono::milliseconds(1000), std::chrono::milliseconds(10000)), problem);
    if (status >= 200 && status <= 299) {
      if (poll.progress) poll.progress(poll.url + " is healthy (" + problem + ")");
      return;
    }
    if (problem != last && poll.progress) poll.progress("Waiting for " + poll.url + " to be healthy: " + problem);
    last = problem;
    if (std::chrono::steady_clock::now() + poll.interval >= deadline) {
      throw Error(ErrorCode::kDeploy, "health check of " + poll.url + " failed: still " + problem + " after " +
                                          std::to_string(poll.timeout.count() / 1000) + "s");
    }
    std::this_thread::sleep_for(poll.interval);
  }
}

}  // namespace berth::k8s
