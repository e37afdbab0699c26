// berth init: writes berth.yaml from flags, asking on a terminal for what is
// missing. The result is parsed back with ProjectConfig before it is written,
// so init never leaves a file berth itself would refuse.
#include <iostream>
#include <regex>
#include <sstream>

#include "berth/output.h"
#include "berth/util/fs.h"
#include "berth/util/gitignore.h"
#include "core/host.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

std::string Ask(CommandContext& context, const std::string& question, const std::string& fallback) {
  if (!context.interactive) return fallback;
  std::cerr << question << (fallback.empty() ? "" : " [" + fallback + "]") << ": " << std::flush;
  std::string answer;
  std::getline(context.input, answer);
  return answer.empty() ? fallback : answer;
}

std::string Quoted(const std::string& text) { return nlohmann::json(text).dump(); }

// "staging=k8s" -> (staging, k8s)
std::pair<std::string, std::string> EnvironmentFlag(const std::string& flag) {
  std::smatch match;
  if (!std::regex_match(flag, match, std::regex("([a-z][a-z0-9-]*)=([a-z][a-z0-9-]*)"))) {
    throw Error(ErrorCode::kUsage, "--env expects NAME=TARGET (e.g. staging=k8s), got '" + flag + "'");
  }
  return {match[1], match[2]};
}

// Each platform's tag convention: Micros deploys the tag app-<version> (its
// descriptor names it), everywhere else semver plus the commit.
std::string TagsFor(const std::string& target, const std::vector<std::pair<std::string, std::string>>& environments) {
  bool micros = target == "micros";
  for (const auto& environment : environments) micros = micros || environment.second == "micros";
  return micros ? "tags: [\"app-{version}\"]\n" : "tags: [\"v{version}\", \"sha-{git.short}\"]\n";
}

std::string Render(const std::string& service, const std::string& image, const std::vector<std::string>& registries,
                   const std::vector<std::pair<std::string, std::string>>& environments, const std::string& key,
                   const std::string& target) {
  std::string yaml = "# berth.yaml: see docs/berth-yaml.md\nservice: " + service + "\nimage: " + image + "\n";
  yaml += TagsFor(target, environments);
  yaml += "registries:\n";
  for (const auto& registry : registries) yaml += "  - repository: " + registry + "\n";
  if (!key.empty()) {
    std::string public_key = key.size() > 4 && key.substr(key.size() - 4) == ".key" ? key.substr(0, key.size() - 4) + ".pub" : key + ".pub";
    yaml += "signing:\n  signer: cosign\n  key: " + Quoted(key) + "\n  public_key: " + Quoted(public_key) + "\n";
  }
  if (!environments.empty()) {
    yaml += "environments:\n";
    for (const auto& [name, target] : environments) {
      yaml += "  " + name + ":\n    target:\n      plugin: " + target + "\n";
      yaml += "    health:\n      path: /api/health\n      timeout: 2m\n";
    }
  }
  return yaml;
}

// What a berth project keeps out of git from the start: berth's local state
// (.berth/: build layouts, deploy state, installed plugins) except the plugin
// lock, which is committed; the keys berth writes; and env files, which hold
// secret values (`secrets.from`); `.env.example` stays.
std::vector<std::string> SecretFilePatterns(const std::string& signing_key) {
  std::vector<std::string> patterns = {"/.berth/*", "!/.berth/plugins.lock", ".asap-config", "cosign.key", ".env", ".env.*", "!.env.example"};
  fs::path key(signing_key);
  if (!signing_key.empty() && key.is_relative() && *key.begin() != "..") patterns.push_back("/" + key.lexically_normal().string());
  return patterns;
}

int RunInit(Host& host, CommandContext& context) {
  fs::path file = context.args.GetOr("config", "berth.yaml");
  std::vector<std::pair<std::string, std::string>> environments;
  for (const auto& flag : context.args.GetAll("env")) environments.push_back(EnvironmentFlag(flag));
  if (fs::exists(file) && !context.args.Flag("force") && !context.args.Flag("dry-run")) {
    throw Error(ErrorCode::kInvalidInput, file.string() + " already exists (use --force to replace it)");
  }
  std::string directory_name = fs::absolute(file).parent_path().filename().string();
  std::string service = context.args.GetOr("service", "");
  if (service.empty()) service = Ask(context, "Service name", std::regex_match(directory_name, std::regex("[a-z][a-z0-9-]*")) ? directory_name : "");
  if (service.empty()) throw Error(ErrorCode::kUsage, "give --service NAME (no terminal to ask on)");
  std::string image = context.args.GetOr("image", "");
  if (image.empty()) image = Ask(context, "Image repository (e.g. ghcr.io/acme/" + service + ")", "");
  if (image.empty()) throw Error(ErrorCode::kUsage, "give --image REPOSITORY (no terminal to ask on)");
  std::vector<std::string> registries = context.args.GetAll("registry");
  if (registries.empty()) registries.push_back(image);
  if (environments.empty() && context.interactive) {
    std::string answer = Ask(context, "Environments as NAME=TARGET, comma separated (e.g. staging=k8s)", "");
    std::stringstream list(answer);
    for (std::string item; std::getline(list, item, ',');) {
      if (!item.empty()) environments.push_back(EnvironmentFlag(item));
    }
  }
  std::string target = context.args.GetOr("target", "");
  if (!target.empty() && !std::regex_match(target, std::regex("[a-z][a-z0-9-]*"))) {
    throw Error(ErrorCode::kUsage, "--target expects a target kind (e.g. k8s, micros), got '" + target + "'");
  }
  std::string yaml = Render(service, image, registries, environments, context.args.GetOr("signing-key", ""), target);
  ProjectConfig::Parse(yaml, file);  // Refuses what berth would refuse later, naming the line.
  if (context.args.Flag("dry-run")) {
    context.output.stream() << yaml;
    return 0;
  }
  WriteFileAtomic(file, yaml);
  std::vector<std::string> ignored = AddToGitignore(fs::absolute(file).parent_path(), SecretFilePatterns(context.args.GetOr("signing-key", "")));
  context.output.Emit({{"file", fs::absolute(file).string()}, {"service", service}, {"image", image}, {"gitignore_added", ignored}});
  return 0;
}

}  // namespace

void RegisterInitCommands(Host& host) {
  using Kind = OptionSpec::Kind;
  host.table.Add({.path = "init",
                  .summary = "Write a berth.yaml, from flags or by asking",
                  .options = {{.name = "service", .help = "Service name", .value_name = "NAME"},
                              {.name = "image", .help = "Image repository, no tag", .value_name = "REPOSITORY"},
                              {.name = "registry", .kind = Kind::kList, .help = "A repository to push to (repeatable; default: --image)", .value_name = "REPOSITORY"},
                              {.name = "env", .kind = Kind::kList, .help = "An environment and its target plugin (repeatable)", .value_name = "NAME=TARGET"},
                              {.name = "target", .help = "The deploy target whose conventions to follow (micros: app-{version} tags)", .value_name = "KIND"},
                              {.name = "signing-key", .help = "cosign private key to sign releases with", .value_name = "FILE"},
                              {.name = "force", .kind = Kind::kFlag, .help = "Replace an existing berth.yaml"}}},
                 [&host](CommandContext& c) { return RunInit(host, c); });
}

}  // namespace berth::host
