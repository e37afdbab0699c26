#include "asap_verifier.h"

#include <algorithm>

#include "asap_rules.h"
#include "berth/error.h"

namespace berth::asap {
namespace {

Error Rejected(const std::string& message) { return Error(ErrorCode::kVerification, message); }

std::string StringClaim(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) throw Rejected(std::string("claim '") + name + "' is missing");
  if (!it->is_string()) throw Rejected(std::string("claim '") + name + "' is not a string");
  return it->get<std::string>();
}

}  // namespace

VerifiedToken VerifyAsapToken(std::string_view token, const VerifyOptions& options, const KeyResolver& resolve_key) {
  if (options.audience.empty()) throw Error(ErrorCode::kUsage, "no audience to verify against (pass -a AUDIENCE or set ASAP_AUDIENCE)");
  jwt::DecodedToken decoded = jwt::Decode(token);

  auto alg = decoded.header.find("alg");
  if (alg == decoded.header.end() || !alg->is_string()) throw Rejected("the token header has no alg");
  if (!jwt::ParseAlgorithm(alg->get<std::string>())) {
    throw Rejected("algorithm '" + alg->get<std::string>() + "' is not allowed (ASAP allows RS, PS and ES with 256, 384 or 512)");
  }
  auto kid_field = decoded.header.find("kid");
  if (kid_field == decoded.header.end()) throw Rejected("the token header has no kid");
  if (!kid_field->is_string()) throw Rejected("the kid header is not a string");
  const std::string kid = kid_field->get<std::string>();
  CheckKeyIdFormat(kid, int(ErrorCode::kVerification));

  const nlohmann::json& claims = decoded.claims;
  std::string issuer = StringClaim(claims, "iss");
  for (const char* name : {"aud", "iat", "exp", "jti"}) {
    if (!claims.contains(name)) throw Rejected(std::string("claim '") + name + "' is missing");
  }
  if (issuer.empty()) throw Rejected("claim 'iss' is empty");
  if (!KeyIdBelongsToIssuer(kid, issuer)) throw Rejected(KeyIdNotUnderIssuerMessage(kid, issuer));
  if (!options.issuers.empty() && std::find(options.issuers.begin(), options.issuers.end(), issuer) == options.issuers.end()) {
    throw Rejected("issuer '" + issuer + "' is not one of the accepted issuers");
  }
  if (options.subject_must_match_issuer && claims.contains("sub")) {
    std::string subject = StringClaim(claims, "sub");
    if (subject != issuer) throw Rejected("subject '" + subject + "' differs from issuer '" + issuer + "'");
  }

  ResolvedKey key = resolve_key(kid);
  jwt::VerifySignature(decoded, key.key);

  jwt::ClaimRules rules;
  rules.now = options.now.value_or(jwt::NowSeconds());
  rules.leeway = options.leeway_seconds;
  rules.audience = options.audience;
  rules.max_lifetime = kMaxLifetimeSeconds;
  jwt::CheckClaims(claims, rules);
  return VerifiedToken{std::move(decoded.header), std::move(decoded.claims), std::move(key.source)};
}

}  // namespace berth::asap
