#include "secret_files.h"

#include <fstream>
#include <iterator>

namespace berth::builders {
namespace fs = std::filesystem;
namespace {

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsEnvironmentFile(const std::string& name) {
  if (name != ".env" && name.rfind(".env.", 0) != 0) return false;
  // Templates carry placeholders, and projects commit them on purpose.
  return name != ".env.example" && name != ".env.sample" && name != ".env.template";
}

bool IsSshKeyName(const std::string& name) {
  for (const char* key : {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"}) {
    if (name == key) return true;
  }
  return false;
}

// "-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----",
// "-----BEGIN OPENSSH PRIVATE KEY-----", "-----BEGIN ENCRYPTED PRIVATE KEY-----"...
bool HoldsPrivateKeyBlock(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (size_t begin = text.find("-----BEGIN "); begin != std::string::npos; begin = text.find("-----BEGIN ", begin + 1)) {
    size_t end = text.find("-----", begin + 11);
    if (end != std::string::npos && EndsWith(text.substr(begin, end - begin), "PRIVATE KEY")) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> SecretKind(const fs::path& path) {
  const std::string name = path.filename().string();
  if (IsEnvironmentFile(name)) return "an environment file";
  if (name == ".asap-config") return "an ASAP private key";
  if (EndsWith(name, ".key")) return "a key file";
  if (IsSshKeyName(name)) return "an SSH private key";
  const bool may_hold_key = EndsWith(name, ".pem") || (name.rfind("id_", 0) == 0 && !EndsWith(name, ".pub"));
  if (may_hold_key && HoldsPrivateKeyBlock(path)) return "a PEM private key";
  return std::nullopt;
}

}  // namespace berth::builders
