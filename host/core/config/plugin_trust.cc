#include "core/config/plugin_trust.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

#include "berth/error.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"
#include "core/config/host_paths.h"
#include "core/config/user_config_keys.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

constexpr char kPolicyKey[] = "plugin-policy";
constexpr char kRequireSignatures[] = "require-signatures";
constexpr char kUserKeys[] = "user-keys";

// One boolean of a file's plugin-policy, with the line it is on.
struct Flag {
  std::optional<bool> value;
  int line = 0;
};

struct FilePolicy {
  Flag require_signatures;
  Flag user_keys;
};

std::string At(const fs::path& file, const YAML::Mark& mark) { return file.string() + ":" + std::to_string(mark.line + 1); }

FilePolicy ReadPolicy(const YAML::Node& root, const fs::path& file) {
  FilePolicy policy;
  if (!root.IsMap() || !root[kPolicyKey] || root[kPolicyKey].IsNull()) return policy;
  const YAML::Node section = root[kPolicyKey];
  if (!section.IsMap()) {
    throw Error(ErrorCode::kInvalidInput, At(file, section.Mark()) + ": plugin-policy must be a map (require-signatures, user-keys)");
  }
  auto flag = [&](const char* name) {
    Flag flag;
    const YAML::Node value = section[name];
    if (!value) return flag;
    flag.line = value.Mark().line + 1;
    try {
      if (value.IsScalar()) flag.value = value.as<bool>();
    } catch (const YAML::Exception&) {
    }
    if (!flag.value) throw Error(ErrorCode::kInvalidInput, At(file, value.Mark()) + ": plugin-policy." + name + " must be true or false");
    return flag;
  };
  policy.require_signatures = flag(kRequireSignatures);
  policy.user_keys = flag(kUserKeys);
  return policy;
}

// A system file anyone may change cannot stand for the administrator: its
// keys could be anyone's and its policy anyone's choice. The owner is not
// checked: whoever owns the prefix also owns the berth that runs from it.
void RefuseIfAnyoneMayWrite(const fs::path& file) {
  struct stat info {};
  if (stat(file.c_str(), &info) == 0 && (info.st_mode & S_IWOTH) != 0) {
    throw Error(ErrorCode::kInvalidInput, file.string() + ": anyone may write to it, so berth takes no plugin trust from it (chmod o-w " +
                                              file.string() + ")");
  }
  const fs::path dir = file.parent_path();
  if (stat(dir.c_str(), &info) == 0 && (info.st_mode & S_IWOTH) != 0 && (info.st_mode & S_ISVTX) == 0) {
    throw Error(ErrorCode::kInvalidInput, file.string() + ": in " + dir.string() +
                                              ", which anyone may write to, so berth takes no plugin trust from it (chmod o-w " +
                                              dir.string() + ")");
  }
}

YAML::Node ParseFile(const fs::path& file) {
  std::string text = ReadFile(file);  // Its error names the file.
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(ErrorCode::kInvalidInput, file.string() + ": not valid YAML (line " + std::to_string(e.mark.line + 1) + ")");
  }
}

}  // namespace

struct PluginTrust::Files {
  struct File {
    fs::path path;
    YAML::Node root;
    bool system = false;
  };
  std::vector<File> list;
};

std::vector<fs::path> SystemConfigFiles(const fs::path& executable) {
  std::vector<fs::path> files = {"/etc/berth/config.yaml"};
  if (executable.empty()) return files;
  const fs::path prefix = executable.lexically_normal().parent_path().parent_path();
  if (prefix.empty() || prefix == "/" || prefix == "/usr") return files;
  files.push_back(prefix / "etc" / "berth" / "config.yaml");
  return files;
}

TrustFiles TrustFilesOfThisBerth() {
  // Not ExecutableDir(), which falls back to the working directory: a
  // system file must never be found relative to where the user stands.
  std::error_code error;
  fs::path executable = fs::read_symlink("/proc/self/exe", error);
  return TrustFiles{SystemConfigFiles(error ? fs::path() : executable), UserConfigFile()};
}

PluginTrust PluginTrust::Load(const TrustFiles& files) {
  PluginTrust trust;
  auto parsed = std::make_shared<Files>();
  std::error_code error;
  std::set<fs::path> seen;
  auto add = [&](const fs::path& path, bool system) {
    if (path.empty() || !seen.insert(path.lexically_normal()).second || !fs::exists(path, error)) return;
    if (system) RefuseIfAnyoneMayWrite(path);
    Files::File file{path, ParseFile(path), system};
    WarnUnknownConfigKeys(file.root, path, system ? ConfigScope::kSystem : ConfigScope::kUser);
    parsed->list.push_back(std::move(file));
  };
  for (const fs::path& path : files.system) add(path, true);
  add(files.user, false);
  trust.files_ = parsed;

  // The strictest setting of any file is the policy.
  std::vector<FilePolicy> policies;
  for (const Files::File& file : parsed->list) {
    policies.push_back(ReadPolicy(file.root, file.path));
    const FilePolicy& policy = policies.back();
    if (policy.require_signatures.value.value_or(false) && !trust.policy_.require_signatures) {
      trust.policy_.require_signatures = true;
      trust.policy_.required_by = file.path;
    }
    if (!policy.user_keys.value.value_or(true) && trust.policy_.user_keys) {
      trust.policy_.user_keys = false;
      trust.policy_.user_keys_off_by = file.path;
    }
  }
  // Every looser setting is named, so that nobody believes it took effect.
  for (size_t i = 0; i < parsed->list.size(); ++i) {
    const Files::File& file = parsed->list[i];
    const std::string why = file.system ? "the strictest setting wins" : "a user's config cannot loosen the system's";
    const FilePolicy& policy = policies[i];
    if (policy.require_signatures.value == false && trust.policy_.require_signatures) {
      log::Warn("{}:{}: plugin-policy.require-signatures: false has no effect: {} requires signatures, and {}", file.path.string(),
                policy.require_signatures.line, trust.policy_.required_by.string(), why);
    }
    if (policy.user_keys.value == true && !trust.policy_.user_keys) {
      log::Warn("{}:{}: plugin-policy.user-keys: true has no effect: {} sets it to false, and {}", file.path.string(),
                policy.user_keys.line, trust.policy_.user_keys_off_by.string(), why);
    }
  }
  return trust;
}

const std::vector<TrustedKey>& PluginTrust::keys() {
  if (keys_) return *keys_;
  std::vector<TrustedKey> keys;
  if (!files_) return keys_.emplace();
  for (const Files::File& file : files_->list) {
    if (!file.system && !policy_.user_keys) {
      // Not even parsed: a key the policy ignores cannot fail the command.
      if (file.root.IsMap() && file.root["trusted-plugin-keys"]) {
        log::Warn("{}: trusted-plugin-keys ignored: {} sets plugin-policy.user-keys: false, so only the system's keys are trusted",
                  file.path.string(), policy_.user_keys_off_by.string());
      }
      continue;
    }
    for (TrustedKey& key : TrustedKeysFrom(file.root, file.path)) keys.push_back(std::move(key));
  }
  keys_ = std::move(keys);
  return *keys_;
}

std::vector<fs::path> PluginTrust::files() const {
  std::vector<fs::path> paths;
  if (files_) {
    for (const Files::File& file : files_->list) paths.push_back(file.path);
  }
  return paths;
}

}  // namespace berth::host
