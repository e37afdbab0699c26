#include "core/release/tracked_secrets.h"

#include <fstream>
#include <set>

#include "berth/error.h"
#include "berth/util/process.h"

namespace berth::host::release {
namespace fs = std::filesystem;
namespace {

// A key is near the top of the file it lives in; reading the first MiB keeps
// the scan fast in repositories with large tracked assets.
constexpr size_t kScanBytes = 1 << 20;

std::string Head(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string data(kScanBytes, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(in.gcount()));
  return data;
}

// "-----BEGIN <LABEL>-----" where the label ends in "PRIVATE KEY": RSA, EC,
// OPENSSH, ENCRYPTED, and cosign's ENCRYPTED SIGSTORE / COSIGN labels.
// (A plain search: std::regex recurses per character over a large file.)
bool HasPemPrivateKey(const std::string& content) {
  static const std::string kBegin = "-----BEGIN ";
  static const std::string kSuffix = "PRIVATE KEY-----";
  for (size_t at = content.find(kBegin); at != std::string::npos; at = content.find(kBegin, at + 1)) {
    size_t label = at + kBegin.size();
    size_t close = content.find("-----", label);
    if (close == std::string::npos || close - label > 64) continue;
    size_t end = close + 5;
    if (end - label >= kSuffix.size() && content.compare(end - kSuffix.size(), kSuffix.size(), kSuffix) == 0) return true;
  }
  return false;
}

std::string ReasonFor(const std::string& relative, const fs::path& file) {
  static const std::set<std::string> kKeyNames = {"cosign.key", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"};
  const std::string name = fs::path(relative).filename().string();
  if (kKeyNames.count(name)) return "a private key file by its name";
  std::error_code error;
  if (!fs::is_regular_file(file, error)) return "";  // Deleted in the work tree, or a link.
  const std::string content = Head(file);
  if (HasPemPrivateKey(content)) return "a PEM private key";
  if (content.find("data:application/pkcs8;") != std::string::npos) return "a private key as a data URI";
  if (name == ".asap-config" && content.find("privateKey") != std::string::npos) return "an ASAP private key (privateKey)";
  return "";
}

}  // namespace

std::vector<TrackedSecret> FindTrackedSecrets(const fs::path& dir) {
  ProcessOptions options;
  options.cwd = dir;
  ProcessResult listed;
  try {
    listed = RunProcess({"git", "ls-files", "-z", "--", "."}, options);
  } catch (const Error&) {
    return {};  // No git: nothing is tracked.
  }
  if (listed.exit_code != 0) return {};  // Not a work tree.
  std::vector<TrackedSecret> found;
  size_t start = 0;
  while (start < listed.stdout_data.size()) {
    size_t end = listed.stdout_data.find('\0', start);
    if (end == std::string::npos) end = listed.stdout_data.size();
    std::string relative = listed.stdout_data.substr(start, end - start);
    start = end + 1;
    if (relative.empty()) continue;
    std::string reason = ReasonFor(relative, dir / relative);
    if (!reason.empty()) found.push_back({relative, reason});
  }
  return found;
}

void RefuseTrackedSecrets(const fs::path& dir) {
  std::vector<TrackedSecret> found = FindTrackedSecrets(dir);
  if (found.empty()) return;
  const TrackedSecret& first = found.front();
  std::string more = found.size() > 1 ? " (and " + std::to_string(found.size() - 1) + " more)" : "";
  throw Error(ErrorCode::kInvalidInput, "git tracks " + first.file + ", which holds " + first.reason + more +
                                            "; untrack it (git rm --cached " + first.file +
                                            "), add it to .gitignore, and rotate the key if it was ever pushed");
}

}  // namespace berth::host::release
