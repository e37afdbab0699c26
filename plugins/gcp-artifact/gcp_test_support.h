// For the plugin's tests and its e2e test: the Google stand-in (tests/standins/google, a
// test-only imitation of Google's endpoints) started per test suite, its
// control endpoints and request journal, and a CredentialEnvironment that
// sees only what a test gives it.
#ifndef BERTH_PLUGINS_GCP_ARTIFACT_GCP_TEST_SUPPORT_H_
#define BERTH_PLUGINS_GCP_ARTIFACT_GCP_TEST_SUPPORT_H_

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "berth/http/client.h"
#include "credential_chain.h"
#include "test_peer.h"

namespace berth::gcp::testing {

class GoogleStandin {
 public:
  explicit GoogleStandin(std::vector<std::string> args = {})
      : peer_(std::make_unique<berth::testing::TestPeer>("tests/standins/google/google_apis.py", std::move(args))) {}

  const nlohmann::json& ready() const { return peer_->ready(); }
  std::string url() const { return ready()["url"].get<std::string>(); }
  std::string key_file() const { return ready()["key_file"].get<std::string>(); }
  std::string metadata_host() const { return ready()["metadata_host"].get<std::string>(); }
  std::string project() const { return ready()["project_id"].get<std::string>(); }

  http::Response Send(const std::string& method, const std::string& path, const std::string& body = "") const {
    http::Client client;
    http::Request request;
    request.method = method;
    request.url = url() + path;
    request.body = body;
    if (!body.empty()) request.headers = {{"Content-Type", "application/json"}};
    return client.Send(request);
  }
  nlohmann::json Control(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr) const {
    http::Response response = Send(method, path, body.is_null() ? "" : body.dump());
    return response.body.empty() ? nlohmann::json() : nlohmann::json::parse(response.body);
  }
  nlohmann::json Journal() const { return Control("GET", "/_standin/requests"); }
  void ClearJournal() const { Send("DELETE", "/_standin/requests"); }
  // Journal entries whose path starts with `prefix` ("/token" is the token endpoint alone, not /tokeninfo).
  std::vector<nlohmann::json> Requests(const std::string& prefix) const {
    std::vector<nlohmann::json> found;
    for (const auto& entry : Journal()) {
      const std::string path = entry["path"].get<std::string>();
      if (prefix == "/token" ? path == prefix : path.rfind(prefix, 0) == 0) found.push_back(entry);
    }
    return found;
  }

 private:
  std::unique_ptr<berth::testing::TestPeer> peer_;
};

// Only `env` and `programs` exist; the DMI file is one the test names.
inline CredentialEnvironment FakeEnvironment(std::map<std::string, std::string> env,
                                             std::map<std::string, std::filesystem::path> programs = {},
                                             std::filesystem::path dmi = "/nonexistent/product_name") {
  CredentialEnvironment environment;
  environment.getenv = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  environment.find_program = [programs](const std::string& name) -> std::optional<std::filesystem::path> {
    auto it = programs.find(name);
    return it == programs.end() ? std::nullopt : std::optional<std::filesystem::path>(it->second);
  };
  environment.dmi_product_name = std::move(dmi);
  return environment;
}

}  // namespace berth::gcp::testing

#endif  // BERTH_PLUGINS_GCP_ARTIFACT_GCP_TEST_SUPPORT_H_
