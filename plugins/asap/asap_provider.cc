#include "asap_provider.h"

#include "asap_minter.h"
#include "berth/error.h"
#include "berth/util/fs.h"

namespace berth::asap {
namespace {

std::optional<std::string> Setting(const nlohmann::json& settings, const char* name) {
  auto it = settings.find(name);
  if (it == settings.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw Error(ErrorCode::kInvalidInput, std::string("asap credential setting '") + name + "' must be a string");
  return it->get<std::string>();
}

}  // namespace

std::unique_ptr<AsapProvider> AsapProvider::FromSettings(const nlohmann::json& settings, const EnvLookup& env) {
  if (!settings.is_null() && !settings.is_object()) throw Error(ErrorCode::kInvalidInput, "asap credential settings must be an object");
  nlohmann::json given = settings.is_null() ? nlohmann::json::object() : settings;
  if (auto config = Setting(given, "config")) return std::make_unique<AsapProvider>(CredentialsFromConfig(*config));
  if (auto key_file = Setting(given, "private_key_file")) {
    AsapCredentials credentials;
    credentials.source = *key_file;
    auto issuer = Setting(given, "issuer");
    auto key_id = Setting(given, "key_id");
    if (!issuer || !key_id) throw Error(ErrorCode::kInvalidInput, "asap credential settings with private_key_file also need issuer and key_id");
    credentials.issuer = *issuer;
    credentials.key_id = *key_id;
    SecretValue text(ReadFile(*key_file));
    credentials.private_key = jwt::LoadPrivateKey(text.Reveal(), *key_file);
    credentials.subject = Setting(given, "subject");
    if (auto audience = given.find("audience"); audience != given.end()) {
      credentials.audience = audience->is_string() ? SplitAudience(audience->get<std::string>())
                                                   : audience->get<std::vector<std::string>>();
    }
    if (auto expiry = given.find("expiry"); expiry != given.end()) credentials.lifetime_seconds = expiry->get<int64_t>();
    return std::make_unique<AsapProvider>(std::move(credentials));
  }
  return std::make_unique<AsapProvider>(ResolveCredentials(std::nullopt, env));
}

Result<IssuedToken> AsapProvider::Token(const TokenRequest& request) noexcept {
  return CaptureResult([&]() -> IssuedToken {
    MintRequest mint;
    mint.audience = request.audience;
    mint.subject = request.subject;
    mint.lifetime_seconds = request.lifetime_seconds;
    MintedToken minted = MintAsapToken(credentials_, mint);
    IssuedToken issued;
    issued.value = std::move(minted.token);
    issued.expires_at = minted.claims["exp"].get<int64_t>();
    issued.key_id = credentials_.key_id;
    return issued;
  });
}

}  // namespace berth::asap
