// Redact(), which every log line and error message passes through, including
// text a registry or API sent. It once used std::regex, which recursed per
// character: a 60 KB field overflowed the stack. A crash, a hang (the 30 s
// timeout: the scan must stay linear) or a registered secret surviving in
// the output is a finding.
#include <cstdlib>
#include <string>

#include "berth/util/redact.h"
#include "fuzz_util.h"

namespace {

// Registered once: letters and digits only, so no masking of anything else
// ("***", a kept key name) can create a new occurrence of one.
constexpr const char* kSecrets[] = {"hunter2hunter2", "ghp0123456789abcdef", "wrongpassword", "s3cr3tTok3n"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool registered = [] {
    for (const char* secret : kSecrets) berth::RegisterSecret(secret);
    berth::RegisterSecret("short");  // Below the threshold: must not be masked as a literal.
    return true;
  }();
  (void)registered;
  std::string out = berth::Redact(berth::fuzz::AsText(data, size));
  for (const char* secret : kSecrets) {
    if (out.find(secret) != std::string::npos) std::abort();
  }
  return 0;
}
