// Image references ("ghcr.io/org/app:1.2@sha256:...") and image locations
// (a registry reference, an OCI layout directory, a docker-archive tarball).
#ifndef BERTH_OCI_REFERENCE_H_
#define BERTH_OCI_REFERENCE_H_

#include <optional>
#include <string>
#include <string_view>

#include "berth/util/digest.h"

namespace berth::oci {

inline constexpr char kDockerHub[] = "docker.io";

struct Reference {
  std::string registry;          // "docker.io", "127.0.0.1:5000", "[::1]:5000".
  std::string repository;        // "library/ubuntu", "team/app".
  std::string tag;               // Empty when only a digest (or nothing) was given.
  std::optional<Digest> digest;

  // Normalises like docker: no registry means docker.io, a single path
  // component on docker.io gets "library/". Throws Error(kInvalidInput) with
  // the reason ("invalid reference 'X': repository name must be lowercase").
  static Reference Parse(std::string_view text);
  // Like Parse, but refuses a tag or digest ("tags" and "login" take a repository or host).
  static Reference ParseRepository(std::string_view text);

  // What the manifest endpoints take: the digest if any, else the tag, else "latest".
  std::string Identifier() const;
  // registry/repository.
  std::string Name() const { return registry + "/" + repository; }
  // The canonical text: registry/repository[:tag][@digest] ("latest" when neither).
  std::string str() const;
  // The host the API is served on ("registry-1.docker.io" for docker.io).
  std::string ApiHost() const;
  Reference WithDigest(const Digest& digest) const;
  Reference WithTag(const std::string& tag) const;
};

bool IsValidTag(std::string_view tag);
bool IsValidRepository(std::string_view repository);
// "docker.io" for "index.docker.io" and "registry-1.docker.io", else the host as given (lowercased).
std::string NormalizeRegistryHost(std::string_view host);

// Where an image is read from or written to.
struct ImageLocation {
  enum class Kind { kRegistry, kOciLayout, kDockerArchive };
  Kind kind = Kind::kRegistry;
  Reference reference;   // kRegistry; for kDockerArchive the optional name written as RepoTags.
  std::string path;      // kOciLayout, kDockerArchive.
  std::string tag;       // kOciLayout: the ref name in index.json (may be empty).
  std::optional<Digest> digest;  // kOciLayout: oci:DIR@sha256:...

  // "oci:DIR[:TAG|@DIGEST]", "docker-archive:FILE[:NAME:TAG]", "docker://REF" or a plain reference.
  static ImageLocation Parse(std::string_view text);
  std::string str() const;
};

}  // namespace berth::oci

#endif  // BERTH_OCI_REFERENCE_H_
