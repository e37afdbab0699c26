// Whom berth trusts to sign plugins, and whether every plugin it finds must
// be signed: read in one place from the system's config files and the user's
// (docs/security-plugins.md#a-fleets-policy).
//
// The system files are /etc/berth/config.yaml and, for a berth installed
// under another prefix than /usr, <prefix>/etc/berth/config.yaml, where the
// prefix is the parent of the directory holding the running executable (as
// plugin discovery finds <bindir>/../lib/berth/plugins). No environment
// variable or option moves them: that would let a user replace the policy
// an administrator set. Their keys are always trusted; the user's are
// added unless a system file says `user-keys: false`. The policy is the
// strictest any file sets: the user's config may tighten it, never loosen it.
#ifndef BERTH_HOST_CORE_CONFIG_PLUGIN_TRUST_H_
#define BERTH_HOST_CORE_CONFIG_PLUGIN_TRUST_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "core/plugins/plugin_signature.h"

namespace berth::host {

// The files trust is read from; those that do not exist are skipped.
struct TrustFiles {
  std::vector<std::filesystem::path> system;
  std::filesystem::path user;
};

// /etc/berth/config.yaml, and <prefix>/etc/berth/config.yaml unless the
// prefix (the parent of `executable`'s directory) is /usr or /, or unknown
// (an empty `executable`).
std::vector<std::filesystem::path> SystemConfigFiles(const std::filesystem::path& executable);
// For this berth: its executable (/proc/self/exe) and UserConfigFile().
TrustFiles TrustFilesOfThisBerth();

struct PluginPolicy {
  // Every plugin berth finds, but its own, needs a valid berth-plugin.sig by
  // a trusted key; required_by is the first file that says so.
  bool require_signatures = false;
  std::filesystem::path required_by;
  // Whether the user's trusted-plugin-keys count; user_keys_off_by is the
  // first file that says they do not.
  bool user_keys = true;
  std::filesystem::path user_keys_off_by;
};

class PluginTrust {
 public:
  // Reads each file that exists, its plugin-policy and its unknown keys
  // (warned about), and warns about each setting of the user's that the
  // system's override. Throws Error(kInvalidInput) with one line naming the
  // file (and line and field) when one is not valid YAML, a setting is not
  // what it must be, or a system file is one anyone may write to.
  static PluginTrust Load(const TrustFiles& files);

  const PluginPolicy& policy() const { return policy_; }
  // The keys that sign plugins: each system file's trusted-plugin-keys, then
  // the user's (unless user-keys is off; a warning names both files when
  // the user lists keys). Parsed on first use, so that a key file is read
  // only when a signature is to be checked. Throws Error(kInvalidInput)
  // naming the file and entry.
  const std::vector<TrustedKey>& keys();
  // The files read, system files first.
  std::vector<std::filesystem::path> files() const;

 private:
  // The files as parsed (plugin_trust.cc), kept for keys(); yaml-cpp stays
  // out of this header, which every host command includes.
  struct Files;
  std::shared_ptr<const Files> files_;
  PluginPolicy policy_;
  std::optional<std::vector<TrustedKey>> keys_;
};

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_CONFIG_PLUGIN_TRUST_H_
