// Starts the GitHub REST API stand-in (tests/standins/github/github_api.py)
// for the ghcr plugin's tests and drives its control endpoints.
#ifndef BERTH_PLUGINS_GHCR_GITHUB_STANDIN_TEST_UTIL_H_
#define BERTH_PLUGINS_GHCR_GITHUB_STANDIN_TEST_UTIL_H_

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <memory>
#include <string>
#include <vector>

#include "berth/http/client.h"
#include "berth/util/base64.h"
#include "berth/util/fs.h"
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

  // Opens a sealed box with the stand-in's repository key pair, as GitHub
  // would; "<malformed>" or "<does not open>" otherwise. Needs sodium_init().
  std::string OpenSealed(const std::string& encrypted_base64) const {
    auto key = nlohmann::json::parse(ReadFile(ready()["secrets_key_file"].get<std::string>()));
    auto pk = Base64Decode(key["public_key"].get<std::string>());
    auto sk = Base64Decode(key["private_key"].get<std::string>());
    auto sealed = Base64Decode(encrypted_base64);
    if (!pk || !sk || !sealed || sealed->size() < crypto_box_SEALBYTES) return "<malformed>";
    std::string plain(sealed->size() - crypto_box_SEALBYTES, '\0');
    if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(plain.data()), reinterpret_cast<const unsigned char*>(sealed->data()),
                             sealed->size(), reinterpret_cast<const unsigned char*>(pk->data()),
                             reinterpret_cast<const unsigned char*>(sk->data())) != 0) {
      return "<does not open>";
    }
    return plain;
  }

 private:
  std::unique_ptr<berth::testing::TestPeer> peer_;
};

}  // namespace berth::ghcr::testing

#endif  // BERTH_PLUGINS_GHCR_GITHUB_STANDIN_TEST_UTIL_H_
