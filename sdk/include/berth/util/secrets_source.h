// The files secret values are read from (berth.yaml's `secrets.from`,
// `secrets diff|sync --from`, `asap curl --env-file`): env files and
// .asap-configs, told apart by content (asap::IsAsapConfigText). An
// .asap-config gives the ASAP_* variables a service reads
// (asap::AsapEnvironment), so its key reaches a store with no copy on disk.
#ifndef BERTH_UTIL_SECRETS_SOURCE_H_
#define BERTH_UTIL_SECRETS_SOURCE_H_

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "berth/secret.h"

namespace berth {

struct SecretsFromFiles {
  std::map<std::string, SecretValue> values;
  std::map<std::string, std::string> file_of;  // Each key's file, as given.
};

// One file: an env file, or an .asap-config mapped to ASAP_* variables.
// Throws Error(kInvalidInput) naming the file (and the line or field).
std::map<std::string, SecretValue> LoadSecretsFile(const std::filesystem::path& file);

// Several files, in order. A key two of them set is an error naming both:
// which value should win is the user's call, not berth's.
SecretsFromFiles LoadSecretsFiles(const std::vector<std::filesystem::path>& files);

}  // namespace berth

#endif  // BERTH_UTIL_SECRETS_SOURCE_H_
