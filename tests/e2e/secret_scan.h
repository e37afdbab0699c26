// Finds known secret values in text and in the files a run left behind: the
// value itself, and the encodings a leak usually hides in (base64 at any byte
// alignment, so inside "Basic base64(user:pass)" too; base64url; URL
// encoding; JSON/C escaping of multi-line values; and each long line of a
// multi-line value such as a PEM body). Findings name the secret and an
// offset, never the value.
#ifndef BERTH_TESTS_E2E_SECRET_SCAN_H_
#define BERTH_TESTS_E2E_SECRET_SCAN_H_

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace berth::testing {

struct SecretFinding {
  std::string where;     // "stderr of `berth login ...`", a file path...
  std::string secret;    // The secret's name.
  std::string encoding;  // "raw", "base64", "url", "escaped", "line 3"...
  size_t offset = 0;
};

std::string Describe(const SecretFinding& finding);

class SecretScanner {
 public:
  // `value` must be distinctive: at least 12 bytes.
  void Add(const std::string& name, const std::string& value);
  bool Has(const std::string& name) const { return needles_.count(name) != 0; }
  std::vector<std::string> Names() const;

  std::vector<SecretFinding> ScanText(const std::string& where, const std::string& text) const;
  // `text` with every needle replaced by "<secret NAME>", for failure messages.
  std::string Mask(std::string text) const;

  // Every regular file under `root` (symlinks are not followed). A secret may
  // be in a file of `allowed` (path -> secret names) only, and such a file
  // must be mode 0600; anything else is a finding. `seen` collects which
  // allowed files held which of their secrets.
  std::vector<SecretFinding> ScanTree(const std::filesystem::path& root,
                                      const std::map<std::filesystem::path, std::set<std::string>>& allowed,
                                      std::map<std::filesystem::path, std::set<std::string>>* seen = nullptr) const;

 private:
  struct Needle {
    std::string text;
    std::string encoding;
  };
  std::map<std::string, std::vector<Needle>> needles_;
};

}  // namespace berth::testing

#endif  // BERTH_TESTS_E2E_SECRET_SCAN_H_
