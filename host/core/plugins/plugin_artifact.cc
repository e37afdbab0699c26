#include "core/plugins/plugin_artifact.h"

#include <fstream>
#include <map>
#include <set>

#include "berth/abi/berth_plugin_api.h"
#include "berth/manifest.h"
#include "berth/oci/blob_stream.h"
#include "berth/oci/tar.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "core/plugins/elf_check.h"
#include "core/plugins/layout_writer.h"
#include "core/plugins/plugin_signature.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kMaxPackageBytes = 512ull << 20;

// The plugin directory as a tar: the manifest, the library, the signature.
std::string PackageTar(const PluginVariant& variant, const std::string& library, const fs::path& scratch) {
  fs::path tar = scratch / (variant.name + "-" + variant.platform.architecture + ".tar");
  {
    oci::TarWriter writer(tar);
    std::vector<std::string> members = {kManifestFileName, library};
    if (variant.is_signed) members.push_back(kSignatureFileName);
    for (const std::string& member : members) writer.AddFile(member, ReadFile(variant.dir / member));
    writer.Finish();
  }
  std::string bytes = ReadFile(tar);
  fs::remove(tar);
  return bytes;
}

std::string Annotation(const oci::Descriptor& descriptor, const char* name, const std::string& otherwise) {
  auto it = descriptor.annotations.find(name);
  return it == descriptor.annotations.end() ? otherwise : it->second;
}

std::string Offered(const oci::Manifest& index) {
  std::string text;
  for (const oci::Descriptor& child : index.manifests) {
    text += (text.empty() ? "" : ", ") + (child.platform ? child.platform->str() : std::string("no platform")) + " " +
            Annotation(child, kLibcAnnotation, "glibc") + " (ABI " + Annotation(child, kAbiMajorAnnotation, "?") + ")";
  }
  return text.empty() ? "nothing" : text;
}

// Streams one member of the package out, in chunks.
void CopyMember(std::ifstream& in, const oci::TarMember& member, const fs::path& file, fs::perms mode) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  in.seekg(std::streamoff(member.offset));
  std::vector<char> buffer(1 << 16);
  for (uint64_t left = member.size; left > 0;) {
    size_t n = size_t(std::min<uint64_t>(left, buffer.size()));
    if (!in.read(buffer.data(), std::streamsize(n))) throw Error(ErrorCode::kFailure, "cannot read the plugin package for " + file.string());
    out.write(buffer.data(), std::streamsize(n));
    left -= n;
  }
  if (!out.flush()) throw Error(ErrorCode::kFailure, "cannot write " + file.string());
  out.close();
  fs::permissions(file, mode);
}

// The variant's image manifest, checked to be what WritePluginLayout writes.
oci::Manifest VariantManifest(oci::ImageSource& source, const oci::Descriptor& variant, const std::string& where) {
  oci::Manifest manifest = source.ChildManifest(variant);
  if (manifest.is_index || !manifest.config || manifest.config->media_type != kPluginConfigType || manifest.layers.size() != 1 ||
      manifest.layers[0].media_type != kPluginLayerType) {
    throw Error(ErrorCode::kPlugin, where + "@" + variant.digest.str() + ": not a berth plugin variant (want a " + kPluginConfigType +
                                        " config and one " + kPluginLayerType + " layer)");
  }
  return manifest;
}

}  // namespace

PluginVariant DescribeVariant(const fs::path& dir) {
  fs::path manifest_path = dir / kManifestFileName;
  if (!fs::is_directory(dir) || !fs::exists(manifest_path)) {
    throw Error(ErrorCode::kInvalidInput, dir.string() + ": not a plugin directory (no " + std::string(kManifestFileName) + ")");
  }
  std::string bytes = ReadFile(manifest_path);
  PluginManifest manifest = ParseManifestBytes(bytes, manifest_path);
  fs::path library = dir / manifest.library;
  if (!fs::is_regular_file(library) || fs::is_symlink(library)) {
    throw Error(ErrorCode::kInvalidInput, library.string() + ": the library must be a regular file");
  }
  if (Sha256FileHex(library) != manifest.sha256) {
    throw Error(ErrorCode::kInvalidInput, library.string() + ": its sha256 is not the one " + manifest_path.string() + " declares");
  }
  std::optional<std::string> architecture = ElfOciArchitecture(library);
  if (!architecture) throw Error(ErrorCode::kInvalidInput, library.string() + ": not a 64-bit ELF library for amd64 or arm64");
  std::optional<std::string> libc = ElfLibc(library);
  if (!libc) throw Error(ErrorCode::kInvalidInput, library.string() + ": links against neither glibc (libc.so.6) nor musl");
  PluginVariant variant;
  variant.dir = dir;
  variant.name = manifest.name;
  variant.version = manifest.version;
  variant.platform = oci::Platform{.os = "linux", .architecture = *architecture};
  variant.abi_major = int(manifest.abi_major);
  variant.libc = *libc;
  variant.is_signed = fs::exists(dir / kSignatureFileName);
  return variant;
}

Digest WritePluginLayout(const std::vector<PluginVariant>& variants, const fs::path& layout_dir, const std::string& tag,
                         std::vector<oci::Descriptor>* manifests) {
  if (variants.empty()) throw Error(ErrorCode::kUsage, "no plugin to publish");
  std::set<std::string> seen;
  for (const PluginVariant& variant : variants) {
    if (variant.name != variants.front().name || variant.version != variants.front().version) {
      throw Error(ErrorCode::kInvalidInput, variant.dir.string() + ": is " + variant.name + " " + variant.version + ", not " +
                                                variants.front().name + " " + variants.front().version +
                                                " (one artifact holds one plugin at one version)");
    }
    std::string key = variant.platform.str() + " " + variant.libc + " ABI " + std::to_string(variant.abi_major);
    if (!seen.insert(key).second) throw Error(ErrorCode::kInvalidInput, variant.dir.string() + ": a second variant for " + key);
  }
  StartLayout(layout_dir);

  nlohmann::json children = nlohmann::json::array();
  for (const PluginVariant& variant : variants) {
    std::string manifest_bytes = ReadFile(variant.dir / kManifestFileName);
    PluginManifest manifest = ParseManifestBytes(manifest_bytes, variant.dir / kManifestFileName);
    oci::Descriptor config = PutLayoutBlob(layout_dir, kPluginConfigType, manifest_bytes);
    oci::Descriptor layer = PutLayoutBlob(layout_dir, kPluginLayerType, PackageTar(variant, manifest.library, layout_dir));
    nlohmann::json annotations = {{kNameAnnotation, variant.name},
                                  {kVersionAnnotation, variant.version},
                                  {kAbiMajorAnnotation, std::to_string(variant.abi_major)},
                                  {kLibcAnnotation, variant.libc}};
    nlohmann::json image = {{"schemaVersion", 2},
                            {"mediaType", oci::media_type::kOciManifest},
                            {"artifactType", kPluginArtifactType},
                            {"config", config.ToJson()},
                            {"layers", nlohmann::json::array({layer.ToJson()})},
                            {"annotations", annotations}};
    oci::Descriptor child = PutLayoutBlob(layout_dir, oci::media_type::kOciManifest, image.dump());
    if (manifests != nullptr) manifests->push_back(child);
    nlohmann::json entry = child.ToJson();
    entry["artifactType"] = kPluginArtifactType;
    entry["platform"] = variant.platform.ToJson();
    entry["annotations"] = annotations;
    children.push_back(entry);
  }
  nlohmann::json index = {{"schemaVersion", 2},
                          {"mediaType", oci::media_type::kOciIndex},
                          {"artifactType", kPluginArtifactType},
                          {"manifests", children},
                          {"annotations", {{kNameAnnotation, variants.front().name}, {kVersionAnnotation, variants.front().version}}}};
  oci::Descriptor top = PutLayoutBlob(layout_dir, oci::media_type::kOciIndex, index.dump());
  WriteLayoutTop(layout_dir, top, tag);
  return top.digest;
}

void CheckPluginArtifact(const oci::Manifest& top, const std::string& where) {
  if (!top.is_index || top.artifact_type != kPluginArtifactType) {
    throw Error(ErrorCode::kPlugin, where + ": not a berth plugin artifact (want an index of artifactType " +
                                        std::string(kPluginArtifactType) + ", as berth plugin publish writes)");
  }
}

oci::Descriptor SelectPluginVariant(const oci::Manifest& top, const std::string& where) {
  const std::string needs = oci::Platform::Host().str() + " " + HostLibc() + " (ABI " + std::to_string(BERTH_ABI_MAJOR) + ")";
  CheckPluginArtifact(top, where);
  for (const oci::Descriptor& child : top.manifests) {
    auto abi = child.annotations.find(kAbiMajorAnnotation);
    if (child.platform && child.platform->os == "linux" && child.platform->architecture == oci::Platform::Host().architecture &&
        abi != child.annotations.end() && abi->second == std::to_string(BERTH_ABI_MAJOR) &&
        // Artifacts published before berth recorded the C library were all glibc builds.
        Annotation(child, kLibcAnnotation, "glibc") == HostLibc()) {
      return child;
    }
  }
  throw Error(ErrorCode::kPlugin, where + ": no variant for this machine, which needs " + needs + "; the artifact offers " + Offered(top));
}

std::string FetchVariantConfig(oci::ImageSource& source, const oci::Descriptor& variant, const std::string& where) {
  oci::Manifest manifest = VariantManifest(source, variant, where);
  return source.SmallBlob(*manifest.config);
}

fs::path FetchPluginVariant(oci::ImageSource& source, const oci::Descriptor& variant, const fs::path& into, const std::string& where) {
  oci::Manifest manifest = VariantManifest(source, variant, where);
  const oci::Descriptor& layer = manifest.layers[0];
  if (layer.size < 0 || uint64_t(layer.size) > kMaxPackageBytes) {
    throw Error(ErrorCode::kPlugin, where + ": the plugin package is " + std::to_string(layer.size) + " bytes, more than berth accepts");
  }
  std::string config = source.SmallBlob(*manifest.config);  // Verified against its digest.
  fs::path tar = into / "package.tar";
  {
    std::ofstream out(tar, std::ios::binary | std::ios::trunc);
    auto reader = source.Blob(layer)->Open();
    std::vector<char> buffer(1 << 16);
    // Read returns 0 only once the bytes matched the layer's digest and size.
    for (size_t n; (n = reader->Read(buffer.data(), buffer.size())) > 0;) out.write(buffer.data(), std::streamsize(n));
    if (!out.flush()) throw Error(ErrorCode::kFailure, "cannot write " + tar.string());
  }
  fs::path dir = into / "plugin";
  CreateDirectories(dir, 0700);
  PluginManifest declared = ParseManifestBytes(config, where + " config");
  const std::set<std::string> allowed = {kManifestFileName, kSignatureFileName, declared.library};
  std::ifstream in(tar, std::ios::binary);
  for (const auto& [name, member] : oci::IndexTar(tar)) {
    if (allowed.count(name) == 0) throw Error(ErrorCode::kPlugin, where + ": the plugin package holds '" + name + "', which a plugin has no use for");
    CopyMember(in, member, dir / name, name == declared.library ? fs::perms(0755) : fs::perms(0644));
  }
  if (!fs::exists(dir / kManifestFileName) || ReadFile(dir / kManifestFileName) != config) {
    throw Error(ErrorCode::kPlugin, where + ": the package's " + std::string(kManifestFileName) + " is not the artifact's config");
  }
  fs::remove(tar);
  return dir;
}

}  // namespace berth::host
