#include "commands/plugin_source.h"

#include "berth/oci/image.h"
#include "core/host.h"
#include "core/plugins/plugin_artifact.h"

namespace berth::host {
namespace fs = std::filesystem;

std::optional<oci::Reference> ArtifactReference(const std::string& source) {
  const bool marked = source.rfind("oci://", 0) == 0;
  std::error_code error;
  if (!marked && fs::exists(source, error)) return std::nullopt;
  std::string text = marked ? source.substr(6) : source;
  size_t slash = text.find('/');
  if (slash == std::string::npos || slash == 0) return std::nullopt;
  std::string host = text.substr(0, slash);
  // A registry host has a dot or a port, or is localhost, as docker decides.
  if (!marked && ((host.find_first_of(".:") == std::string::npos && host != "localhost") || host.front() == '.')) {
    return std::nullopt;  // "./dir", "../pkg.tar.gz", "plugins/x": a path that is not there.
  }
  return oci::Reference::Parse(text);
}

FetchedPlugin FetchArtifact(Host& host, const oci::Reference& reference, const fs::path& staging) {
  auto source = oci::OpenRegistrySource(host.plugins->registries().Clients()(reference), reference, "plugin install");
  oci::Manifest top = source->TopManifest();
  std::string where = reference.str();
  oci::Descriptor variant = SelectPluginVariant(top, where);
  FetchedPlugin fetched;
  fetched.artifact = {{"reference", where}, {"digest", top.digest.str()}, {"variant", variant.digest.str()}, {"platform", variant.platform->str()}};
  fetched.dir = FetchPluginVariant(*source, variant, staging, where);
  return fetched;
}

}  // namespace berth::host
