// cosign key files: public keys (PEM), private keys (encrypted sigstore/cosign
// envelopes, plain PKCS#8 PEM and DER). The password callback refuses, so an
// encrypted key is parsed up to the point scrypt would run: scrypt itself is
// OpenSSL's and costs ~100 ms an input.
#include "encrypted_key.h"
#include "fuzz_util.h"
#include "keys.h"
#include "pem.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = berth::fuzz::AsText(data, size);
  auto no_password = []() -> berth::SecretValue { throw berth::Error(berth::ErrorCode::kInvalidInput, "no password"); };
  berth::fuzz::Expect([&] {
    auto key = berth::cosign::PublicKey::FromPem(text, "fuzz.pub");
    (void)key.Describe();
    (void)key.KeyId();
    (void)key.Verify("payload", "signature");
  });
  berth::fuzz::Expect([&] { (void)berth::cosign::PrivateKey::FromPem(text, "fuzz.key", no_password).Describe(); });
  // Every DER key is an ASN.1 SEQUENCE (0x30): other inputs fail at OpenSSL's
  // first byte, and skipping them keeps OpenSSL 3's slow decoder set-up to
  // inputs that can reach berth's code after it.
  if (size > 0 && data[0] == 0x30) {
    berth::fuzz::Expect([&] { (void)berth::cosign::PrivateKey::FromDer(text, "fuzz.der").Describe(); });
  }
  berth::fuzz::Expect([&] {
    if (auto block = berth::cosign::ParseFirstPem(text)) {
      if (berth::cosign::IsEncryptedKeyLabel(block->label)) (void)berth::cosign::EnvelopeParams(block->body, "fuzz.key");
    }
  });
  berth::fuzz::Expect([&] { (void)berth::cosign::EnvelopeParams(text, "fuzz.key"); });
  return 0;
}
