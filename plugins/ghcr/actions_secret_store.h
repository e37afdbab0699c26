// The `github-actions` secret store: GitHub Actions secrets of one repository
// (settings `repository: OWNER/REPO`), or of one of its deployment
// environments (`environment: NAME`). Values are sealed with the
// repository's public key (libsodium crypto_box_seal) and PUT with its
// key_id; GitHub never gives them back, so Diff reports existing names as
// changed. Names are upper-case on GitHub and compared that way.
#ifndef BERTH_PLUGINS_GHCR_ACTIONS_SECRET_STORE_H_
#define BERTH_PLUGINS_GHCR_ACTIONS_SECRET_STORE_H_

#include <memory>
#include <optional>

#include "berth/secret_store.h"
#include "ghcr_settings.h"
#include "github_api.h"

namespace berth::ghcr {

class ActionsSecretStore : public SecretStore {
 public:
  // Throws Error(kInvalidInput) without a repository, Error(kAuth) without a token.
  explicit ActionsSecretStore(GhcrSettings settings, const EnvFn& env = ProcessEnv);

  Status Set(const std::string& environment, const std::string& name, const SecretValue& value) noexcept override;
  Result<std::vector<std::string>> List(const std::string& environment) noexcept override;
  Status Delete(const std::string& environment, const std::string& name) noexcept override;
  Result<std::vector<SecretDiffEntry>> Diff(const std::string& environment,
                                            const std::map<std::string, SecretValue>& desired) noexcept override;

  GitHubApi& api() { return *api_; }

 private:
  struct PublicKey {
    std::string key_id;
    std::string key;
  };
  const PublicKey& Key(bool refresh);
  std::vector<std::string> Names();
  // "acme/shop" or "acme/shop environment production", for messages.
  std::string Where() const;

  GhcrSettings settings_;
  std::string scope_path_;  // /repos/o/r/actions or /repos/o/r/environments/e
  std::unique_ptr<GitHubApi> api_;
  std::optional<PublicKey> key_;
};

// GitHub's rule: letters, digits and '_', not starting with a digit or GITHUB_.
void CheckSecretName(const std::string& name);

}  // namespace berth::ghcr

#endif  // BERTH_PLUGINS_GHCR_ACTIONS_SECRET_STORE_H_
