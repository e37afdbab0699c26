// Signatures over plugin packages (docs/security-plugins.md). A signature
// covers a statement naming the plugin, its version, its library's sha256 and
// the sha256 of the manifest file's bytes, so it holds for the plugin
// directory and for any .tar.gz of it alike, and changing any file that
// `berth plugin install` copies breaks it. Keys: Ed25519 or ECDSA P-256 (PEM);
// a key is named by its fingerprint, "sha256:" + the hex sha256 of its
// SubjectPublicKeyInfo DER.
#ifndef BERTH_HOST_CORE_PLUGINS_PLUGIN_SIGNATURE_H_
#define BERTH_HOST_CORE_PLUGINS_PLUGIN_SIGNATURE_H_

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "berth/manifest.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace YAML {
class Node;
}

namespace berth::host {

inline constexpr char kSignatureFileName[] = "berth-plugin.sig";

// A public key the user trusts to sign plugins (config: trusted-plugin-keys).
struct TrustedKey {
  std::string name;         // As the config names it; may be empty.
  std::string fingerprint;  // "sha256:<hex>".
  std::string origin;       // "CONFIG (entry N)", for messages.
  std::shared_ptr<EVP_PKEY> key;
};

// The manifest parsed from exactly these bytes (so what is checked, signed
// and installed is one reading of the file); errors as PluginManifest::Load.
PluginManifest ParseManifestBytes(const std::string& bytes, const std::filesystem::path& manifest_path);

// The bytes a signature covers: the manifest's name, version, library and the
// library sha256 it declares, and the sha256 of the manifest file's bytes.
// The installer checks the library it copies against that declared sha256.
std::string PackageStatement(const PluginManifest& manifest, const std::string& manifest_bytes);
// The same, from the hex sha256 of the manifest's bytes: discovery hashed
// them already (DiscoveredPlugin::manifest_sha256).
std::string PackageStatementForManifestSha256(const PluginManifest& manifest, const std::string& manifest_sha256);

// Signs plugin_dir's package with an unencrypted PEM private key; returns the
// signature file's JSON text ({"schema", "key", "algorithm", "signature"}).
// Throws Error(kInvalidInput) naming the key file when it is unusable.
std::string SignPackage(const std::filesystem::path& plugin_dir, const std::filesystem::path& private_key_file,
                        std::string* fingerprint = nullptr);

// The signature file's JSON over any statement (SignPackage's step two).
std::string SignStatement(const std::string& statement, const std::filesystem::path& private_key_file,
                          std::string* fingerprint = nullptr);

// What a signature file says about a statement, for callers that phrase the
// refusal themselves (a plugin berth finds under a signing policy).
struct SignatureCheck {
  const TrustedKey* key = nullptr;  // The trusted key it verified with; null when it did not.
  bool is_signed = false;           // The signature file exists.
  // Why it did not verify, without the package's name: "not signed (no
  // berth-plugin.sig)", "signed by key sha256:..., which is not in ...".
  std::string problem;
};
SignatureCheck CheckSignature(const std::string& statement, const std::filesystem::path& signature_file,
                              const std::vector<TrustedKey>& trusted);

// Verifies signature_file over the statement against the trusted keys and
// returns the key that signed it. Throws Error(kVerification) with one line
// naming `what` (the package as the user named it) when the signature is
// missing, malformed, by a key not trusted, or does not match.
const TrustedKey& VerifyPackage(const std::string& statement, const std::filesystem::path& signature_file,
                                const std::vector<TrustedKey>& trusted, const std::string& what);

// trusted-plugin-keys from the user's config file (none when it does not
// exist). Throws Error(kInvalidInput) naming the file and entry.
std::vector<TrustedKey> LoadTrustedPluginKeys(const std::filesystem::path& config_file);
// trusted-plugin-keys of a config file already parsed (relative key files are
// read from its directory). Throws Error(kInvalidInput) naming file and entry.
std::vector<TrustedKey> TrustedKeysFrom(const YAML::Node& root, const std::filesystem::path& config_file);

std::string KeyFingerprint(EVP_PKEY* key);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_PLUGIN_SIGNATURE_H_
