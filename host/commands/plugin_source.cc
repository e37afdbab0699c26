#include "commands/plugin_source.h"

#include <fstream>
#include <regex>

#include "berth/http/client.h"
#include "berth/http/loopback.h"
#include "berth/http/url.h"
#include "berth/oci/image.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "core/host.h"
#include "core/plugins/index_lookup.h"
#include "core/plugins/plugin_artifact.h"
#include "core/plugins/plugin_signature.h"
#include "core/plugins/plugin_referrers.h"

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

ArtifactVariant OpenArtifact(Host& host, const oci::Reference& reference) {
  ArtifactVariant opened;
  opened.client = host.plugins->registries().Clients()(reference);
  opened.repository = reference.repository;
  opened.source = oci::OpenRegistrySource(opened.client, reference, "plugin install");
  oci::Manifest top = opened.source->TopManifest();
  opened.where = reference.str();
  opened.variant = SelectPluginVariant(top, opened.where);
  opened.artifact = {{"reference", opened.where},
                     {"digest", top.digest.str()},
                     {"variant", opened.variant.digest.str()},
                     {"platform", opened.variant.platform->str()}};
  return opened;
}

FetchedPlugin FetchArtifact(ArtifactVariant& artifact, const fs::path& staging) {
  FetchedPlugin fetched{FetchPluginVariant(*artifact.source, artifact.variant, staging, artifact.where), artifact.artifact, {}};
  // Copies, not references: the fetched plugin may outlive `artifact`.
  fetched.referrer_signatures = [client = artifact.client, repository = artifact.repository, variant = artifact.variant,
                                 into = staging / "referrers"] {
    return FetchSignatureReferrers(*client, "plugin install", repository, variant, into);
  };
  return fetched;
}

FetchedPlugin FetchArtifact(Host& host, const oci::Reference& reference, const fs::path& staging) {
  ArtifactVariant artifact = OpenArtifact(host, reference);
  return FetchArtifact(artifact, staging);
}

FetchedPlugin FetchIndexEntry(Host& host, const IndexEntry& entry, const fs::path& staging) {
  FetchedPlugin fetched = FetchArtifact(host, oci::Reference::Parse(entry.version.artifact), staging);
  PluginManifest manifest = ParseManifestBytes(ReadFile(fetched.dir / kManifestFileName), fetched.dir / kManifestFileName);
  if (manifest.name != entry.plugin.name || manifest.version != entry.version.version) {
    throw Error(ErrorCode::kVerification, entry.index.name + " lists " + entry.version.artifact + " as " + entry.plugin.name + " " +
                                              entry.version.version + ", but it holds " + manifest.name + " " + manifest.version);
  }
  fetched.artifact["index"] = entry.index.name;
  return fetched;
}

bool IsPackageUrl(const std::string& source) { return source.rfind("https://", 0) == 0 || source.rfind("http://", 0) == 0; }

fs::path DownloadPackage(const std::string& url, const std::string& sha256, const fs::path& staging) {
  if (!std::regex_match(sha256, std::regex("[0-9a-f]{64}"))) {
    throw Error(ErrorCode::kUsage, url + ": a package from a URL needs --sha256 HEX (the 64 hex digits its publisher printed)");
  }
  if (url.rfind("http://", 0) == 0 && !http::IsLoopbackHost(http::UrlHost(url))) {
    throw Error(ErrorCode::kUsage, url + ": plugin packages come over https (plain http only from this machine)");
  }
  fs::path file = staging / "package.tar.gz";
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  Sha256 hash;
  http::Request request;
  request.url = url;
  request.follow_redirects = true;
  request.timeout = std::chrono::minutes(10);
  request.on_body = [&](const char* data, size_t size) {
    hash.Update(data, size);
    out.write(data, std::streamsize(size));
  };
  http::Response response = http::Client().Send(request);
  if (response.status != 200) throw Error(ErrorCode::kFailure, "GET " + url + ": HTTP " + std::to_string(response.status));
  if (!out.flush()) throw Error(ErrorCode::kFailure, "cannot write " + file.string());
  std::string got = hash.FinishHex();
  if (got != sha256) throw Error(ErrorCode::kVerification, url + ": sha256 " + got + ", not the " + sha256 + " given with --sha256");
  return file;
}

}  // namespace berth::host
