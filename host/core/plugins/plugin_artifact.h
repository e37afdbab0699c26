// A plugin as an OCI artifact, so that plugins travel the way images do:
// pushed to any registry berth can push to, mirrored with `berth copy`,
// pinned by digest.
//
// Layout: an OCI index (artifactType kPluginArtifactType) with one image
// manifest per variant; each variant's platform is its library's OS and
// architecture, its annotations name the plugin, version and ABI major.
// A variant's config is the plugin's berth-plugin.json, byte for byte; its
// one layer is an uncompressed tar of the plugin directory as `berth plugin
// sign` leaves it (berth-plugin.json, the library, berth-plugin.sig), so
// the signature the installer verifies travels inside the digest-pinned
// artifact. Signatures are also stored beside each variant as referrers
// (core/plugins/plugin_referrers.h), where more can be added later.
#ifndef BERTH_HOST_CORE_PLUGINS_PLUGIN_ARTIFACT_H_
#define BERTH_HOST_CORE_PLUGINS_PLUGIN_ARTIFACT_H_

#include <filesystem>
#include <string>
#include <vector>

#include "berth/oci/image.h"

namespace berth::host {

inline constexpr char kPluginArtifactType[] = "application/vnd.berth.plugin.v1";
inline constexpr char kPluginConfigType[] = "application/vnd.berth.plugin.manifest.v1+json";
inline constexpr char kPluginLayerType[] = "application/vnd.berth.plugin.package.v1.tar";
inline constexpr char kAbiMajorAnnotation[] = "dev.berth.plugin.abi-major";
inline constexpr char kNameAnnotation[] = "dev.berth.plugin.name";
inline constexpr char kVersionAnnotation[] = "dev.berth.plugin.version";
inline constexpr char kLibcAnnotation[] = "dev.berth.plugin.libc";

struct PluginVariant {
  std::filesystem::path dir;  // A plugin directory.
  std::string name, version;
  oci::Platform platform;
  int abi_major = 0;
  std::string libc;  // "glibc" or "musl", from the library's DT_NEEDED.
  bool is_signed = false;
};

// Checks a plugin directory (manifest, library sha256, a 64-bit ELF library
// for linux/amd64 or linux/arm64) and says what variant it is. Throws
// Error naming the directory.
PluginVariant DescribeVariant(const std::filesystem::path& dir);

// Writes the artifact for `variants` (one plugin, one version, one variant
// per platform and ABI major) as an OCI image layout in `layout_dir`, tagged
// `tag`; returns the index's digest. `manifests`, when given, receives each
// variant's manifest descriptor, in the order of `variants`.
Digest WritePluginLayout(const std::vector<PluginVariant>& variants, const std::filesystem::path& layout_dir,
                         const std::string& tag, std::vector<oci::Descriptor>* manifests = nullptr);

// Picks this machine's variant of a plugin artifact: linux, this
// architecture, this berth's ABI major. Throws Error(kPlugin) naming what the
// machine needs and what the artifact offers, before any blob is fetched.
oci::Descriptor SelectPluginVariant(const oci::Manifest& top, const std::string& where);

// Throws Error(kPlugin) naming `where` unless `top` is an index of
// artifactType kPluginArtifactType, as WritePluginLayout writes.
void CheckPluginArtifact(const oci::Manifest& top, const std::string& where);

// The variant's berth-plugin.json, from its config (verified against its
// digest): what a signature covers, read without downloading the package.
std::string FetchVariantConfig(oci::ImageSource& source, const oci::Descriptor& variant, const std::string& where);

// Fetches the variant's package into `into` (a private directory) and
// returns the plugin directory: the config and layer digests are verified as
// they stream, the tar may hold only the manifest, its library and its
// signature, and the manifest must be the config's bytes.
std::filesystem::path FetchPluginVariant(oci::ImageSource& source, const oci::Descriptor& variant, const std::filesystem::path& into,
                                         const std::string& where);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_PLUGIN_ARTIFACT_H_
