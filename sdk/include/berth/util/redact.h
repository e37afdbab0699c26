// Keeps secrets out of everything berth prints.
//
// Every secret value berth handles is registered here; logs and error
// messages pass through Redact() before they reach a terminal or a file.
#ifndef BERTH_UTIL_REDACT_H_
#define BERTH_UTIL_REDACT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace berth {

// Registered values shorter than this are not masked as literals: a password
// "wrong" would otherwise turn every "wrong" in every message into "***".
// Short secrets are still masked where their context says what they are
// (Authorization headers, Bearer/Basic credentials, token and password fields).
inline constexpr size_t kMinRedactedSecretLength = 8;

// Registers a value that must never be printed (ignored below
// kMinRedactedSecretLength, see above).
void RegisterSecret(std::string_view value);

// Replaces registered secrets and credential-shaped text (Authorization
// headers, Bearer/Basic credentials, JWTs, token and password fields in JSON
// and in query strings or forms) with "***". Linear in the size of `text`
// (no backtracking regex), so any text a server sends can go through it.
std::string Redact(std::string_view text);

// True when `text` contains a registered secret (checked before a child
// process gets its arguments).
bool HoldsRegisteredSecret(std::string_view text);

namespace internal {
// Adds a value to the list Redact() uses in this library. RegisterSecret
// does that and, in a plugin, also hands the value to the host, which
// redacts everything berth prints.
void RedactInThisModule(std::string_view value);
}  // namespace internal

}  // namespace berth

#endif  // BERTH_UTIL_REDACT_H_
