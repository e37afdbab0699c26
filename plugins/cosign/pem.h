// PEM armour (RFC 7468): the label and DER body of one block.
#ifndef BERTH_PLUGINS_COSIGN_PEM_H_
#define BERTH_PLUGINS_COSIGN_PEM_H_

#include <optional>
#include <string>
#include <string_view>

namespace berth::cosign {

struct PemBlock {
  std::string label;  // "PUBLIC KEY", "ENCRYPTED SIGSTORE PRIVATE KEY", ...
  std::string body;   // The decoded bytes.
};

// The first PEM block in text, as Go's pem.Decode finds it (text before it is
// ignored); nullopt when there is none or its body is not base64.
std::optional<PemBlock> ParseFirstPem(std::string_view text);

// Armours body under label, base64 lines of 64 characters, ending in "\n".
std::string EncodePem(std::string_view label, std::string_view body);

}  // namespace berth::cosign

#endif  // BERTH_PLUGINS_COSIGN_PEM_H_
