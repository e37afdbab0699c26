#include "core/plugins/plugin_signature.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "berth/error.h"
#include "berth/plugin_loader.h"
#include "berth/util/base64.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "core/config/user_config_keys.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

constexpr int kSignatureSchema = 1;
constexpr char kEd25519[] = "ed25519";
constexpr char kEcdsaP256[] = "ecdsa-p256-sha256";

using KeyPtr = std::shared_ptr<EVP_PKEY>;

// The algorithm name a key signs with, or "" when berth does not accept it.
std::string AlgorithmOf(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519")) return kEd25519;
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {0};
    size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof(group), &length) == 1 && std::string(group) == "prime256v1") {
      return kEcdsaP256;
    }
  }
  return "";
}

KeyPtr ReadPublicKeyPem(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), int(pem.size())), BIO_free);
  return KeyPtr(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
}

// No passphrase prompt: an encrypted key fails to load with a clear message.
int NoPassword(char*, int, int, void*) { return -1; }

KeyPtr ReadPrivateKeyPem(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), int(pem.size())), BIO_free);
  return KeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr), EVP_PKEY_free);
}

const EVP_MD* DigestFor(const std::string& algorithm) { return algorithm == kEd25519 ? nullptr : EVP_sha256(); }

std::string Sign(EVP_PKEY* key, const std::string& algorithm, const std::string& data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t length = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, DigestFor(algorithm), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    throw Error(ErrorCode::kFailure, "cannot sign with the " + algorithm + " key (OpenSSL refused)");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    throw Error(ErrorCode::kFailure, "cannot sign with the " + algorithm + " key (OpenSSL refused)");
  }
  signature.resize(length);
  return signature;
}

bool Verify(EVP_PKEY* key, const std::string& algorithm, const std::string& data, const std::string& signature) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, DigestFor(algorithm), nullptr, key) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

std::string Short(const std::string& fingerprint) { return fingerprint.substr(0, 7 + 16); }

}  // namespace

std::string KeyFingerprint(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(key, &der);
  if (length <= 0) throw Error(ErrorCode::kFailure, "cannot encode a public key (OpenSSL refused)");
  std::string bytes(reinterpret_cast<char*>(der), size_t(length));
  OPENSSL_free(der);
  return "sha256:" + Sha256Hex(bytes);
}

PluginManifest ParseManifestBytes(const std::string& bytes, const fs::path& manifest_path) {
  return PluginManifest::Parse(bytes, manifest_path);
}

std::string PackageStatement(const PluginManifest& manifest, const std::string& manifest_bytes) {
  return PackageStatementForManifestSha256(manifest, Sha256Hex(manifest_bytes));
}

std::string PackageStatementForManifestSha256(const PluginManifest& manifest, const std::string& manifest_sha256) {
  return std::string("berth-plugin-signature/v1\n") + "name: " + manifest.name + "\n" + "version: " + manifest.version + "\n" +
         "library: " + manifest.library + "\n" + "library-sha256: " + manifest.sha256 + "\n" +
         "manifest-sha256: " + manifest_sha256 + "\n";
}

std::string SignPackage(const fs::path& plugin_dir, const fs::path& private_key_file, std::string* fingerprint) {
  const fs::path manifest_path = plugin_dir / kManifestFileName;
  if (!fs::exists(manifest_path)) throw Error(ErrorCode::kInvalidInput, plugin_dir.string() + ": no " + kManifestFileName + " in it");
  std::string manifest_bytes = ReadFile(manifest_path);
  PluginManifest manifest = ParseManifestBytes(manifest_bytes, manifest_path);
  CheckManifest(manifest, manifest_path).ThrowIfError();
  return SignStatement(PackageStatement(manifest, manifest_bytes), private_key_file, fingerprint);
}

std::string SignStatement(const std::string& statement, const fs::path& private_key_file, std::string* fingerprint) {
  std::string pem;
  try {
    pem = ReadFile(private_key_file);
  } catch (const Error&) {
    throw Error(ErrorCode::kInvalidInput, private_key_file.string() + ": cannot read the signing key");
  }
  KeyPtr key = ReadPrivateKeyPem(pem);
  if (!key) {
    throw Error(ErrorCode::kInvalidInput, private_key_file.string() + ": not an unencrypted PEM private key");
  }
  std::string algorithm = AlgorithmOf(key.get());
  if (algorithm.empty()) {
    throw Error(ErrorCode::kInvalidInput, private_key_file.string() + ": plugin signing keys must be Ed25519 or ECDSA P-256");
  }
  std::string signer = KeyFingerprint(key.get());
  if (fingerprint != nullptr) *fingerprint = signer;
  nlohmann::json signature = {{"schema", kSignatureSchema},
                              {"key", signer},
                              {"algorithm", algorithm},
                              {"signature", Base64Encode(Sign(key.get(), algorithm, statement))}};
  return signature.dump(2) + "\n";
}

SignatureCheck CheckSignature(const std::string& statement, const fs::path& signature_file, const std::vector<TrustedKey>& trusted) {
  SignatureCheck check;
  if (!fs::exists(signature_file)) {
    check.problem = "not signed (no " + signature_file.filename().string() + ")";
    return check;
  }
  check.is_signed = true;
  nlohmann::json signature = nlohmann::json::parse(ReadFile(signature_file), nullptr, false);
  auto text = [&](const char* name) {
    return signature.is_object() && signature.contains(name) && signature[name].is_string() ? signature[name].get<std::string>() : "";
  };
  std::string signer = text("key"), algorithm = text("algorithm");
  auto bytes = Base64Decode(text("signature"));
  if (!signature.is_object() || signature.value("schema", 0) != kSignatureSchema || signer.empty() || !bytes || bytes->empty() ||
      (algorithm != kEd25519 && algorithm != kEcdsaP256)) {
    check.problem = signature_file.filename().string() + " is not a berth plugin signature";
    return check;
  }
  const TrustedKey* key = nullptr;
  // The first listing of a key names it: the system's come before the user's.
  for (const auto& candidate : trusted) {
    if (candidate.fingerprint == signer && key == nullptr) key = &candidate;
  }
  if (key == nullptr) {
    check.problem = "signed by key " + signer + ", which is not in trusted-plugin-keys of your berth config";
  } else if (AlgorithmOf(key->key.get()) != algorithm) {
    check.problem = "the signature claims " + algorithm + " but key " + Short(signer) + " is not one";
  } else if (!Verify(key->key.get(), algorithm, statement, *bytes)) {
    check.problem = "the signature by " + (key->name.empty() ? Short(signer) : key->name) + " does not match the package (modified after signing?)";
  } else {
    check.key = key;
  }
  return check;
}

const TrustedKey& VerifyPackage(const std::string& statement, const fs::path& signature_file, const std::vector<TrustedKey>& trusted,
                                const std::string& what) {
  SignatureCheck check = CheckSignature(statement, signature_file, trusted);
  if (!check.is_signed) {
    throw Error(ErrorCode::kVerification, what + ": the package is not signed (no " + signature_file.filename().string() +
                                              "); sign it with `berth plugin sign` or install with --allow-unsigned");
  }
  if (check.key == nullptr) throw Error(ErrorCode::kVerification, what + ": " + check.problem);
  return *check.key;
}

std::vector<TrustedKey> LoadTrustedPluginKeys(const fs::path& config_file) {
  if (!fs::exists(config_file)) return {};
  YAML::Node root;
  try {
    root = YAML::Load(ReadFile(config_file));
  } catch (const YAML::Exception& e) {
    throw Error(ErrorCode::kInvalidInput, config_file.string() + ": not valid YAML (line " + std::to_string(e.mark.line + 1) + ")");
  }
  WarnUnknownUserConfigKeys(root, config_file);
  return TrustedKeysFrom(root, config_file);
}

std::vector<TrustedKey> TrustedKeysFrom(const YAML::Node& root, const fs::path& config_file) {
  std::vector<TrustedKey> keys;
  if (!root.IsMap() || !root["trusted-plugin-keys"]) return keys;
  const YAML::Node list = root["trusted-plugin-keys"];
  if (!list.IsSequence()) throw Error(ErrorCode::kInvalidInput, config_file.string() + ": trusted-plugin-keys must be a list");
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node entry = list[i];
    std::string where = config_file.string() + ": trusted-plugin-keys[" + std::to_string(i) + "]";
    TrustedKey key;
    key.origin = where;
    std::string pem, file;
    try {
      if (entry.IsScalar()) {
        file = entry.as<std::string>();
      } else if (entry.IsMap()) {
        key.name = entry["name"] ? entry["name"].as<std::string>() : "";
        file = entry["file"] ? entry["file"].as<std::string>() : "";
        pem = entry["pem"] ? entry["pem"].as<std::string>() : "";
      }
    } catch (const YAML::Exception&) {
      throw Error(ErrorCode::kInvalidInput, where + ": name, file and pem must be strings");
    }
    if (file.empty() == pem.empty()) throw Error(ErrorCode::kInvalidInput, where + ": give a key file path or `file:` or `pem:`");
    if (!file.empty()) {
      fs::path path = fs::path(file).is_absolute() ? fs::path(file) : config_file.parent_path() / file;
      try {
        pem = ReadFile(path);
      } catch (const Error&) {
        throw Error(ErrorCode::kInvalidInput, where + ": cannot read " + path.string());
      }
      if (key.name.empty()) key.name = path.filename().string();
    }
    key.key = ReadPublicKeyPem(pem);
    if (!key.key) throw Error(ErrorCode::kInvalidInput, where + ": not a PEM public key");
    if (AlgorithmOf(key.key.get()).empty()) throw Error(ErrorCode::kInvalidInput, where + ": plugin keys must be Ed25519 or ECDSA P-256");
    key.fingerprint = KeyFingerprint(key.key.get());
    keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace berth::host
