#include "packages.h"

#include <algorithm>
#include <cctype>

#include "berth/util/log.h"

namespace berth::ghcr {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

PackageRef PackageRef::FromRepository(const std::string& repository) {
  size_t slash = repository.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 >= repository.size()) {
    throw Error(ErrorCode::kInvalidInput, "ghcr: '" + repository + "' is not OWNER/NAME (ghcr images live under a user or organisation)");
  }
  return PackageRef{repository.substr(0, slash), repository.substr(slash + 1)};
}

PackageVersion ParseVersion(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("id") || !json["id"].is_number_integer() || !json.contains("name") ||
      !json["name"].is_string()) {
    throw Error(ErrorCode::kFailure, "GitHub API: a package version without an id or name");
  }
  PackageVersion version;
  version.id = json["id"].get<int64_t>();
  version.digest = json["name"].get<std::string>();
  version.created_at = json.value("created_at", "");
  version.updated_at = json.value("updated_at", "");
  if (auto metadata = json.find("metadata"); metadata != json.end() && metadata->is_object()) {
    if (auto container = metadata->find("container"); container != metadata->end() && container->is_object()) {
      if (auto tags = container->find("tags"); tags != container->end() && tags->is_array()) {
        for (const auto& tag : *tags) {
          if (tag.is_string()) version.tags.push_back(tag.get<std::string>());
        }
      }
    }
  }
  return version;
}

std::string Packages::VersionsPath(const std::string& owner_path, const PackageRef& package) const {
  return owner_path + "/packages/container/" + PathSegment(package.package) + "/versions";
}

std::string Packages::UserPath(const PackageRef& package) {
  // A user's private packages are listed only through /user, with the user's own token.
  if (!login_ && !api_.options().token.empty()) {
    ApiResponse user = api_.Call("GET", "/user", std::nullopt, {401, 403});
    login_ = user.status == 200 && user.body.is_object() ? user.body.value("login", "") : "";
  }
  if (login_ && !login_->empty() && Lower(*login_) == Lower(package.owner)) return "/user";
  return "/users/" + PathSegment(package.owner);
}

std::vector<PackageVersion> Packages::List(const PackageRef& package) {
  std::string last_error;
  auto list_at = [&](const std::string& path) -> std::optional<std::vector<PackageVersion>> {
    try {
      std::vector<PackageVersion> versions;
      for (const auto& item : api_.ListAll(VersionsPath(path, package))) versions.push_back(ParseVersion(item));
      owner_path_ = path;
      log::Debug("ghcr: package {} of {} is under {}", package.package, package.owner, path);
      return versions;
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kNotFound) throw;
      last_error = e.what();
      return std::nullopt;
    }
  };
  std::optional<std::vector<PackageVersion>> found;
  if (!owner_path_.empty()) found = list_at(owner_path_);
  else {
    // Organisation first; only when it 404s ask whose token this is.
    if (owner_type_ != "user") found = list_at("/orgs/" + PathSegment(package.owner));
    if (!found && owner_type_ != "org") found = list_at(UserPath(package));
  }
  if (found) return std::move(*found);
  throw Error(ErrorCode::kNotFound, "ghcr: no container package '" + package.package + "' owned by '" + package.owner +
                                        "' (" + last_error + ")");
}

void Packages::Delete(const PackageRef& package, int64_t id) {
  if (owner_path_.empty()) List(package);
  api_.Call("DELETE", VersionsPath(owner_path_, package) + "/" + std::to_string(id));
}

}  // namespace berth::ghcr
