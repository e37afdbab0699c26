// The Signer interface: signs image digests, verifies their signatures and
// makes keys. `berth sign`, `berth verify` and `berth keygen` call it; the
// cosign plugin provides signer "cosign".
//
// A signer does its own storage (cosign keeps signatures under a tag beside
// the image, other schemes use referrers), so Sign and Verify get the host's
// Services to reach registries. Secrets (key passwords) never travel through
// these structs: a signer asks for them itself (environment or terminal).
#ifndef BERTH_SIGNER_H_
#define BERTH_SIGNER_H_

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "berth/error.h"

namespace berth {

class Services;

struct KeyGenRequest {
  std::string output_prefix;  // "cosign" writes cosign.key and cosign.pub.
  bool force = false;         // Overwrite existing files.
};

struct KeyGenResult {
  std::string private_key;    // Paths written.
  std::string public_key;
  std::string key_id;         // "sha256:<hex>" of the public key's DER.
  std::string algorithm;      // "ECDSA P-256".
};

struct SignRequest {
  std::string image;          // A reference as the user wrote it (tag or digest).
  std::string key;            // Private key (a file path for cosign).
  std::map<std::string, std::string> annotations;  // Signed along (-a KEY=VALUE).
  bool dry_run = false;       // Resolve and sign, but push nothing.
};

struct SignResult {
  std::string image;          // repository@digest that was signed.
  std::string digest;
  std::string signature;      // Where the signature lives (repository:tag or @digest).
  std::string signature_digest;  // The manifest digest holding it.
  std::string key_id;
  bool already_signed = false;   // An identical signature was there; nothing was pushed.
  bool pushed = false;
};

// Whether a key will sign, asked before anything is signed: a release checks
// it before the first byte moves, so a locked key stops it while nothing is
// pushed. A signer that keeps the unlocked key for the Sign calls that follow
// asks for its password once.
struct KeyCheckRequest {
  std::string key;            // As SignRequest.key.
};

struct KeyCheckResult {
  bool checked = false;       // false: this signer cannot check ahead (a plugin older than ABI 2.3).
  std::string key_id;
};

struct VerifyRequest {
  std::string image;
  std::string key;            // Public key (a file path for cosign).
  std::map<std::string, std::string> annotations;  // Required in every accepted signature.
};

struct SignatureCheck {
  std::string id;             // The signature's identity in storage (a layer or manifest digest for cosign).
  std::string format;         // How it is stored ("simple-signing", "bundle" for cosign).
  bool valid = false;
  std::string outcome;        // A stable word: "valid", "wrong-key", "other-image", ...
  std::string message;        // Why not, one line; empty when valid.
  nlohmann::json payload;     // The signed document when readable, else null.
};

struct VerifyResult {
  std::string image;          // repository@digest that was checked.
  std::string digest;
  std::string signature;      // Where signatures were looked for.
  std::vector<SignatureCheck> checks;
  bool Verified() const {
    for (const auto& check : checks) {
      if (check.valid) return true;
    }
    return false;
  }
};

class Signer {
 public:
  virtual ~Signer() = default;
  virtual Result<KeyGenResult> GenerateKeyPair(const KeyGenRequest& request) noexcept = 0;
  virtual Result<SignResult> Sign(Services& services, const SignRequest& request) noexcept = 0;
  // An error Result means the check could not be made (no image, no
  // network); a made check with no valid signature is a Result whose
  // Verified() is false, with one SignatureCheck per signature found.
  virtual Result<VerifyResult> Verify(Services& services, const VerifyRequest& request) noexcept = 0;
  // Added in ABI 2.3; the default cannot check.
  virtual Result<KeyCheckResult> CheckKey(const KeyCheckRequest& request) noexcept {
    (void)request;
    return KeyCheckResult{};
  }
};

}  // namespace berth

#endif  // BERTH_SIGNER_H_
