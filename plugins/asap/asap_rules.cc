#include "asap_rules.h"

#include <algorithm>

#include "berth/error.h"

namespace berth::asap {

void CheckKeyIdFormat(std::string_view kid, int code) {
  auto fail = [&](const std::string& why) { return Error(static_cast<ErrorCode>(code), "kid '" + std::string(kid) + "' " + why); };
  if (kid.empty()) throw Error(static_cast<ErrorCode>(code), "the kid is empty");
  bool allowed = std::all_of(kid.begin(), kid.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' ||
           c == '+' || c == '/';
  });
  if (!allowed) throw fail("has characters outside A-Z a-z 0-9 _ . - + /");
  if (kid.front() == '/') throw fail("starts with '/'");
  if (kid.find("..") != std::string_view::npos) throw fail("contains '..'");
  if (kid.find("//") != std::string_view::npos || kid.back() == '/') throw fail("has an empty path segment");
  if (kid == "." || kid.rfind("./", 0) == 0 || kid.find("/./") != std::string_view::npos ||
      (kid.size() >= 2 && kid.substr(kid.size() - 2) == "/.")) {
    throw fail("has a '.' path segment");
  }
}

bool KeyIdBelongsToIssuer(std::string_view kid, std::string_view issuer) {
  if (issuer.empty()) return false;
  if (kid == issuer) return true;
  return kid.size() > issuer.size() && kid.substr(0, issuer.size()) == issuer && kid[issuer.size()] == '/';
}

std::string KeyIdNotUnderIssuerMessage(std::string_view kid, std::string_view issuer) {
  return "kid '" + std::string(kid) + "' is not under issuer '" + std::string(issuer) + "' (it must be '" + std::string(issuer) +
         "' or start with '" + std::string(issuer) + "/')";
}

}  // namespace berth::asap
