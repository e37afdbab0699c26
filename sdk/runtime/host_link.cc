#include "berth/abi/host_link.h"

#include "berth/abi/buffer.h"
#include "berth/abi/codec.h"
#include "berth/abi/objects.h"
#include "berth/project.h"
#include "berth/secret.h"
#include "berth/util/redact.h"

namespace berth {
namespace internal {

// In a plugin, a secret joins the host's redaction list (everything berth
// prints) and, for the plugin's own Redact(), the plugin's.
void NotifySecret(const std::string& value) noexcept {
  const berth_host_api* host = abi::Host();
  if (host != nullptr && host->add_redaction != nullptr && !value.empty()) {
    host->add_redaction(host->host, value.data(), value.size());
  }
  try {
    RedactInThisModule(value);
  } catch (...) {
    // Out of memory: the host still has the value.
  }
}

}  // namespace internal

void RegisterSecret(std::string_view value) { internal::NotifySecret(std::string(value)); }

std::optional<ProjectContext> CurrentProject(const std::string& environment) {
  nlohmann::json answer;
  nlohmann::json request = nlohmann::json::object();
  if (!environment.empty()) request["environment"] = environment;
  try {
    answer = abi::CallHost("project.context", request);
  } catch (const Error& error) {
    if (error.code() == ErrorCode::kPlugin) return std::nullopt;  // No host, or one without the service.
    throw;
  }
  if (!answer.value("present", false)) return std::nullopt;
  ProjectContext project{answer.value("dir", ""), answer.value("file", ""), answer.value("service", ""),
                         answer.value("environment", "")};
  if (answer.contains("environments") && answer["environments"].is_array()) {
    for (const auto& name : answer["environments"]) {
      if (name.is_string()) project.environments.push_back(name.get<std::string>());
    }
  }
  if (answer.contains("target") && answer["target"].is_object()) {
    project.target = answer["target"].value("plugin", "");
    project.target_settings = answer["target"].value("settings", nlohmann::json::object());
  }
  if (answer.contains("secrets") && answer["secrets"].is_object()) {
    project.secret_store = answer["secrets"].value("store", "");
    project.secret_store_settings = answer["secrets"].value("settings", nlohmann::json::object());
    for (const auto& file : answer["secrets"].value("from", nlohmann::json::array())) {
      if (file.is_string()) project.secrets_from.emplace_back(file.get<std::string>());
    }
  }
  return project;
}

namespace abi {
namespace {

const berth_host_api* g_host = nullptr;

berth_object OpenFromHost(const char* kind, const std::string& name, const nlohmann::json& settings) {
  const berth_host_api* host = Host();
  if (host == nullptr || host->open == nullptr) throw Error(ErrorCode::kPlugin, "the host offers no objects to this plugin");
  std::string text = settings.dump();
  berth_object object{};
  berth_buffer error{};
  int32_t status = host->open(host->host, kind, name.c_str(), text.data(), text.size(), &object, &error);
  std::string message = Take(error);
  if (status != BERTH_STATUS_OK) throw Error(ErrorCodeOf(status), message);
  return object;
}

}  // namespace

const berth_host_api* Host() noexcept { return g_host; }
void SetHost(const berth_host_api* host) noexcept { g_host = host; }

nlohmann::json CallHost(const char* service, const nlohmann::json& request) {
  const berth_host_api* host = Host();
  if (host == nullptr || host->call == nullptr) throw Error(ErrorCode::kPlugin, std::string("the host offers no service ") + service);
  std::string text = request.dump();
  berth_buffer reply{};
  berth_buffer error{};
  int32_t status = host->call(host->host, service, text.data(), text.size(), &reply, &error);
  std::fill(text.begin(), text.end(), '\0');
  std::string message = Take(error);
  std::string answer = Take(reply);
  if (status != BERTH_STATUS_OK) throw Error(ErrorCodeOf(status), message);
  return ParseJson(answer.data(), answer.size(), std::string("reply of host service ") + service);
}

Result<std::unique_ptr<SecretStore>> HostServices::OpenSecretStore(const std::string& kind,
                                                                   const nlohmann::json& settings) noexcept {
  return CaptureResult([&] { return ImportSecretStore(OpenFromHost("secret-store", kind, settings), "secret store " + kind); });
}

Result<std::unique_ptr<Target>> HostServices::OpenTarget(const std::string& kind, const nlohmann::json& settings) noexcept {
  return CaptureResult([&] { return ImportTarget(OpenFromHost("target", kind, settings), "target " + kind); });
}

Result<std::unique_ptr<CredentialProvider>> HostServices::OpenCredentialProvider(const std::string& name,
                                                                                 const nlohmann::json& settings) noexcept {
  return CaptureResult(
      [&] { return ImportCredentialProvider(OpenFromHost("credential", name, settings), "credential " + name); });
}

Result<IssuedToken> HostServices::MintToken(const std::string& name, const nlohmann::json& settings,
                                            const TokenRequest& request) noexcept {
  return CaptureResult([&]() -> IssuedToken {
    std::unique_ptr<CredentialProvider> provider = OpenCredentialProvider(name, settings).value();
    return provider->Token(request).value();
  });
}

Result<std::unique_ptr<Signer>> HostServices::OpenSigner(const std::string& kind, const nlohmann::json& settings) noexcept {
  return CaptureResult([&] { return ImportSigner(OpenFromHost("signer", kind, settings), "signer " + kind); });
}

}  // namespace abi
}  // namespace berth
