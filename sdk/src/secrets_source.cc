#include "berth/util/secrets_source.h"

#include "berth/error.h"
#include "berth/util/asap_config.h"
#include "berth/util/env_file.h"
#include "berth/util/fs.h"

namespace berth {

std::map<std::string, SecretValue> LoadSecretsFile(const std::filesystem::path& file) {
  bool asap_config = false;
  {
    SecretValue text(ReadFile(file));
    asap_config = asap::IsAsapConfigText(text.Reveal());
  }
  // Each loader reads the file again, with its own warning for a file others may read.
  if (asap_config) return asap::AsapEnvironment(asap::LoadAsapConfig(file));
  return LoadEnvFile(file);
}

SecretsFromFiles LoadSecretsFiles(const std::vector<std::filesystem::path>& files) {
  SecretsFromFiles loaded;
  for (const auto& file : files) {
    for (auto& [name, value] : LoadSecretsFile(file)) {
      if (auto seen = loaded.file_of.find(name); seen != loaded.file_of.end()) {
        throw Error(ErrorCode::kInvalidInput, name + " is set by both " + seen->second + " and " + file.string() +
                                                  " (keep it in one of them)");
      }
      loaded.file_of.emplace(name, file.string());
      loaded.values.emplace(name, std::move(value));
    }
  }
  return loaded;
}

}  // namespace berth
