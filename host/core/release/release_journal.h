// What an unfinished release has done so far, so that a rerun of the same
// version continues instead of starting over: the image it built (kept as
// an OCI layout beside the journal), the registries holding it by digest,
// the signatures made and the tags moved. The journal lives in
// PROJECT/.berth/release/VERSION/ and is removed once the release is
// recorded in the ledger.
#ifndef BERTH_HOST_CORE_RELEASE_RELEASE_JOURNAL_H_
#define BERTH_HOST_CORE_RELEASE_RELEASE_JOURNAL_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/release/ledger.h"
#include "core/release/release_plan.h"

namespace berth::host::release {

struct JournalSignature {
  std::string repository;
  LedgerSignature signature;
};

class ReleaseJournal {
 public:
  // A new journal for `version` built from `git_sha`; nothing is written
  // until Save.
  ReleaseJournal(std::filesystem::path project_dir, std::string version, std::string git_sha);

  // The journal an earlier run left for this version when it can be
  // continued: the same clean commit and a built image still in place.
  // Otherwise it is discarded and the build runs again: another commit, a
  // dirty tree or no git at all cannot show that the source is unchanged.
  // Throws Error(kInvalidInput) naming the file when it is malformed.
  static std::optional<ReleaseJournal> Resume(const std::filesystem::path& project_dir, const std::string& version, const GitState& git);

  const std::string& version() const { return version_; }
  std::filesystem::path dir() const;
  // Where the build writes the image: kept until the release is recorded.
  std::filesystem::path layout_dir() const { return dir() / "image"; }

  const std::string& digest() const { return digest_; }
  const std::string& builder() const { return builder_; }
  bool Signed(const std::string& repository) const;
  bool Tagged(const std::string& image) const;
  const std::vector<JournalSignature>& signatures() const { return signatures_; }

  // Each records one step and writes the journal at once (atomically), so
  // that an interruption right after loses nothing.
  void RecordBuilt(const std::string& digest, const std::string& builder);
  void RecordSigned(const std::string& repository, const LedgerSignature& signature);
  void RecordTagged(const std::string& image);

  // After the ledger holds the release.
  void Remove() const;

 private:
  void Save() const;

  std::filesystem::path project_dir_;
  std::string version_;
  std::string git_sha_;
  std::string digest_;
  std::string builder_;
  std::vector<JournalSignature> signatures_;
  std::vector<std::string> tagged_;
};

}  // namespace berth::host::release

#endif  // BERTH_HOST_CORE_RELEASE_RELEASE_JOURNAL_H_
