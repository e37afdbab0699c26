#include "berth/oci/upload_state.h"

#include <nlohmann/json.hpp>

#include <cstdlib>

#include "berth/error.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"

namespace berth::oci {
namespace fs = std::filesystem;

UploadStateStore::UploadStateStore(fs::path dir) : dir_(std::move(dir)) {}

fs::path UploadStateStore::DefaultDir() {
  if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && *state == '/') return fs::path(state) / "berth" / "uploads";
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr && *home ? home : "/tmp") / ".local" / "state" / "berth" / "uploads";
}

fs::path UploadStateStore::PathFor(const std::string& registry, const std::string& repository, const Digest& digest) const {
  // Hashed: registry and repository names may hold characters a file name cannot.
  return dir_ / (Sha256Hex(registry + "/" + repository + "@" + digest.str()) + ".json");
}

std::optional<UploadState> UploadStateStore::Load(const std::string& registry, const std::string& repository, const Digest& digest) const {
  fs::path file = PathFor(registry, repository, digest);
  std::error_code error;
  if (!fs::exists(file, error)) return std::nullopt;
  try {
    nlohmann::json data = nlohmann::json::parse(ReadFile(file));
    UploadState state;
    state.registry = data.at("registry").get<std::string>();
    state.repository = data.at("repository").get<std::string>();
    state.digest = Digest::Parse(data.at("digest").get<std::string>());
    state.size = data.at("size").get<int64_t>();
    state.location = data.at("location").get<std::string>();
    state.offset = data.at("offset").get<int64_t>();
    state.min_chunk = data.value("minChunk", int64_t(0));
    if (state.registry != registry || state.repository != repository || state.digest != digest) return std::nullopt;
    return state;
  } catch (const std::exception& e) {
    log::Debug("upload state {} is unreadable ({}); starting over", file.string(), e.what());
    fs::remove(file, error);
    return std::nullopt;
  }
}

void UploadStateStore::Save(const UploadState& state) const {
  nlohmann::json data = {{"registry", state.registry}, {"repository", state.repository}, {"digest", state.digest.str()},
                         {"size", state.size},         {"location", state.location},     {"offset", state.offset},
                         {"minChunk", state.min_chunk}};
  try {
    CreateDirectories(dir_, 0700);
    WriteFileAtomic(PathFor(state.registry, state.repository, state.digest), data.dump() + "\n", 0600);
  } catch (const Error& e) {
    log::Warn("cannot save the upload state (the upload will not be resumable): {}", e.what());
  }
}

void UploadStateStore::Remove(const std::string& registry, const std::string& repository, const Digest& digest) const {
  std::error_code error;
  fs::remove(PathFor(registry, repository, digest), error);
}

}  // namespace berth::oci
