// The rules of Atlassian's ASAP profile of JWT that both minting and
// verifying enforce (atlassian/asap-authentication-python, the s2s spec).
#ifndef BERTH_PLUGINS_ASAP_ASAP_RULES_H_
#define BERTH_PLUGINS_ASAP_ASAP_RULES_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace berth::asap {

inline constexpr int64_t kDefaultLifetimeSeconds = 60;
inline constexpr int64_t kMaxLifetimeSeconds = 3600;

// The kid must be a safe relative path: [A-Za-z0-9_.+/-] only, no leading
// '/', no empty segment, no "..". Throws Error(`code`) naming the kid.
void CheckKeyIdFormat(std::string_view kid, int code);
// The kid equals the issuer or starts with "<issuer>/": a service can only
// sign with keys published under its own name.
bool KeyIdBelongsToIssuer(std::string_view kid, std::string_view issuer);
std::string KeyIdNotUnderIssuerMessage(std::string_view kid, std::string_view issuer);

}  // namespace berth::asap

#endif  // BERTH_PLUGINS_ASAP_ASAP_RULES_H_
