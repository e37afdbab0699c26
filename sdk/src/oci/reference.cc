#include "berth/oci/reference.h"

#include <cctype>
#include <regex>

#include "berth/error.h"

namespace berth::oci {
namespace {

// distribution/reference's grammar.
const std::regex& ComponentRegex() {
  static const std::regex regex("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");
  return regex;
}
const std::regex& TagRegex() {
  static const std::regex regex("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
  return regex;
}
const std::regex& HostRegex() {
  // A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port.
  static const std::regex regex(
      "(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|"
      "\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?");
  return regex;
}

[[noreturn]] void Fail(std::string_view text, const std::string& reason) {
  throw Error(ErrorCode::kInvalidInput, "invalid reference '" + std::string(text) + "': " + reason);
}

bool LooksLikeHost(std::string_view component) {
  return component.find('.') != std::string_view::npos || component.find(':') != std::string_view::npos ||
         component == "localhost" || component.starts_with('[');
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool IsValidTag(std::string_view tag) { return std::regex_match(tag.begin(), tag.end(), TagRegex()); }

bool IsValidRepository(std::string_view repository) {
  if (repository.empty() || repository.size() > 255) return false;
  size_t start = 0;
  while (true) {
    size_t slash = repository.find('/', start);
    std::string_view component = repository.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!std::regex_match(component.begin(), component.end(), ComponentRegex())) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

std::string NormalizeRegistryHost(std::string_view host) {
  std::string lower = Lower(host);
  if (lower == "index.docker.io" || lower == "registry-1.docker.io" || lower == "docker.io") return kDockerHub;
  return lower;
}

Reference Reference::Parse(std::string_view text) {
  if (text.empty()) Fail(text, "empty");
  if (text.size() > 4096) Fail(text.substr(0, 64), "too long");
  Reference ref;
  std::string_view rest = text;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    std::string_view digest = rest.substr(at + 1);
    if (!Digest::IsValid(digest)) Fail(text, "bad digest '" + std::string(digest) + "' (expected sha256:<64 lowercase hex>)");
    ref.digest = Digest::Parse(digest);
    rest = rest.substr(0, at);
  }
  std::string_view host;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos && LooksLikeHost(rest.substr(0, slash))) {
    host = rest.substr(0, slash);
    rest = rest.substr(slash + 1);
    if (!std::regex_match(host.begin(), host.end(), HostRegex())) Fail(text, "bad registry host '" + std::string(host) + "'");
  }
  // A tag follows the last ':' after the last '/'.
  size_t last_slash = rest.rfind('/');
  size_t colon = rest.find(':', last_slash == std::string_view::npos ? 0 : last_slash);
  if (colon != std::string_view::npos) {
    std::string_view tag = rest.substr(colon + 1);
    if (!IsValidTag(tag)) Fail(text, "bad tag '" + std::string(tag) + "' (up to 128 of [A-Za-z0-9_.-], not starting with . or -)");
    ref.tag = std::string(tag);
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) Fail(text, "no repository name");
  if (Lower(rest) != rest) Fail(text, "repository name must be lowercase");
  if (!IsValidRepository(rest)) {
    Fail(text, "bad repository name '" + std::string(rest) + "' (lowercase letters, digits and . _ __ - separators, '/' between components)");
  }
  ref.registry = host.empty() ? std::string(kDockerHub) : NormalizeRegistryHost(host);
  ref.repository = std::string(rest);
  if (ref.registry == kDockerHub && ref.repository.find('/') == std::string::npos) ref.repository = "library/" + ref.repository;
  return ref;
}

Reference Reference::ParseRepository(std::string_view text) {
  Reference ref = Parse(text);
  if (!ref.tag.empty() || ref.digest) Fail(text, "expected a repository without tag or digest");
  return ref;
}

std::string Reference::Identifier() const {
  if (digest) return digest->str();
  return tag.empty() ? "latest" : tag;
}

std::string Reference::str() const {
  std::string text = Name();
  if (!tag.empty()) text += ":" + tag;
  if (digest) text += "@" + digest->str();
  if (tag.empty() && !digest) text += ":latest";
  return text;
}

std::string Reference::ApiHost() const { return registry == kDockerHub ? "registry-1.docker.io" : registry; }

Reference Reference::WithDigest(const Digest& value) const {
  Reference ref = *this;
  ref.digest = value;
  return ref;
}

Reference Reference::WithTag(const std::string& value) const {
  Reference ref = *this;
  ref.tag = value;
  ref.digest.reset();
  return ref;
}

ImageLocation ImageLocation::Parse(std::string_view text) {
  ImageLocation location;
  if (text.starts_with("oci:")) {
    location.kind = Kind::kOciLayout;
    std::string_view rest = text.substr(4);
    if (size_t at = rest.rfind('@'); at != std::string_view::npos && Digest::IsValid(rest.substr(at + 1))) {
      location.digest = Digest::Parse(rest.substr(at + 1));
      rest = rest.substr(0, at);
    } else if (size_t colon = rest.rfind(':'); colon != std::string_view::npos && rest.find('/', colon) == std::string_view::npos) {
      std::string_view tag = rest.substr(colon + 1);
      if (!tag.empty()) {
        if (!IsValidTag(tag)) {
          throw Error(ErrorCode::kInvalidInput, "invalid image location '" + std::string(text) + "': bad tag '" + std::string(tag) + "'");
        }
        location.tag = std::string(tag);
      }
      rest = rest.substr(0, colon);
    }
    if (rest.empty()) throw Error(ErrorCode::kInvalidInput, "invalid image location '" + std::string(text) + "': no directory (oci:DIR[:TAG])");
    location.path = std::string(rest);
    return location;
  }
  if (text.starts_with("docker-archive:")) {
    location.kind = Kind::kDockerArchive;
    std::string_view rest = text.substr(15);
    // FILE[:NAME:TAG]: the name after the first ':' that is followed by a reference.
    if (size_t colon = rest.find(':'); colon != std::string_view::npos) {
      location.reference = Reference::Parse(rest.substr(colon + 1));
      rest = rest.substr(0, colon);
    }
    if (rest.empty()) throw Error(ErrorCode::kInvalidInput, "invalid image location '" + std::string(text) + "': no file (docker-archive:FILE)");
    location.path = std::string(rest);
    return location;
  }
  if (text.starts_with("docker://")) text.remove_prefix(9);
  location.kind = Kind::kRegistry;
  location.reference = Reference::Parse(text);
  return location;
}

std::string ImageLocation::str() const {
  switch (kind) {
    case Kind::kOciLayout:
      return "oci:" + path + (digest ? "@" + digest->str() : tag.empty() ? "" : ":" + tag);
    case Kind::kDockerArchive:
      return "docker-archive:" + path;
    case Kind::kRegistry:
      break;
  }
  return reference.str();
}

}  // namespace berth::oci
