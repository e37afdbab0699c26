// In the host (and the SDK's own code), a new secret joins the redaction
// list of this process's logs and messages.
#include "berth/secret.h"
#include "berth/util/redact.h"

namespace berth {

void RegisterSecret(std::string_view value) { internal::RedactInThisModule(value); }

namespace internal {

void NotifySecret(const std::string& value) noexcept {
  try {
    RegisterSecret(value);
  } catch (...) {
    // Out of memory: the value stays unregistered rather than aborting.
  }
}

}  // namespace internal
}  // namespace berth
