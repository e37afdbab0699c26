#include "descriptor.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "artifactory.h"
#include "berth/error.h"

namespace berth::micros {
namespace {

const std::regex kDigest("sha256:[0-9a-f]{64}");
const std::regex kVariableName("[A-Za-z_][A-Za-z0-9_]*");
const std::regex kPort("[0-9]{1,5}(:[0-9]{1,5})?(/(tcp|udp))?");
const std::regex kDockerTag("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
const std::regex kStashKey("[A-Za-z0-9_.-]+");
const std::regex kSsm(R"(\(\(ssm:/([A-Za-z0-9._-]+)/([A-Za-z0-9._-]+)\)\))");

const std::set<std::string> kTopLevelFields = {
    "name",   "description", "organization", "buildNumber", "notifications", "links",        "compose",
    "resources", "config",   "scaling",      "loadBalancer", "network",      "requiresAsap", "owners"};

// 1-based line and column of a byte offset.
std::pair<int, int> Position(std::string_view text, size_t offset) {
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, int(offset - line_start) + 1};
}

class Checker {
 public:
  void Check(std::string_view text) {
    ScanText(text);
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
      Add(e.mark.line + 1, e.mark.column + 1, true, e.msg);
      return;
    }
    if (!root || root.IsNull()) {
      Add(1, 1, true, "the descriptor is empty");
      return;
    }
    if (!root.IsMap()) {
      Error(root, "the descriptor must be a mapping (name:, compose:, links: ...)");
      return;
    }
    FindDuplicates(root);
    for (const auto& item : root) {
      const std::string key = item.first.Scalar();
      if (!kTopLevelFields.count(key)) Warn(item.first, "unknown top-level field '" + key + "'");
    }
    CheckName(root);
    CheckImage(root);
    CheckHealth(root);
    CheckScaling(root);
    CheckResources(root);
    if (auto config = Find(root, "config")) {
      if (!config->second.IsMap()) {
        Error(config->first, "config must be a mapping");
      } else if (auto variables = Find(config->second, "environmentVariables")) {
        CheckEnvironment("config.environmentVariables", *variables);
      }
    }
    if (auto notifications = Find(root, "notifications"); notifications && !notifications->second.IsMap()) {
      Error(notifications->first, "notifications must be a mapping (email: ...)");
    }
  }

  // Sorted by position; references to another service's stash are suspicious.
  std::vector<DescriptorProblem> Finish() {
    for (const auto& reference : references_) {
      if (!name_.empty() && reference.service != name_) {
        Add(reference.line, reference.column, false,
            "secret reference names service '" + reference.service + "', not this descriptor's '" + name_ + "'");
      }
    }
    std::stable_sort(problems_.begin(), problems_.end(), [](const auto& a, const auto& b) {
      return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
    return std::move(problems_);
  }

 private:
  using Entry = std::pair<YAML::Node, YAML::Node>;  // Key node, value node.

  void Add(int line, int column, bool error, std::string message) {
    problems_.push_back({line, column, error, std::move(message)});
  }
  void Error(const YAML::Node& at, std::string message) { Add(at.Mark().line + 1, at.Mark().column + 1, true, std::move(message)); }
  void Warn(const YAML::Node& at, std::string message) { Add(at.Mark().line + 1, at.Mark().column + 1, false, std::move(message)); }
  // Missing fields are reported where their parent's key is, or at the top.
  void Missing(const Entry* parent, std::string message) {
    if (parent != nullptr) {
      Error(parent->first, std::move(message));
    } else {
      Add(1, 1, true, std::move(message));
    }
  }

  // The first entry with this key (duplicates are reported separately).
  static std::optional<Entry> Find(const YAML::Node& map, const std::string& key) {
    if (!map.IsMap()) return std::nullopt;
    for (const auto& item : map) {
      if (item.first.IsScalar() && item.first.Scalar() == key) return Entry{item.first, item.second};
    }
    return std::nullopt;
  }

  static bool IsText(const YAML::Node& node) { return node.IsScalar() && !node.Scalar().empty(); }

  void FindDuplicates(const YAML::Node& node) {
    if (node.IsMap()) {
      std::map<std::string, int> seen;
      for (const auto& item : node) {
        if (item.first.IsScalar()) {
          auto [it, inserted] = seen.emplace(item.first.Scalar(), item.first.Mark().line + 1);
          if (!inserted) Error(item.first, "duplicate key '" + item.first.Scalar() + "' (first on line " + std::to_string(it->second) + ")");
        }
        FindDuplicates(item.second);
      }
    } else if (node.IsSequence()) {
      for (const auto& item : node) FindDuplicates(item);
    }
  }

  void CheckName(const YAML::Node& root) {
    auto name = Find(root, "name");
    if (!name) return Missing(nullptr, "name is missing");
    if (!IsText(name->second)) return Error(name->first, "name must be a non-empty string");
    name_ = name->second.Scalar();
    if (!IsMicrosName(name_)) {
      Error(name->second, "name '" + name_ + "' is not a Micros service name (lowercase letters, digits and '-')");
    }
  }

  void CheckImage(const YAML::Node& root) {
    auto compose = Find(root, "compose");
    auto links = Find(root, "links");
    auto binary = links ? Find(links->second, "binary") : std::nullopt;
    if (!compose && !binary) {
      return Missing(nullptr, "no image: add compose.<container>.image (or the older links.binary)");
    }
    if (binary) CheckBinary(*binary);
    if (!compose) return;
    if (!compose->second.IsMap() || compose->second.size() == 0) {
      return Error(compose->first, "compose must map container names to {image, tag, ports, environment}");
    }
    for (const auto& item : compose->second) {
      Entry container{item.first, item.second};
      CheckContainer("compose." + item.first.Scalar(), container);
    }
  }

  void CheckBinary(const Entry& binary) {
    if (!binary.second.IsMap()) return Error(binary.first, "links.binary must be a mapping {type, name, tag}");
    for (const char* field : {"type", "name", "tag"}) {
      auto value = Find(binary.second, field);
      if (!value) {
        Missing(&binary, std::string("links.binary.") + field + " is missing");
      } else if (!IsText(value->second)) {
        Error(value->first, std::string("links.binary.") + field + " must be a non-empty string");
      }
    }
  }

  void CheckContainer(const std::string& path, const Entry& container) {
    if (!container.second.IsMap()) return Error(container.first, path + " must be a mapping with image:");
    auto image = Find(container.second, "image");
    auto tag = Find(container.second, "tag");
    if (!image) {
      Missing(&container, path + ".image is missing");
    } else if (!IsText(image->second)) {
      Error(image->first, path + ".image must be a non-empty string");
    } else {
      const std::string reference = image->second.Scalar();
      size_t slash = reference.rfind('/');
      bool pinned = reference.find('@') != std::string::npos ||
                    reference.find(':', slash == std::string::npos ? 0 : slash) != std::string::npos;
      if (pinned && tag) Error(tag->first, path + ".tag is set but " + path + ".image already has a tag or digest");
    }
    if (tag) {
      if (!tag->second.IsScalar() || !std::regex_match(tag->second.Scalar(), kDockerTag)) {
        Error(tag->second, path + ".tag must be a docker tag (letters, digits, '_', '.', '-')");
      }
    }
    if (auto ports = Find(container.second, "ports")) {
      if (!ports->second.IsSequence()) {
        Error(ports->first, path + ".ports must be a list like [\"8080:8080\"]");
      } else {
        for (const auto& port : ports->second) {
          if (!port.IsScalar() || !std::regex_match(port.Scalar(), kPort)) {
            Error(port, path + ".ports entries look like 8080 or \"8080:8080\"");
          }
        }
      }
    }
    if (auto environment = Find(container.second, "environment")) CheckEnvironment(path + ".environment", *environment);
  }

  void CheckEnvironment(const std::string& path, const Entry& environment) {
    const YAML::Node& node = environment.second;
    if (node.IsMap()) {
      for (const auto& item : node) {
        const std::string name = item.first.Scalar();
        if (!std::regex_match(name, kVariableName)) Error(item.first, path + ": invalid variable name '" + name + "'");
        if (item.second.IsNull()) {
          Error(item.first, path + "." + name + " has no value");
        } else if (!item.second.IsScalar()) {
          Error(item.second, path + "." + name + " must be a string, not a list or mapping");
        }
      }
    } else if (node.IsSequence()) {
      for (const auto& item : node) {
        if (!item.IsScalar() || item.Scalar().find('=') == std::string::npos ||
            !std::regex_match(item.Scalar().substr(0, item.Scalar().find('=')), kVariableName)) {
          Error(item, path + " entries must be NAME=value");
        }
      }
    } else {
      Error(environment.first, path + " must be a mapping of NAME: value");
    }
  }

  void CheckHealth(const YAML::Node& root) {
    const char* kWhy = " (Micros checks it before sending traffic)";
    auto links = Find(root, "links");
    if (!links) return Missing(nullptr, std::string("links.healthcheck.uri is missing") + kWhy);
    if (!links->second.IsMap()) return Error(links->first, "links must be a mapping (healthcheck:, source: ...)");
    auto healthcheck = Find(links->second, "healthcheck");
    if (!healthcheck) return Missing(&*links, std::string("links.healthcheck.uri is missing") + kWhy);
    if (!healthcheck->second.IsMap()) return Error(healthcheck->first, "links.healthcheck must be a mapping with uri:");
    auto uri = Find(healthcheck->second, "uri");
    if (!uri) return Missing(&*healthcheck, std::string("links.healthcheck.uri is missing") + kWhy);
    if (!IsText(uri->second)) Error(uri->first, "links.healthcheck.uri must be a path like /api/health");
  }

  void CheckScaling(const YAML::Node& root) {
    auto scaling = Find(root, "scaling");
    if (!scaling) return Add(1, 1, false, "scaling is missing; Micros' defaults apply");
    if (!scaling->second.IsMap()) return Error(scaling->first, "scaling must be a mapping {min, max, instance}");
    std::map<std::string, long> bounds;
    for (const char* field : {"min", "max"}) {
      auto value = Find(scaling->second, field);
      if (!value) {
        Missing(&*scaling, std::string("scaling.") + field + " is missing");
      } else if (!value->second.IsScalar() || !std::regex_match(value->second.Scalar(), std::regex("[0-9]{1,4}"))) {
        Error(value->second, std::string("scaling.") + field + " must be a whole number");
      } else {
        bounds[field] = std::stol(value->second.Scalar());
      }
    }
    if (bounds.size() == 2 && bounds["min"] > bounds["max"]) {
      Error(Find(scaling->second, "min")->second, "scaling.min (" + std::to_string(bounds["min"]) +
                                                       ") is greater than scaling.max (" + std::to_string(bounds["max"]) + ")");
    }
    if (auto instance = Find(scaling->second, "instance"); instance && !IsText(instance->second)) {
      Error(instance->first, "scaling.instance must be an instance type like m5.large");
    }
    for (const auto& item : scaling->second) {
      const std::string key = item.first.Scalar();
      if (key != "min" && key != "max" && key != "instance") Warn(item.first, "unknown field scaling." + key);
    }
  }

  void CheckResources(const YAML::Node& root) {
    auto resources = Find(root, "resources");
    if (!resources) return;
    if (!resources->second.IsSequence()) return Error(resources->first, "resources must be a list of {type, name, attributes}");
    int index = 0;
    for (const auto& resource : resources->second) {
      const std::string path = "resources[" + std::to_string(index++) + "]";
      if (!resource.IsMap()) {
        Error(resource, path + " must be a mapping {type, name, attributes}");
        continue;
      }
      for (const char* field : {"type", "name"}) {
        auto value = Find(resource, field);
        if (!value) {
          Error(resource, path + "." + field + " is missing");
        } else if (!IsText(value->second)) {
          Error(value->second, path + "." + field + " must be a non-empty string");
        }
      }
    }
  }

  // What YAML does not see: placeholders left over and secret references.
  void ScanText(std::string_view text) {
    for (size_t at = text.find("{{"); at != std::string_view::npos; at = text.find("{{", at + 2)) {
      size_t end = text.find("}}", at);
      size_t line_end = text.find('\n', at);
      std::string_view shown = text.substr(at, (end != std::string_view::npos && end < line_end ? end + 2 : line_end) - at);
      auto [line, column] = Position(text, at);
      Add(line, column, true, "unrendered placeholder " + std::string(shown) + " (render the template first)");
    }
    for (size_t at = text.find("((ssm:"); at != std::string_view::npos; at = text.find("((ssm:", at + 6)) {
      auto [line, column] = Position(text, at);
      std::string rest(text.substr(at, std::min(text.find('\n', at), text.size()) - at));
      std::smatch match;
      if (!std::regex_search(rest, match, kSsm, std::regex_constants::match_continuous)) {
        Add(line, column, true, "malformed secret reference '" + rest.substr(0, rest.find_first_of(" \t\"'") ) +
                                    "' (expected ((ssm:/SERVICE/KEY)))");
      } else {
        references_.push_back({line, column, match[1]});
      }
    }
  }

 private:
  struct Reference {
    int line;
    int column;
    std::string service;
  };
  std::vector<DescriptorProblem> problems_;
  std::vector<Reference> references_;
  std::string name_;
};

}  // namespace

void SplitImage(const std::string& reference, DescriptorInputs& inputs) {
  size_t at = reference.find('@');
  std::string repository = reference.substr(0, at);
  size_t slash = repository.rfind('/');
  if (repository.empty() || repository.find(':', slash == std::string::npos ? 0 : slash) != std::string::npos) {
    throw Error(ErrorCode::kInvalidInput, "image '" + reference + "': give REPOSITORY@sha256:<digest> (a tag can move; the "
                                          "descriptor gets the app-<version> tag from --version)");
  }
  inputs.image = repository;
  inputs.digest.clear();
  if (at != std::string::npos) {
    inputs.digest = reference.substr(at + 1);
    if (!std::regex_match(inputs.digest, kDigest)) {
      throw Error(ErrorCode::kInvalidInput, "image '" + reference + "': the digest must be sha256:<64 hex digits>");
    }
  }
}

std::vector<std::string> StashKeysReferenced(std::string_view text, const std::string& service) {
  std::set<std::string> keys;
  std::string copy(text);
  for (std::sregex_iterator it(copy.begin(), copy.end(), kSsm), end; it != end; ++it) {
    if ((*it)[1] == service) keys.insert((*it)[2]);
  }
  return {keys.begin(), keys.end()};
}

std::string SsmReference(const std::string& service, const std::string& key) { return "((ssm:/" + service + "/" + key + "))"; }

std::string RenderTemplate(std::string_view text, const std::string& file, const DescriptorInputs& inputs) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (true) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) break;
    out.append(text.substr(pos, open - pos));
    auto fail = [&](const std::string& message) {
      auto [line, column] = Position(text, open);
      return Error(ErrorCode::kInvalidInput, file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message);
    };
    size_t close = text.find("}}", open);
    size_t newline = text.find('\n', open);
    if (close == std::string_view::npos || close > newline) throw fail("unterminated placeholder (expected }} on the same line)");
    std::string inner(text.substr(open + 2, close - open - 2));
    std::smatch match;
    if (!std::regex_match(inner, match, std::regex(R"(\s*([a-z]+)(?:\s+(\S+))?\s*)"))) {
      throw fail("malformed placeholder {{" + inner + "}}");
    }
    const std::string name = match[1];
    const std::string argument = match[2];
    auto need = [&](const std::string& value, const std::string& why) {
      if (value.empty()) throw fail("{{ " + name + " }} needs " + why);
      return value;
    };
    if (name == "ssm") {
      if (!std::regex_match(argument, kStashKey)) throw fail("{{ ssm KEY }} needs a stash key (letters, digits, '_', '.', '-')");
      out += SsmReference(inputs.service, argument);
    } else if (!argument.empty()) {
      throw fail("{{ " + name + " }} takes no argument");
    } else if (name == "service") {
      out += inputs.service;
    } else if (name == "env") {
      out += inputs.env;
    } else if (name == "image") {
      out += need(inputs.image, "an image");
    } else if (name == "digest") {
      out += need(inputs.digest, "an image by digest (REPOSITORY@sha256:...)");
    } else if (name == "reference") {
      out += need(inputs.image, "an image") + "@" + need(inputs.digest, "an image by digest (REPOSITORY@sha256:...)");
    } else if (name == "version") {
      out += need(inputs.version, "a version (--version)");
    } else if (name == "tag") {
      out += AppTag(need(inputs.version, "a version (--version) for the app-<version> tag"));
    } else {
      throw fail("unknown placeholder {{ " + name + " }} (service, env, image, digest, reference, version, tag, ssm KEY)");
    }
    pos = close + 2;
  }
  out.append(text.substr(pos));
  return out;
}

std::string GenerateDescriptor(const MicrosSettings& settings, const DescriptorInputs& inputs) {
  if (inputs.version.empty()) {
    throw Error(ErrorCode::kUsage, "micros tags the image app-<version> in the descriptor: pass --version");
  }
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << inputs.service;
  if (!settings.description.empty()) out << YAML::Key << "description" << YAML::Value << settings.description;
  if (!settings.organization.empty()) out << YAML::Key << "organization" << YAML::Value << settings.organization;
  if (!settings.notifications_email.empty()) {
    out << YAML::Key << "notifications" << YAML::Value << YAML::BeginMap << YAML::Key << "email" << YAML::Value
        << settings.notifications_email << YAML::EndMap;
  }
  out << YAML::Key << "links" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "healthcheck" << YAML::Value << YAML::BeginMap << YAML::Key << "uri" << YAML::Value
      << settings.health_path << YAML::EndMap;
  if (!settings.source_url.empty()) {
    out << YAML::Key << "source" << YAML::Value << YAML::BeginMap << YAML::Key << "url" << YAML::Value << settings.source_url
        << YAML::EndMap;
  }
  out << YAML::EndMap;
  out << YAML::Key << "compose" << YAML::Value << YAML::BeginMap << YAML::Key << settings.container << YAML::Value
      << YAML::BeginMap;
  out << YAML::Key << "image" << YAML::Value << inputs.image;
  out << YAML::Key << "tag" << YAML::Value << AppTag(inputs.version);
  if (!settings.ports.empty()) {
    out << YAML::Key << "ports" << YAML::Value << YAML::BeginSeq;
    for (const auto& port : settings.ports) out << YAML::DoubleQuoted << port;
    out << YAML::EndSeq;
  }
  if (!settings.environment.empty() || !settings.secrets.empty()) {
    std::map<std::string, std::string> environment = settings.environment;
    for (const auto& [variable, key] : settings.secrets) environment[variable] = SsmReference(inputs.service, key);
    out << YAML::Key << "environment" << YAML::Value << YAML::BeginMap;
    for (const auto& [name, value] : environment) out << YAML::Key << name << YAML::Value << YAML::DoubleQuoted << value;
    out << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::EndMap;
  out << YAML::Key << "scaling" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "min" << YAML::Value << settings.scaling.min;
  out << YAML::Key << "max" << YAML::Value << settings.scaling.max;
  if (!settings.scaling.instance.empty()) out << YAML::Key << "instance" << YAML::Value << settings.scaling.instance;
  out << YAML::EndMap;
  out << YAML::EndMap;
  if (!out.good()) throw Error(ErrorCode::kFailure, std::string("cannot write the descriptor: ") + out.GetLastError());
  return std::string(out.c_str()) + "\n";
}

std::vector<DescriptorProblem> ValidateDescriptor(std::string_view text) {
  Checker checker;
  checker.Check(text);
  return checker.Finish();
}

std::string FormatProblem(const std::string& file, const DescriptorProblem& problem, bool with_severity) {
  return file + ":" + std::to_string(problem.line) + ":" + std::to_string(problem.column) + ": " +
         (problem.error || !with_severity ? "" : "warning: ") + problem.message;
}

bool HasErrors(const std::vector<DescriptorProblem>& problems) {
  return std::any_of(problems.begin(), problems.end(), [](const auto& p) { return p.error; });
}

}  // namespace berth::micros
