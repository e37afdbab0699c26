// The URL and address code that decides where credentials may go: origins
// (what registry credentials are bound to), Location/Link resolution, the
// SSRF guard's private and loopback hosts, and StripControl, which every
// remote text passes before it reaches a terminal. Input: a base URL and a
// reference, split at a "\n====\n" line. Besides crashes, a broken invariant
// is a finding (abort):
//   - an origin is its own origin (credentials bound to it stay bound);
//   - a loopback host is also private (the guard never lets one through);
//   - StripControl's output holds no control byte, no C1 control, is valid
//     UTF-8 and does not change when stripped again.
#include <cstdlib>
#include <string>

#include "berth/http/url.h"
#include "berth/util/text.h"
#include "fuzz_util.h"
#include "http/private_address.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

bool IsValidUtf8WithoutControls(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    unsigned char lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x20 || lead == 0x7f) return false;
    size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xe ? 3 : (lead >> 3) == 0x1e ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return false;
    }
    // U+0080..U+009F, the C1 controls, are C2 80..C2 9F.
    if (lead == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0) return false;
    i += length;
  }
  return true;
}

void CheckOrigin(std::string_view url) {
  std::string origin = berth::http::UrlOrigin(url);
  if (origin.empty()) return;
  Check(berth::http::UrlOrigin(origin) == origin);
}

void CheckHost(std::string_view host) {
  if (berth::http::IsLoopbackHost(host)) Check(berth::http::IsPrivateHost(host));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = berth::fuzz::AsText(data, size);
  auto parts = berth::fuzz::SplitParts(text);
  std::string_view base = parts[0];
  std::string_view reference = parts.size() > 1 ? parts[1] : parts[0];

  CheckOrigin(base);
  CheckHost(base);
  CheckHost(berth::http::UrlHost(base));
  berth::fuzz::Expect([&] {
    std::string resolved = berth::http::ResolveUrl(base, reference);
    CheckOrigin(resolved);
    CheckHost(berth::http::UrlHost(resolved));
  });
  (void)berth::http::UrlScheme(reference);

  std::string stripped = berth::StripControl(text);
  Check(IsValidUtf8WithoutControls(stripped));
  Check(berth::StripControl(stripped) == stripped);
  return 0;
}
