#include "service_account_key.h"

#include <nlohmann/json.hpp>

#include "berth/error.h"
#include "berth/util/fs.h"

namespace berth::gcp {
namespace {

std::string Field(const nlohmann::json& key, const char* name, const std::string& source) {
  auto it = key.find(name);
  if (it == key.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw Error(ErrorCode::kInvalidInput, source + ": the service-account key has no '" + std::string(name) + "'");
  }
  return it->get<std::string>();
}

}  // namespace

ServiceAccountKey ParseServiceAccountKey(const std::string& text, const std::string& source) {
  nlohmann::json key = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!key.is_object()) throw Error(ErrorCode::kInvalidInput, source + ": not a JSON service-account key");
  const std::string type = key.value("type", "");
  if (type != "service_account") {
    throw Error(ErrorCode::kInvalidInput, source + ": key type '" + type +
                                              "' is not supported (expected a service_account key; for user credentials use gcloud)");
  }
  ServiceAccountKey parsed{.source = source,
                           .client_email = Field(key, "client_email", source),
                           .private_key_id = Field(key, "private_key_id", source),
                           .token_uri = Field(key, "token_uri", source),
                           .project_id = key.value("project_id", ""),
                           .private_key = jwt::LoadPrivateKey(Field(key, "private_key", source), source + ": private_key")};
  if (!parsed.private_key.Supports(jwt::Algorithm::kRS256)) {
    throw Error(ErrorCode::kInvalidInput, source + ": private_key is not an RSA key");
  }
  return parsed;
}

ServiceAccountKey LoadServiceAccountKey(const std::filesystem::path& path) {
  return ParseServiceAccountKey(ReadFile(path), path.string());
}

std::string MakeJwtAssertion(const ServiceAccountKey& key, const std::vector<std::string>& scopes,
                             const std::string& audience, int64_t now) {
  std::string scope;
  for (const auto& s : scopes) scope += (scope.empty() ? "" : " ") + s;
  nlohmann::json header = {{"typ", "JWT"}, {"kid", key.private_key_id}};
  nlohmann::json claims = {{"iss", key.client_email}, {"scope", scope}, {"aud", audience}, {"iat", now}, {"exp", now + 3600}};
  return jwt::Sign(std::move(header), claims, key.private_key, jwt::Algorithm::kRS256);
}

}  // namespace berth::gcp
