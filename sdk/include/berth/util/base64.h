// Base64 (RFC 4648), standard and URL-safe without padding (JWT).
#ifndef BERTH_UTIL_BASE64_H_
#define BERTH_UTIL_BASE64_H_

#include <optional>
#include <string>
#include <string_view>

namespace berth {

std::string Base64Encode(std::string_view data);
std::string Base64UrlEncode(std::string_view data);
// Accept either alphabet, with or without padding; nullopt when malformed.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace berth

#endif  // BERTH_UTIL_BASE64_H_
