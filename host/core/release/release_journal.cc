#include "core/release/release_journal.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "berth/error.h"
#include "berth/util/fs.h"

namespace berth::host::release {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path JournalDir(const fs::path& project_dir, const std::string& version) { return project_dir / ".berth" / "release" / version; }

}  // namespace

ReleaseJournal::ReleaseJournal(fs::path project_dir, std::string version, std::string git_sha)
    : project_dir_(std::move(project_dir)), version_(std::move(version)), git_sha_(std::move(git_sha)) {}

fs::path ReleaseJournal::dir() const { return JournalDir(project_dir_, version_); }

std::optional<ReleaseJournal> ReleaseJournal::Resume(const fs::path& project_dir, const std::string& version, const GitState& git) {
  fs::path file = JournalDir(project_dir, version) / "journal.json";
  std::error_code error;
  if (!fs::exists(file, error)) return std::nullopt;
  json saved;
  try {
    saved = json::parse(ReadFile(file));
    ReleaseJournal journal(project_dir, version, saved.at("git_sha").get<std::string>());
    journal.digest_ = saved.at("digest").get<std::string>();
    journal.builder_ = saved.at("builder").get<std::string>();
    for (const auto& item : saved.at("signatures")) {
      journal.signatures_.push_back({item.at("repository").get<std::string>(),
                                     {item.at("signer").get<std::string>(), item.at("reference").get<std::string>(),
                                      item.at("key").get<std::string>()}});
    }
    journal.tagged_ = saved.at("tagged").get<std::vector<std::string>>();
    bool same_source = git.has_commits && !git.dirty && journal.git_sha_ == git.sha && saved.value("version", "") == version;
    if (!same_source || journal.digest_.empty() || !fs::exists(journal.layout_dir() / "index.json", error)) {
      journal.Remove();
      return std::nullopt;
    }
    return journal;
  } catch (const json::exception& e) {
    throw Error(ErrorCode::kInvalidInput, file.string() + ": not a release journal (" + e.what() + "); remove it to start the release over");
  }
}

bool ReleaseJournal::Signed(const std::string& repository) const {
  return std::any_of(signatures_.begin(), signatures_.end(), [&](const JournalSignature& s) { return s.repository == repository; });
}

bool ReleaseJournal::Tagged(const std::string& image) const { return std::find(tagged_.begin(), tagged_.end(), image) != tagged_.end(); }

void ReleaseJournal::RecordBuilt(const std::string& digest, const std::string& builder) {
  digest_ = digest;
  builder_ = builder;
  Save();
}

void ReleaseJournal::RecordSigned(const std::string& repository, const LedgerSignature& signature) {
  signatures_.push_back({repository, signature});
  Save();
}

void ReleaseJournal::RecordTagged(const std::string& image) {
  if (!Tagged(image)) tagged_.push_back(image);
  Save();
}

void ReleaseJournal::Save() const {
  json signatures = json::array();
  for (const auto& [repository, s] : signatures_) {
    signatures.push_back({{"repository", repository}, {"signer", s.signer}, {"reference", s.reference}, {"key", s.key}});
  }
  json saved = {{"version", version_}, {"git_sha", git_sha_},     {"digest", digest_},
                {"builder", builder_}, {"signatures", signatures}, {"tagged", tagged_}};
  fs::create_directories(dir());
  WriteFileAtomic(dir() / "journal.json", saved.dump(2) + "\n", 0600);
}

void ReleaseJournal::Remove() const {
  std::error_code ignored;
  fs::remove_all(dir(), ignored);
  fs::remove(dir().parent_path(), ignored);  // .berth/release, when no other release is under way.
}

}  // namespace berth::host::release
