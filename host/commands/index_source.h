// Where `berth plugin index add|update` reads a plugin index from, and how
// `plugin index publish` puts one in a registry. A source is a file here
// (its signature beside it as FILE.sig), an http(s) URL (URL.sig), or a
// registry reference to an artifact `plugin index publish` wrote (the
// document and its signature as two layers).
#ifndef BERTH_HOST_COMMANDS_INDEX_SOURCE_H_
#define BERTH_HOST_COMMANDS_INDEX_SOURCE_H_

#include <optional>
#include <string>

#include "berth/oci/reference.h"

namespace berth::host {

struct Host;

inline constexpr char kIndexArtifactType[] = "application/vnd.berth.plugin-index.v1";
inline constexpr char kIndexDocumentType[] = "application/vnd.berth.plugin-index.v1+json";
inline constexpr char kIndexSignatureType[] = "application/vnd.berth.plugin-index.signature.v1+json";

struct FetchedIndex {
  std::string document;                  // The bytes, as fetched.
  std::optional<std::string> signature;  // The signature file's text, when the source has one.
  std::string signature_name;            // Where a signature was looked for, for messages.
  // The source names its bytes exactly (a reference with a digest), so the
  // digest is the pin.
  bool pinned_by_reference = false;
};

// `source` as the user gave it, made absolute when it is a file.
std::string NormalizeIndexSource(const std::string& source);

// Throws Error naming the source: not found, not an index artifact, HTTP
// errors, plain http to another machine.
FetchedIndex FetchIndexSource(Host& host, const std::string& source);

// Pushes `document` (and `signature`, when given) to `reference` as an
// index artifact; returns the digest stored.
std::string PublishIndex(Host& host, const oci::Reference& reference, const std::string& document,
                         const std::optional<std::string>& signature);

}  // namespace berth::host

#endif  // BERTH_HOST_COMMANDS_INDEX_SOURCE_H_
