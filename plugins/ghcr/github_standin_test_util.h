// Starts the GitHub REST API stand-in (tests/standins/github/github_api.py)
// for the ghcr plugin's tests and drives its control endpoints.
#ifndef BERTH_PLUGINS_GHCR_GITHUB_STANDIN_TEST_UTIL_H_
#define BERTH_PLUGINS_GHCR_GITHUB_STANDIN_TEST_UTIL_H_

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "berth/http/client.h"
#include "test_peer.h"

namespace berth::ghcr::testing {

class GitHubStandin {
 public:
  explicit GitHubStandin(std::vector<std::string> args = {})
      : peer_(std::make_unique<berth::testing::TestPeer>("tests/standins/github/github_api.py", std::move(args))) {}
  const nlohmann::json& ready() const { return peer_->ready(); }
  std::string url() const { return ready()["api_url"].get<std::string>(); }
  std::string token() const { return ready()["token"].get<std::string>(); }

  // A control or API request without credentials; the parsed JSON answer (null when empty).
  nlohmann::json Control(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr) const {
    http::Client client;
    http::Request request;
    request.method = method;
    request.url = url() + path;
    if (!body.is_null()) {
      request.body = body.dump();
      request.headers = {{"Content-Type", "application/json"}};
    }
    http::Response response = client.Send(request);
    if (response.body.empty()) return nullptr;
    return nlohmann::json::parse(response.body);
  }
  nlohmann::json Journal() const { return Control("GET", "/_standin/requests"); }
  void ClearJournal() const { Control("DELETE", "/_standin/requests"); }

 private:
  std::unique_ptr<berth::testing::TestPeer> peer_;
};

}  // namespace berth::ghcr::testing

#endif  // BERTH_PLUGINS_GHCR_GITHUB_STANDIN_TEST_UTIL_H_
