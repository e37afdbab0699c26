// The "asap" credential provider: what other plugins and commands get from
// Services::MintToken("asap", settings, request).
//
// Settings (JSON, e.g. from a berth.yaml block):
//   {"config": ".asap-config"}                       an .asap-config file
//   {"issuer": ..., "key_id": ..., "private_key_file": ..., "audience": [...]}
//   {}                                               ASAP_* environment, else ./.asap-config
#ifndef BERTH_PLUGINS_ASAP_ASAP_PROVIDER_H_
#define BERTH_PLUGINS_ASAP_ASAP_PROVIDER_H_

#include <nlohmann/json.hpp>

#include <memory>

#include "asap_credentials.h"
#include "berth/credential_provider.h"

namespace berth::asap {

class AsapProvider : public CredentialProvider {
 public:
  explicit AsapProvider(AsapCredentials credentials) : credentials_(std::move(credentials)) {}
  // Throws Error(kAuth/kInvalidInput) naming the setting or file.
  static std::unique_ptr<AsapProvider> FromSettings(const nlohmann::json& settings, const EnvLookup& env);

  Result<IssuedToken> Token(const TokenRequest& request) noexcept override;

 private:
  AsapCredentials credentials_;
};

}  // namespace berth::asap

#endif  // BERTH_PLUGINS_ASAP_ASAP_PROVIDER_H_
