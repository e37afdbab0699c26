#include "key_files.h"

#include <filesystem>

#include "berth/error.h"
#include "berth/util/fs.h"
#include "berth/util/gitignore.h"
#include "password.h"

namespace berth::cosign {
namespace {

constexpr const char* kPrompt = "Enter password for private key: ";

}  // namespace

KeyGenResult WriteKeyPair(const PrivateKey& key, const std::string& prefix, bool force, const SecretValue& password,
                          const ScryptParams& params) {
  if (prefix.empty()) throw Error(ErrorCode::kUsage, "the output key prefix is empty");
  std::string private_path = prefix + ".key";
  std::string public_path = prefix + ".pub";
  if (!force) {
    for (const auto& path : {private_path, public_path}) {
      if (std::filesystem::exists(path)) throw Error(ErrorCode::kInvalidInput, path + " already exists (use --force to overwrite it)");
    }
  }
  PublicKey public_key = key.Public();
  WriteFileAtomic(private_path, key.EncryptedPem(password, params), 0600);
  WriteFileAtomic(public_path, public_key.Pem(), 0644);
  // Every way to make a key (berth keygen, cosign generate-key-pair and
  // import-key-pair) ends here: inside a project the key goes into .gitignore.
  KeepOutOfGit(private_path);
  return {private_path, public_path, public_key.KeyId(), public_key.Describe()};
}

KeyGenResult GenerateKeyFiles(const std::string& prefix, bool force) {
  // Refuse before asking for a password that would be wasted.
  if (!force && std::filesystem::exists(prefix + ".key")) {
    throw Error(ErrorCode::kInvalidInput, prefix + ".key already exists (use --force to overwrite it)");
  }
  SecretValue password = GetPassword(kPrompt, /*confirm=*/true);
  return WriteKeyPair(PrivateKey::GenerateEcdsaP256(), prefix, force, password);
}

KeyGenResult ImportKeyFiles(const std::string& pem_path, const std::string& prefix, bool force) {
  std::string text = ReadFile(pem_path);
  PrivateKey key = PrivateKey::FromPem(text, pem_path, [] { return GetPassword("Enter password for the PEM key: ", false); });
  SecretValue password = GetPassword(kPrompt, /*confirm=*/true);
  return WriteKeyPair(key, prefix, force, password);
}

PrivateKey LoadPrivateKeyFile(const std::string& path) {
  return PrivateKey::FromPem(ReadFile(path), path, [] { return GetPassword(kPrompt, false); });
}

PublicKey LoadPublicKeyFile(const std::string& path) { return PublicKey::FromPem(ReadFile(path), path); }

}  // namespace berth::cosign
