#include "asap_minter.h"

#include "asap_rules.h"
#include "berth/error.h"

namespace berth::asap {

std::string MintAsapTokenUnregistered(const AsapCredentials& credentials, const MintRequest& request, nlohmann::json* claims_out,
                                      nlohmann::json* header_out) {
  if (!credentials.private_key) throw Error(ErrorCode::kAuth, credentials.source + ": no private key");
  if (credentials.issuer.empty()) throw Error(ErrorCode::kInvalidInput, credentials.source + ": the issuer is empty");
  CheckKeyIdFormat(credentials.key_id, int(ErrorCode::kInvalidInput));
  if (!KeyIdBelongsToIssuer(credentials.key_id, credentials.issuer)) {
    throw Error(ErrorCode::kInvalidInput, credentials.source + ": " + KeyIdNotUnderIssuerMessage(credentials.key_id, credentials.issuer));
  }
  const std::vector<std::string>& audience = request.audience.empty() ? credentials.audience : request.audience;
  if (audience.empty()) {
    throw Error(ErrorCode::kUsage, "no audience: pass -a AUDIENCE, set ASAP_AUDIENCE, or put \"audience\" in the .asap-config");
  }
  int64_t lifetime = request.lifetime_seconds.value_or(credentials.lifetime_seconds.value_or(kDefaultLifetimeSeconds));
  if (lifetime <= 0) throw Error(ErrorCode::kUsage, "the token lifetime must be at least 1 s (got " + std::to_string(lifetime) + ")");
  if (lifetime > kMaxLifetimeSeconds) {
    throw Error(ErrorCode::kUsage, "a lifetime of " + std::to_string(lifetime) + " s is over the ASAP maximum of " +
                                       std::to_string(kMaxLifetimeSeconds) + " s (verifiers reject such tokens)");
  }
  jwt::Algorithm algorithm = request.algorithm.value_or(credentials.private_key->DefaultAlgorithm());
  int64_t now = request.now.value_or(jwt::NowSeconds());
  nlohmann::json claims = {
      {"iss", credentials.issuer},
      {"sub", request.subject.value_or(credentials.subject.value_or(credentials.issuer))},
      {"aud", audience.size() == 1 ? nlohmann::json(audience[0]) : nlohmann::json(audience)},
      {"jti", jwt::NewTokenId()},
      {"iat", now},
      {"nbf", now},
      {"exp", now + lifetime},
  };
  nlohmann::json header = {{"kid", credentials.key_id}, {"typ", "JWT"}};
  std::string token = jwt::Sign(header, claims, *credentials.private_key, algorithm);
  if (claims_out != nullptr) *claims_out = std::move(claims);
  if (header_out != nullptr) {
    header["alg"] = jwt::AlgorithmName(algorithm);
    *header_out = std::move(header);
  }
  return token;
}

MintedToken MintAsapToken(const AsapCredentials& credentials, const MintRequest& request) {
  MintedToken minted;
  minted.token = SecretValue(MintAsapTokenUnregistered(credentials, request, &minted.claims, &minted.header));
  return minted;
}

}  // namespace berth::asap
