#include "berth/redact.h"

#include <algorithm>
#include <mutex>
#include <regex>
#include <set>

namespace berth {
namespace {

constexpr char kMask[] = "***";

struct SecretSet {
  std::mutex mutex;
  // Longest first, so a secret that contains another is masked whole.
  std::set<std::string, bool (*)(const std::string&, const std::string&)> values{
      [](const std::string& a, const std::string& b) { return a.size() != b.size() ? a.size() > b.size() : a < b; }};
};

SecretSet& Secrets() {
  static auto* secrets = new SecretSet();  // Never destroyed: logging may run during exit.
  return *secrets;
}

// Credential-shaped text, masked even when nobody registered the value.
const std::vector<std::pair<std::regex, std::string>>& Patterns() {
  static const auto* patterns = new std::vector<std::pair<std::regex, std::string>>{
      {std::regex(R"re((Authorization|Proxy-Authorization)\s*:\s*[^\r\n]*)re", std::regex::icase), "$1: ***"},
      {std::regex(R"re(\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,})re"), "$1 ***"},
      {std::regex(R"re(("(?:token|access_token|refresh_token|id_token|password|secret|identitytoken|registrytoken|auth|Secret|private_key)"\s*:\s*")[^"]*("))re"),
       "$1***$2"},
      {std::regex(R"re(\b((?:access_token|refresh_token|password|assertion|client_secret)=)[^&\s]+)re"), "$1***"},
      {std::regex(R"re(\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)re"), "***"},  // A JWT.
  };
  return *patterns;
}

}  // namespace

void RegisterSecret(std::string_view value) {
  if (value.size() < 4) return;
  auto& secrets = Secrets();
  std::lock_guard<std::mutex> lock(secrets.mutex);
  secrets.values.emplace(value);
}

std::string Redact(std::string_view text) {
  std::string result(text);
  {
    auto& secrets = Secrets();
    std::lock_guard<std::mutex> lock(secrets.mutex);
    for (const std::string& secret : secrets.values) {
      size_t pos = 0;
      while ((pos = result.find(secret, pos)) != std::string::npos) {
        result.replace(pos, secret.size(), kMask);
        pos += sizeof(kMask) - 1;
      }
    }
  }
  for (const auto& [pattern, replacement] : Patterns()) result = std::regex_replace(result, pattern, replacement);
  return result;
}

}  // namespace berth
