// The payload cosign signs: a "simple signing" JSON document naming the
// image's repository and manifest digest, plus the -a annotations.
//
//   {"critical":{"identity":{"docker-reference":"<repository>"},
//                "image":{"docker-manifest-digest":"sha256:..."},
//                "type":"cosign container image signature"},
//    "optional":{"key":"value",...} | null}
//
// Built byte for byte as Go's encoding/json writes sigstore's struct (keys of
// `optional` sorted, <, > and & escaped), so that berth and cosign produce the
// same payload for the same image and annotations.
#ifndef BERTH_PLUGINS_COSIGN_SIMPLE_SIGNING_H_
#define BERTH_PLUGINS_COSIGN_SIMPLE_SIGNING_H_

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>

namespace berth::cosign {

inline constexpr std::string_view kSimpleSigningType = "cosign container image signature";

struct SimpleSigning {
  std::string docker_reference;        // Repository, without tag or digest.
  std::string docker_manifest_digest;  // "sha256:<hex>".
  nlohmann::json optional;             // null or an object.
};

// An annotation map is written as `optional`; an empty one as null, as cosign does.
std::string BuildPayload(const std::string& docker_reference, const std::string& digest,
                         const std::map<std::string, std::string>& annotations);

// Throws Error(kVerification) "malformed payload: ..." when bytes are not a
// cosign simple-signing document.
SimpleSigning ParsePayload(std::string_view bytes);

// "key=value" -> {key, value}; throws Error(kUsage) for anything else.
std::pair<std::string, std::string> ParseAnnotation(const std::string& text);

// The first requested annotation the payload lacks or has with another
// value, described for an error message; empty when all match.
std::string AnnotationMismatch(const SimpleSigning& payload, const std::map<std::string, std::string>& wanted);

// A JSON string literal as Go's encoding/json writes it.
std::string GoJsonQuote(std::string_view text);

}  // namespace berth::cosign

#endif  // BERTH_PLUGINS_COSIGN_SIMPLE_SIGNING_H_
