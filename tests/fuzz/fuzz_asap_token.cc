// ASAP bearer tokens (JWTs) a service receives; the key resolver answers
// every kid with one key made at start-up, so inputs reach the signature
// and claim checks.
#include "asap_verifier.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const berth::jwt::PrivateKey key = berth::jwt::PrivateKey::GenerateEc();
  berth::asap::VerifyOptions options;
  options.audience = "svc";
  options.issuers = {"issuer"};
  options.now = 1700000000;
  auto resolve = [&](const std::string& kid) {
    if (kid.empty()) throw berth::Error(berth::ErrorCode::kVerification, "no kid");
    return berth::asap::ResolvedKey{key.Public(), "fuzz"};
  };
  berth::fuzz::Expect([&] { (void)berth::asap::VerifyAsapToken(berth::fuzz::AsText(data, size), options, resolve); });
  return 0;
}
