#include "deploy_records.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <regex>

#include "berth/error.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"

namespace berth::micros {
namespace fs = std::filesystem;

DeployRecords::DeployRecords(const std::string& service, const std::string& env) {
  const char* state = std::getenv("XDG_STATE_HOME");
  const char* home = std::getenv("HOME");
  fs::path base = state != nullptr && state[0] == '/' ? fs::path(state)
                                                      : fs::path(home != nullptr ? home : "/") / ".local" / "state";
  dir_ = base / "berth" / "micros" / service / env;
}

std::string DeployRecords::Save(const DeployRecord& record) const {
  std::string sha = Sha256Hex(record.descriptor);
  Status saved = Capture([&] {
    CreateDirectories(dir_, 0700);
    WriteFileAtomic(dir_ / (sha + ".yml"), record.descriptor, 0644);
    nlohmann::json meta = {{"image", record.image}, {"version", record.version}};
    WriteFileAtomic(dir_ / (sha + ".json"), meta.dump(2) + "\n", 0644);
  });
  if (!saved.ok()) log::Warn("cannot record the deployed descriptor ({}); rollback --revision will not find it", saved.message());
  return sha;
}

std::optional<DeployRecord> DeployRecords::Find(const std::string& sha256_hex) const {
  static const std::regex kHex("[0-9a-f]{64}");
  if (!std::regex_match(sha256_hex, kHex)) return std::nullopt;
  fs::path descriptor = dir_ / (sha256_hex + ".yml");
  if (!fs::exists(descriptor)) return std::nullopt;
  DeployRecord record;
  record.descriptor = ReadFile(descriptor);
  if (Sha256Hex(record.descriptor) != sha256_hex) {
    log::Warn("{} does not match its sha256; ignoring it", descriptor.string());
    return std::nullopt;
  }
  try {
    auto meta = nlohmann::json::parse(ReadFile(dir_ / (sha256_hex + ".json")));
    record.image = meta.value("image", "");
    record.version = meta.value("version", "");
  } catch (const std::exception&) {
    // The descriptor alone is enough to redeploy.
  }
  return record;
}

}  // namespace berth::micros
