// WWW-Authenticate headers from registries and token services.
#include "berth/http/challenge.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  berth::fuzz::Expect([&] {
    for (const auto& challenge : berth::http::ParseChallenges(berth::fuzz::AsText(data, size))) {
      (void)challenge.Param("realm");
    }
  });
  return 0;
}
