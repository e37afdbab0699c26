// Container package versions through the GitHub Packages REST API:
// /orgs/{org}/..., /user/... (the token's own) or /users/{user}/...
// /packages/container/{name}/versions, with nested names percent-encoded
// ("ghcr.io/acme/team/web" is package "team/web" of owner "acme").
#ifndef BERTH_PLUGINS_GHCR_PACKAGES_H_
#define BERTH_PLUGINS_GHCR_PACKAGES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "github_api.h"

namespace berth::ghcr {

struct PackageRef {
  std::string owner;    // "acme"
  std::string package;  // "team/web"
  // From a repository path "acme/team/web"; Error(kInvalidInput) without an owner and a name.
  static PackageRef FromRepository(const std::string& repository);
};

struct PackageVersion {
  int64_t id = 0;
  std::string digest;  // The version's name: the manifest digest.
  std::vector<std::string> tags;
  std::string created_at;
  std::string updated_at;
};

PackageVersion ParseVersion(const nlohmann::json& json);

class Packages {
 public:
  // owner_type: "org", "user", or "" to find out (organisation first).
  Packages(GitHubApi& api, std::string owner_type) : api_(api), owner_type_(std::move(owner_type)) {}

  // Every active version, in the API's order (newest first).
  std::vector<PackageVersion> List(const PackageRef& package);
  void Delete(const PackageRef& package, int64_t id);
  // The owner's API path ("/orgs/acme"), once List or Delete found it.
  const std::string& owner_path() const { return owner_path_; }

 private:
  std::string VersionsPath(const std::string& owner_path, const PackageRef& package) const;
  std::string UserPath(const PackageRef& package);

  GitHubApi& api_;
  std::string owner_type_;
  std::string owner_path_;
  std::optional<std::string> login_;
};

}  // namespace berth::ghcr

#endif  // BERTH_PLUGINS_GHCR_PACKAGES_H_
