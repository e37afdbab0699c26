#include "core/config/project_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <regex>
#include <set>

#include "berth/error.h"
#include "berth/oci/reference.h"
#include "berth/settings.h"
#include "berth/util/fs.h"
#include "berth/util/text.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

// Walks the YAML tree with the file name at hand, so every error says where.
class Reader {
 public:
  explicit Reader(fs::path file) : file_(std::move(file)) {}

  static SettingsSource::Place PlaceOf(const YAML::Node& node) {
    return {node.Mark().line + 1, node.Mark().column + 1, std::nullopt};
  }

  Error At(const YAML::Node& node, const std::string& message) const {
    const YAML::Mark mark = node.Mark();
    std::string where = file_.filename().string();
    if (mark.line >= 0) where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    return Error(ErrorCode::kInvalidInput, where + ": " + message);
  }

  // A mapping key as text. YAML allows a mapping or a list as a key ("? a: b");
  // berth.yaml never does, and as<std::string>() would throw a YAML
  // exception past every caller (found by fuzz_project_config).
  std::string KeyOf(const YAML::Node& key) const {
    if (!key.IsScalar()) throw At(key, "a key must be a plain name, not a mapping or a list");
    return key.as<std::string>();
  }

  void ExpectMap(const YAML::Node& node, const std::string& field) const {
    if (!node.IsMap()) throw At(node, "'" + field + "' must be a mapping");
  }

  // Refuses keys outside `allowed`, suggesting the nearest one.
  void OnlyKeys(const YAML::Node& node, const std::string& field, const std::set<std::string>& allowed) const {
    for (const auto& item : node) {
      std::string key = KeyOf(item.first);
      if (allowed.count(key)) continue;
      throw At(item.first, "unknown field '" + key + "' in " + field + DidYouMean(key, allowed));
    }
  }

  std::string String(const YAML::Node& node, const std::string& field) const {
    if (!node.IsScalar()) throw At(node, "'" + field + "' must be a string");
    return node.as<std::string>();
  }

  std::string RequiredString(const YAML::Node& parent, const std::string& key, const std::string& field) const {
    const YAML::Node node = parent[key];
    if (!node) throw At(parent, "missing required field '" + field + "'");
    std::string value = String(node, field);
    if (value.empty()) throw At(node, "'" + field + "' must not be empty");
    return value;
  }

  // A path relative to the project's folder that stays inside it, symbolic
  // links resolved: a berth.yaml from a cloned repository must not make berth
  // pack ~/.ssh into an image, read another env file, or write a ledger over
  // a file elsewhere.
  std::string ProjectPath(const YAML::Node& node, const std::string& field) const {
    std::string value = String(node, field);
    if (value.empty()) throw At(node, "'" + field + "' must not be empty");
    std::error_code error;
    fs::path root = fs::weakly_canonical(fs::absolute(file_).parent_path(), error);
    fs::path resolved = fs::weakly_canonical(root / value, error);
    fs::path relative = resolved.lexically_relative(root);
    if (fs::path(value).is_absolute() || error || relative.empty() || *relative.begin() == "..") {
      throw At(node, "'" + field + "' (" + value + ") is outside the project folder; berth.yaml may only name paths inside it");
    }
    return value;
  }

  bool Bool(const YAML::Node& node, const std::string& field) const {
    try {
      return node.as<bool>();
    } catch (const YAML::Exception&) {
      throw At(node, "'" + field + "' must be true or false");
    }
  }

  std::vector<std::string> Strings(const YAML::Node& node, const std::string& field) const {
    if (!node.IsSequence()) throw At(node, "'" + field + "' must be a list of strings");
    std::vector<std::string> values;
    for (const auto& item : node) values.push_back(String(item, field + "[]"));
    return values;
  }

  std::chrono::seconds Duration(const YAML::Node& node, const std::string& field) const {
    auto value = ParseDuration(String(node, field));
    if (!value) throw At(node, "'" + field + "' must be a duration like 90s, 5m or 1h");
    return *value;
  }

  // Settings for a plugin: YAML to JSON, noting where each value was
  // written in `source` (when given) under its JSON pointer.
  nlohmann::json Json(const YAML::Node& node, SettingsSource* source = nullptr, const std::string& pointer = "") const {
    if (source != nullptr) {
      const YAML::Mark mark = node.Mark();
      SettingsSource::Place place{mark.line + 1, mark.column + 1, std::nullopt};
      if (node.IsScalar()) place.scalar = node.as<std::string>();
      source->places[pointer] = place;
    }
    switch (node.Type()) {
      case YAML::NodeType::Map: {
        nlohmann::json object = nlohmann::json::object();
        for (const auto& item : node) {
          std::string key = KeyOf(item.first);
          object[key] = Json(item.second, source, pointer + "/" + JsonPointerToken(key));
        }
        return object;
      }
      case YAML::NodeType::Sequence: {
        nlohmann::json array = nlohmann::json::array();
        for (const auto& item : node) array.push_back(Json(item, source, pointer + "/" + std::to_string(array.size())));
        return array;
      }
      case YAML::NodeType::Scalar: {
        const std::string text = node.as<std::string>();
        if (node.Tag() == "!") return text;  // Quoted: always a string.
        if (text == "true" || text == "false") return text == "true";
        if (std::regex_match(text, std::regex("-?[0-9]+"))) {
          // std::stoll would throw out_of_range past Parse (found by fuzz_project_config).
          int64_t number = 0;
          auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
          if (error != std::errc() || end != text.data() + text.size()) {
            throw At(node, "'" + text + "' is too large for a number (quote it to keep it as text)");
          }
          return number;
        }
        return text;
      }
      default:
        return nullptr;
    }
  }

  // A map's entries except the listed keys, as JSON settings.
  nlohmann::json Rest(const YAML::Node& node, const std::set<std::string>& except, SettingsSource* source = nullptr) const {
    nlohmann::json rest = nlohmann::json::object();
    if (source != nullptr) source->places[""] = {node.Mark().line + 1, node.Mark().column + 1, std::nullopt};
    for (const auto& item : node) {
      std::string key = KeyOf(item.first);
      if (!except.count(key)) rest[key] = Json(item.second, source, "/" + JsonPointerToken(key));
    }
    return rest;
  }


 private:
  fs::path file_;
};

const std::regex kServiceName("[a-z][a-z0-9-]{0,62}");

HealthCheck ReadHealth(const Reader& reader, const YAML::Node& node, const std::string& field) {
  reader.ExpectMap(node, field);
  reader.OnlyKeys(node, field, {"url", "path", "timeout", "interval"});
  HealthCheck health;
  if (node["url"]) health.url = reader.String(node["url"], field + ".url");
  if (node["path"]) health.path = reader.String(node["path"], field + ".path");
  if (node["timeout"]) health.timeout = reader.Duration(node["timeout"], field + ".timeout");
  if (node["interval"]) health.interval = reader.Duration(node["interval"], field + ".interval");
  if (!health.url.empty() && health.url.rfind("http://", 0) != 0 && health.url.rfind("https://", 0) != 0) {
    throw reader.At(node["url"], "'" + field + ".url' must start with http:// or https://");
  }
  return health;
}

EnvironmentConfig ReadEnvironment(const Reader& reader, const std::string& name, const YAML::Node& node) {
  const std::string field = "environments." + name;
  reader.ExpectMap(node, field);
  reader.OnlyKeys(node, field, {"target", "secrets", "health", "immutable_tags", "registry"});
  EnvironmentConfig environment;
  environment.name = name;
  const YAML::Node target = node["target"];
  if (!target) throw reader.At(node, "missing required field '" + field + ".target'");
  reader.ExpectMap(target, field + ".target");
  environment.target = reader.RequiredString(target, "plugin", field + ".target.plugin");
  environment.target_source.field = field + ".target";
  environment.target_settings = reader.Rest(target, {"plugin"}, &environment.target_source);
  if (const YAML::Node secrets = node["secrets"]) {
    reader.ExpectMap(secrets, field + ".secrets");
    reader.OnlyKeys(secrets, field + ".secrets", {"store", "from", "keys", "settings"});
    SecretsConfig config;
    config.store = reader.RequiredString(secrets, "store", field + ".secrets.store");
    if (const YAML::Node from = secrets["from"]; from && from.IsSequence()) {
      if (from.size() == 0) throw reader.At(from, "'" + field + ".secrets.from' must name at least one file");
      for (const auto& item : from) config.from.push_back(reader.ProjectPath(item, field + ".secrets.from[]"));
    } else if (from) {
      config.from.push_back(reader.ProjectPath(from, field + ".secrets.from"));
    }
    if (secrets["keys"]) config.keys = reader.Strings(secrets["keys"], field + ".secrets.keys");
    if (secrets["settings"]) {
      reader.ExpectMap(secrets["settings"], field + ".secrets.settings");
      config.source.field = field + ".secrets.settings";
      config.settings = reader.Json(secrets["settings"], &config.source);
    }
    environment.secrets = std::move(config);
  }
  if (node["health"]) environment.health = ReadHealth(reader, node["health"], field + ".health");
  if (node["immutable_tags"]) environment.immutable_tags = reader.Bool(node["immutable_tags"], field + ".immutable_tags");
  if (node["registry"]) {
    environment.registry = reader.String(node["registry"], field + ".registry");
    try {
      oci::Reference::ParseRepository(environment.registry);
    } catch (const Error& e) {
      throw reader.At(node["registry"], "'" + field + ".registry' must be a repository (REGISTRY/PATH, no tag or digest): " + e.what());
    }
  }
  return environment;
}

// `tags:` is a list of templates, each a string or {template: T, mutable: true}.
std::vector<TagTemplate> ReadTags(const Reader& reader, const YAML::Node& node) {
  if (!node.IsSequence()) throw reader.At(node, "'tags' must be a list of templates");
  std::vector<TagTemplate> tags;
  for (const auto& item : node) {
    TagTemplate tag;
    if (item.IsMap()) {
      reader.OnlyKeys(item, "tags[]", {"template", "mutable"});
      if (!item["template"]) throw reader.At(item, "missing required field 'tags[].template'");
      if (item["mutable"]) tag.is_mutable = reader.Bool(item["mutable"], "tags[].mutable");
    }
    // Not `YAML::Node text = item; text = item["template"]`: assigning to a
    // yaml-cpp node rewrites the node it refers to.
    const YAML::Node text = item.IsMap() ? item["template"] : item;
    tag.text = reader.String(text, "tags[]");
    if (tag.text.empty()) throw reader.At(text, "'tags[]' must not be empty");
    std::string rest = std::regex_replace(tag.text, std::regex("\\{(version|git\\.sha|git\\.short|date)\\}"), "");
    if (rest.find('{') != std::string::npos) {
      throw reader.At(text, "unknown placeholder in tag template '" + tag.text + "' (use {version}, {git.sha}, {git.short}, {date})");
    }
    tags.push_back(std::move(tag));
  }
  return tags;
}

}  // namespace

std::optional<std::chrono::seconds> ParseDuration(const std::string& text) {
  auto seconds = ParseDurationSeconds(text);
  if (!seconds) return std::nullopt;
  return std::chrono::seconds(*seconds);
}

ProjectConfig ProjectConfig::Load(const fs::path& file) {
  std::string text;
  try {
    text = ReadFile(file);
  } catch (const Error&) {
    throw Error(ErrorCode::kInvalidInput, "cannot read project file " + file.string());
  }
  return Parse(text, file);
}

ProjectConfig ProjectConfig::Parse(const std::string& text, const fs::path& file) {
  Reader reader(file);
  // YAML is Unicode text; bytes that are not UTF-8 would later break the
  // JSON the settings travel in (to plugins, into the trust digest).
  if (std::optional<size_t> bad = FirstInvalidUtf8(text)) {
    size_t line_start = text.rfind('\n', *bad);  // text[*bad] is no newline.
    line_start = line_start == std::string::npos ? 0 : line_start + 1;
    size_t line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(*bad), '\n');
    throw Error(ErrorCode::kInvalidInput, file.filename().string() + ":" + std::to_string(line) + ":" +
                                              std::to_string(*bad - line_start + 1) + ": not UTF-8 text (YAML files are UTF-8)");
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw Error(ErrorCode::kInvalidInput, file.filename().string() + ":" + std::to_string(e.mark.line + 1) + ":" +
                                              std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (!root.IsMap()) throw reader.At(root, "expected a mapping at the top (service:, image:, environments: ...)");
  reader.OnlyKeys(root, "berth.yaml",
                  {"service", "image", "build", "tags", "git", "registries", "signing", "environments", "ledger", "plugins"});

  ProjectConfig config;
  config.file = fs::absolute(file);
  config.dir = config.file.parent_path();
  config.service = reader.RequiredString(root, "service", "service");
  if (!std::regex_match(config.service, kServiceName)) {
    throw reader.At(root["service"], "'service' must be lowercase letters, digits and '-', starting with a letter");
  }
  config.image = reader.RequiredString(root, "image", "image");
  size_t last_slash = config.image.rfind('/');
  bool has_tag = config.image.find(':', last_slash == std::string::npos ? 0 : last_slash) != std::string::npos;
  if (config.image.find('@') != std::string::npos || has_tag) {
    throw reader.At(root["image"], "'image' is a repository without tag or digest (tags come from 'tags')");
  }

  if (const YAML::Node build = root["build"]) {
    reader.ExpectMap(build, "build");
    if (build["context"]) config.build.context = reader.ProjectPath(build["context"], "build.context");
    if (build["dockerfile"]) config.build.dockerfile = reader.ProjectPath(build["dockerfile"], "build.dockerfile");
    if (build["platforms"]) config.build.platforms = reader.Strings(build["platforms"], "build.platforms");
    if (build["builder"]) {
      config.build.builder = reader.String(build["builder"], "build.builder");
      // Builders are plugins: whether one is installed is checked when it builds.
      if (!std::regex_match(config.build.builder, std::regex("[a-z][a-z0-9-]{0,63}"))) {
        throw reader.At(build["builder"], "'build.builder' must be auto or a builder's name (berth plugin list)");
      }
    }
    config.build.source.field = "build";
    config.build.settings = reader.Rest(build, {"context", "dockerfile", "platforms", "builder"}, &config.build.source);
  }

  config.tags = root["tags"] ? ReadTags(reader, root["tags"]) : std::vector<TagTemplate>{{"{version}", false}};

  if (const YAML::Node git = root["git"]) {
    reader.ExpectMap(git, "git");
    reader.OnlyKeys(git, "git", {"short_length"});
    if (const YAML::Node length = git["short_length"]) {
      int value = 0;
      try {
        value = length.as<int>();
      } catch (const YAML::Exception&) {
        value = 0;
      }
      if (value < 4 || value > 40) throw reader.At(length, "'git.short_length' must be a number from 4 to 40");
      config.git_short_length = value;
    }
  }

  if (const YAML::Node plugins = root["plugins"]) {
    if (!plugins.IsSequence()) throw reader.At(plugins, "'plugins' must be a list of {name, source}");
    for (const auto& node : plugins) {
      reader.ExpectMap(node, "plugins[]");
      reader.OnlyKeys(node, "plugins[]", {"name", "source"});
      ProjectPlugin plugin{reader.RequiredString(node, "name", "plugins[].name"), reader.RequiredString(node, "source", "plugins[].source")};
      if (!std::regex_match(plugin.name, std::regex("[a-z][a-z0-9-]{0,63}"))) {
        throw reader.At(node["name"], "'plugins[].name' must be a plugin name (lowercase letters, digits and '-')");
      }
      for (const auto& other : config.plugins) {
        if (other.name == plugin.name) throw reader.At(node["name"], "plugin '" + plugin.name + "' is listed twice");
      }
      config.places["plugins." + plugin.name] = Reader::PlaceOf(node["source"]);
      config.plugins.push_back(std::move(plugin));
    }
  }

  if (const YAML::Node registries = root["registries"]) {
    if (!registries.IsSequence()) throw reader.At(registries, "'registries' must be a list");
    for (const auto& node : registries) {
      reader.ExpectMap(node, "registries[]");
      reader.OnlyKeys(node, "registries[]", {"name", "repository", "plugin", "settings"});
      RegistryConfig registry;
      registry.repository = reader.RequiredString(node, "repository", "registries[].repository");
      registry.name = node["name"] ? reader.String(node["name"], "registries[].name")
                                   : registry.repository.substr(0, registry.repository.find('/'));
      if (node["plugin"]) registry.plugin = reader.String(node["plugin"], "registries[].plugin");
      registry.source.field = "registries[" + std::to_string(config.registries.size()) + "].settings";
      if (node["settings"]) registry.settings = reader.Json(node["settings"], &registry.source);
      config.registries.push_back(std::move(registry));
    }
  } else {
    config.registries.push_back({config.image.substr(0, config.image.find('/')), config.image, "", nlohmann::json::object()});
  }

  if (const YAML::Node signing = root["signing"]) {
    reader.ExpectMap(signing, "signing");
    reader.OnlyKeys(signing, "signing", {"signer", "key", "public_key", "required", "settings"});
    SigningConfig value;
    if (signing["signer"]) value.signer = reader.String(signing["signer"], "signing.signer");
    if (signing["key"]) {
      value.key = reader.String(signing["key"], "signing.key");
      config.places["signing.key"] = Reader::PlaceOf(signing["key"]);
    }
    if (signing["public_key"]) value.public_key = reader.String(signing["public_key"], "signing.public_key");
    if (signing["required"]) value.required = reader.Bool(signing["required"], "signing.required");
    value.source.field = "signing.settings";
    if (signing["settings"]) value.settings = reader.Json(signing["settings"], &value.source);
    config.signing = std::move(value);
  }

  if (const YAML::Node environments = root["environments"]) {
    reader.ExpectMap(environments, "environments");
    for (const auto& item : environments) {
      std::string name = reader.KeyOf(item.first);
      if (!std::regex_match(name, kServiceName)) {
        throw reader.At(item.first, "environment name '" + name + "' must be lowercase letters, digits and '-'");
      }
      config.environments[name] = ReadEnvironment(reader, name, item.second);
    }
  }

  config.ledger = config.dir / "releases.json";
  config.ledger_markdown = config.dir / "RELEASES.md";
  if (const YAML::Node ledger = root["ledger"]) {
    reader.ExpectMap(ledger, "ledger");
    reader.OnlyKeys(ledger, "ledger", {"path", "markdown"});
    if (ledger["path"]) config.ledger = config.dir / reader.ProjectPath(ledger["path"], "ledger.path");
    if (ledger["markdown"]) config.ledger_markdown = config.dir / reader.ProjectPath(ledger["markdown"], "ledger.markdown");
  }
  return config;
}

const EnvironmentConfig& ProjectConfig::Environment(const std::string& name) const {
  auto it = environments.find(name);
  if (it != environments.end()) return it->second;
  std::string known;
  for (const auto& [key, value] : environments) known += (known.empty() ? "" : ", ") + key;
  throw Error(ErrorCode::kInvalidInput, file.filename().string() + ": no environment '" + name + "'" +
                                            (known.empty() ? " (none defined)" : " (defined: " + known + ")"));
}

}  // namespace berth::host
