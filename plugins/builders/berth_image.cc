#include "berth_image.h"

#include <fcntl.h>
#include <stdio.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "berth/error.h"
#include "berth/oci/host_registry.h"
#include "berth/oci/manifest.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"
#include "berth/util/time.h"
#include "context_files.h"
#include "layout_reader.h"
#include "reproducible_layer.h"

namespace berth::builders {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

const char* const kSettings[] = {"base", "entrypoint", "cmd", "env", "ports", "labels", "workdir", "dest", "user", "include-secrets"};

void CheckSettings(const json& settings) {
  if (!settings.is_object()) throw Error(ErrorCode::kInvalidInput, "build.settings must be a mapping");
  for (const auto& [key, value] : settings.items()) {
    bool known = false;
    for (const char* name : kSettings) known = known || key == name;
    if (!known) throw Error(ErrorCode::kInvalidInput, "build.settings." + key + " is not a setting of berth's builder");
  }
}

json StringList(const json& value, const std::string& key) {
  if (value.is_string()) return json::array({"/bin/sh", "-c", value.get<std::string>()});
  if (!value.is_array()) throw Error(ErrorCode::kInvalidInput, "build.settings." + key + " must be a string or a list of strings");
  for (const auto& item : value) {
    if (!item.is_string()) throw Error(ErrorCode::kInvalidInput, "build.settings." + key + " must be a list of strings");
  }
  return value;
}

// build.include-secrets: context-relative files packed although they look like secrets.
std::vector<std::string> IncludedSecrets(const json& settings) {
  const json value = settings.value("include-secrets", json::array());
  std::vector<std::string> paths;
  if (value.is_array()) {
    for (const auto& item : value) {
      if (item.is_string()) paths.push_back(item.get<std::string>());
    }
  }
  if (!value.is_array() || paths.size() != value.size()) {
    throw Error(ErrorCode::kInvalidInput, "build.settings.include-secrets must be a list of paths relative to the build context");
  }
  return paths;
}

// What -v shows: every entry the layer holds, as it lands in the image.
void LogPacked(const std::vector<ContextEntry>& entries, const std::string& destination) {
  std::string prefix = destination;
  if (prefix.empty() || prefix.back() != '/') prefix += '/';
  for (const auto& entry : entries) log::Info("packed {}{}", prefix, entry.relative);
  log::Info("packed {} entries from the build context", entries.size());
}

std::string Scalar(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

// Applies berth.yaml's settings over the base's container config.
void ApplySettings(json& config, const json& settings) {
  if (settings.contains("entrypoint")) config["Entrypoint"] = StringList(settings["entrypoint"], "entrypoint");
  if (settings.contains("cmd")) config["Cmd"] = StringList(settings["cmd"], "cmd");
  if (settings.contains("workdir")) config["WorkingDir"] = Scalar(settings["workdir"]);
  if (settings.contains("user")) config["User"] = Scalar(settings["user"]);
  if (settings.contains("env")) {
    // Base variables stay unless the same name is set again.
    std::map<std::string, std::string> env;
    std::vector<std::string> order;
    for (const auto& item : config.value("Env", json::array())) {
      std::string text = item.get<std::string>();
      std::string name = text.substr(0, text.find('='));
      if (!env.count(name)) order.push_back(name);
      env[name] = text;
    }
    auto set = [&](const std::string& name, const std::string& value) {
      if (!env.count(name)) order.push_back(name);
      env[name] = name + "=" + value;
    };
    const json& given = settings["env"];
    if (given.is_object()) {
      for (const auto& [name, value] : given.items()) set(name, Scalar(value));
    } else if (given.is_array()) {
      for (const auto& item : given) {
        std::string text = Scalar(item);
        size_t equals = text.find('=');
        if (equals == std::string::npos || equals == 0) throw Error(ErrorCode::kInvalidInput, "build.settings.env entry '" + text + "' is not NAME=VALUE");
        set(text.substr(0, equals), text.substr(equals + 1));
      }
    } else {
      throw Error(ErrorCode::kInvalidInput, "build.settings.env must be a mapping or a list of NAME=VALUE");
    }
    json list = json::array();
    for (const auto& name : order) list.push_back(env[name]);
    config["Env"] = list;
  }
  if (settings.contains("ports")) {
    json ports = config.value("ExposedPorts", json::object());
    if (!settings["ports"].is_array()) throw Error(ErrorCode::kInvalidInput, "build.settings.ports must be a list");
    for (const auto& item : settings["ports"]) {
      std::string port = Scalar(item);
      if (port.find('/') == std::string::npos) port += "/tcp";
      ports[port] = json::object();
    }
    config["ExposedPorts"] = ports;
  }
  if (settings.contains("labels")) {
    if (!settings["labels"].is_object()) throw Error(ErrorCode::kInvalidInput, "build.settings.labels must be a mapping");
    json labels = config.value("Labels", json::object());
    if (labels.is_null()) labels = json::object();
    for (const auto& [name, value] : settings["labels"].items()) labels[name] = Scalar(value);
    config["Labels"] = labels;
  }
}

std::string OciMediaType(const std::string& media_type) {
  if (media_type == oci::media_type::kDockerLayerGzip) return oci::media_type::kOciLayerGzip;
  return media_type;
}

void WriteBlob(const fs::path& blobs, const std::string& bytes, const Digest& digest) {
  WriteFileAtomic(blobs / digest.hex(), bytes, 0644);
}

// The base image, one platform of it, copied by the host into `base` (an OCI
// layout in the build's work directory) with oci.copy: an OCI layout or a
// docker-archive arrives verified, read by the host's engine, so the plugin
// needs only a reader of the layout it was given.
struct Base {
  oci::Manifest manifest;
  json config;
};

Base CopyBase(const std::string& base, const oci::Platform& platform, const fs::path& work) {
  fs::path layout = work / "base";
  oci::HostRegistry().Copy(base, "oci:" + layout.string() + ":base", platform.str());
  LayoutReader reader(layout);
  Base copied;
  copied.manifest = reader.ReadManifest(reader.Find("base"));
  if (copied.manifest.is_index || !copied.manifest.config) {
    throw Error(ErrorCode::kInvalidInput, "base image " + base + " has no config");
  }
  copied.config = json::parse(reader.ReadBlob(*copied.manifest.config), nullptr, false);
  if (!copied.config.is_object()) throw Error(ErrorCode::kInvalidInput, "base image " + base + ": its config is not a JSON object");
  return copied;
}

// Moves a verified layer blob of the copied base into the new layout.
void MoveBlob(const fs::path& base_layout, const oci::Descriptor& descriptor, const fs::path& layout) {
  fs::path from = base_layout / "blobs" / descriptor.digest.algorithm() / descriptor.digest.hex();
  fs::path to = layout / "blobs" / descriptor.digest.algorithm() / descriptor.digest.hex();
  if (fs::exists(to)) return;  // The same layer twice.
  CreateDirectories(to.parent_path());
  fs::rename(from, to);
}

// Swaps the finished layout into place; the old one (if any) is removed after.
void Install(const fs::path& built, const fs::path& target) {
  std::error_code error;
  if (!fs::exists(target, error)) {
    if (::rename(built.c_str(), target.c_str()) != 0) {
      throw Error(ErrorCode::kFailure, "cannot move the image into " + target.string() + ": " + std::strerror(errno));
    }
    return;
  }
  if (::renameat2(AT_FDCWD, built.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
    throw Error(ErrorCode::kFailure, "cannot replace " + target.string() + ": " + std::strerror(errno));
  }
  fs::remove_all(built, error);
}

}  // namespace

json BuiltImage::ToJson() const {
  return {{"output", output.str()},
          {"digest", manifest_digest.str()},
          {"config", config_digest.str()},
          {"layer", layer_digest.str()},
          {"size", manifest_size},
          {"layers", layers}};
}

BuiltImage BuildImage(const ImageSpec& spec, const oci::ImageLocation& output) {
  if (output.kind != oci::ImageLocation::Kind::kOciLayout) {
    throw Error(ErrorCode::kUsage, "berth's builder writes an OCI layout (oci:DIR:TAG), not '" + output.str() + "'");
  }
  CheckSettings(spec.settings);
  fs::path target = fs::absolute(output.path).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  CreateDirectories(target.parent_path());
  TempDir work(".berth-build", target.parent_path());
  fs::path layout = work.path() / "layout";
  fs::path blobs = layout / "blobs" / "sha256";
  CreateDirectories(blobs);

  oci::Platform platform = oci::Platform::Host();
  json config = {{"architecture", platform.architecture}, {"os", platform.os}, {"config", json::object()},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", json::array()}}}, {"history", json::array()}};
  std::vector<oci::Descriptor> layers;
  if (spec.base != "scratch" && !spec.base.empty()) {
    // oci.copy could pull a registry base as well; builds stay off the
    // network by design (docs/release.md), so a registry base is refused.
    if (oci::ImageLocation::Parse(spec.base).kind == oci::ImageLocation::Kind::kRegistry) {
      throw Error(ErrorCode::kInvalidInput, "build.settings.base '" + spec.base + "': pull it first (berth pull " + spec.base + " oci:DIR:TAG) and name the layout");
    }
    Base base = CopyBase(spec.base, platform, work.path());
    config = std::move(base.config);
    if (!config.contains("config") || config["config"].is_null()) config["config"] = json::object();
    for (const auto& layer : base.manifest.layers) {
      MoveBlob(work.path() / "base", layer, layout);
      oci::Descriptor copy = layer;
      copy.media_type = OciMediaType(layer.media_type);
      layers.push_back(copy);
    }
  }
  LayerOptions layer_options;
  layer_options.destination = spec.settings.value("dest", std::string("/"));
  layer_options.mtime = spec.mtime;
  fs::path layer_file = work.path() / "layer.tar.gz";
  ContextRules rules;
  rules.include_secrets = IncludedSecrets(spec.settings);
  std::vector<ContextEntry> entries = SelectContextFiles(spec.context, rules);
  LogPacked(entries, layer_options.destination);
  LayerBlob layer = BuildLayer(entries, layer_file, layer_options);
  fs::rename(layer_file, blobs / layer.digest.hex());
  oci::Descriptor layer_descriptor;
  layer_descriptor.media_type = oci::media_type::kOciLayerGzip;
  layer_descriptor.digest = layer.digest;
  layer_descriptor.size = layer.size;
  layers.push_back(layer_descriptor);

  ApplySettings(config["config"], spec.settings);
  std::string created = FormatRfc3339(spec.mtime);
  config["created"] = created;
  config["rootfs"]["diff_ids"].push_back(layer.diff_id.str());
  if (!config.contains("history") || !config["history"].is_array()) config["history"] = json::array();
  config["history"].push_back({{"created", created}, {"created_by", "berth build"}});
  std::string config_bytes = config.dump();
  Digest config_digest = Digest::Of(config_bytes);
  WriteBlob(blobs, config_bytes, config_digest);

  json manifest = {{"schemaVersion", 2}, {"mediaType", oci::media_type::kOciManifest},
                   {"config", {{"mediaType", oci::media_type::kOciConfig}, {"digest", config_digest.str()}, {"size", config_bytes.size()}}},
                   {"layers", json::array()}};
  for (const auto& descriptor : layers) manifest["layers"].push_back(descriptor.ToJson());
  std::string manifest_bytes = manifest.dump();
  Digest manifest_digest = Digest::Of(manifest_bytes);
  WriteBlob(blobs, manifest_bytes, manifest_digest);

  json entry = {{"mediaType", oci::media_type::kOciManifest}, {"digest", manifest_digest.str()}, {"size", manifest_bytes.size()}};
  if (!output.tag.empty()) entry["annotations"] = {{"org.opencontainers.image.ref.name", output.tag}};
  json index = {{"schemaVersion", 2}, {"mediaType", oci::media_type::kOciIndex}, {"manifests", json::array({entry})}};
  WriteFileAtomic(layout / "index.json", index.dump(), 0644);
  WriteFileAtomic(layout / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})", 0644);
  Install(layout, target);

  BuiltImage built;
  built.output = output;
  built.manifest_digest = manifest_digest;
  built.config_digest = config_digest;
  built.layer_digest = layer.digest;
  built.manifest_size = static_cast<int64_t>(manifest_bytes.size());
  built.layers = static_cast<int>(layers.size());
  return built;
}

}  // namespace berth::builders
