#include "actions_secret_store.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "berth/util/log.h"
#include "sealed_box.h"

namespace berth::ghcr {
namespace {

constexpr size_t kMaxSecretBytes = 48 * 1024;

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

}  // namespace

void CheckSecretName(const std::string& name) {
  bool valid = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) && !Upper(name).starts_with("GITHUB_");
  for (char c : name) valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!valid) {
    throw Error(ErrorCode::kInvalidInput, "github-actions: secret name '" + name +
                                              "' is not allowed (letters, digits and _; not starting with a digit or GITHUB_)");
  }
}

ActionsSecretStore::ActionsSecretStore(GhcrSettings settings, const EnvFn& env) : settings_(std::move(settings)) {
  const std::string& repo = settings_.repository;
  size_t slash = repo.find('/');
  if (repo.empty() || slash == std::string::npos || slash == 0 || slash + 1 == repo.size() ||
      repo.find('/', slash + 1) != std::string::npos) {
    throw Error(ErrorCode::kInvalidInput, "github-actions: setting 'repository' must be OWNER/REPO" +
                                              (repo.empty() ? std::string(" (none given)") : ", not '" + repo + "'"));
  }
  scope_path_ = "/repos/" + PathSegment(repo.substr(0, slash)) + "/" + PathSegment(repo.substr(slash + 1));
  scope_path_ += settings_.environment.empty() ? "/actions" : "/environments/" + PathSegment(settings_.environment);
  auto token = FindToken(settings_, /*docker_config=*/false, env);
  if (!token) {
    throw Error(ErrorCode::kAuth, "github-actions: no GitHub token for " + Where() +
                                      " (set GH_TOKEN or GITHUB_TOKEN, or the setting token-file; it needs the repo scope)");
  }
  api_ = std::make_unique<GitHubApi>(MakeApiOptions(settings_, token));
}

std::string ActionsSecretStore::Where() const {
  return settings_.repository + (settings_.environment.empty() ? "" : " environment " + settings_.environment);
}

const ActionsSecretStore::PublicKey& ActionsSecretStore::Key(bool refresh) {
  if (!key_ || refresh) {
    ApiResponse answer = api_->Call("GET", scope_path_ + "/secrets/public-key");
    if (!answer.body.is_object() || !answer.body.contains("key_id") || !answer.body.contains("key") ||
        !answer.body["key"].is_string()) {
      throw Error(ErrorCode::kFailure, "github-actions: the public key of " + Where() + " has no key_id or key");
    }
    const auto& id = answer.body["key_id"];
    key_ = PublicKey{id.is_string() ? id.get<std::string>() : id.dump(), answer.body["key"].get<std::string>()};
  }
  return *key_;
}

Status ActionsSecretStore::Set(const std::string&, const std::string& name, const SecretValue& value) noexcept {
  return Capture([&] {
    CheckSecretName(name);
    if (value.size() > kMaxSecretBytes) {
      throw Error(ErrorCode::kInvalidInput, "github-actions: secret " + name + " is larger than GitHub's 48 KB limit");
    }
    const std::string path = scope_path_ + "/secrets/" + PathSegment(name);
    for (int attempt = 1;; ++attempt) {
      const PublicKey& key = Key(attempt > 1);
      nlohmann::json body = {{"encrypted_value", SealForGitHub(value, key.key)}, {"key_id", key.key_id}};
      // 422 may mean the key was rotated since it was fetched: fetch it again once.
      ApiResponse answer = api_->Call("PUT", path, body, attempt == 1 ? std::vector<int>{422} : std::vector<int>{});
      if (answer.status == 422) {
        log::Debug("github-actions: PUT {} answered 422; fetching the public key again", name);
        continue;
      }
      log::Info("github-actions: {} secret {} in {}", answer.status == 201 ? "created" : "updated", name, Where());
      return;
    }
  });
}

std::vector<std::string> ActionsSecretStore::Names() {
  std::vector<std::string> names;
  for (const auto& item : api_->ListAll(scope_path_ + "/secrets", "secrets")) {
    if (item.is_object() && item.contains("name") && item["name"].is_string()) names.push_back(item["name"].get<std::string>());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::vector<std::string>> ActionsSecretStore::List(const std::string&) noexcept {
  return CaptureResult([&] { return Names(); });
}

Status ActionsSecretStore::Delete(const std::string&, const std::string& name) noexcept {
  return Capture([&] {
    CheckSecretName(name);
    ApiResponse answer = api_->Call("DELETE", scope_path_ + "/secrets/" + PathSegment(name), std::nullopt, {404});
    if (answer.status == 404) throw Error(ErrorCode::kNotFound, "github-actions: no secret " + Upper(name) + " in " + Where());
  });
}

Result<std::vector<SecretDiffEntry>> ActionsSecretStore::Diff(const std::string&,
                                                              const std::map<std::string, SecretValue>& desired) noexcept {
  return CaptureResult([&] {
    std::set<std::string> existing;
    for (const auto& name : Names()) existing.insert(Upper(name));
    std::vector<SecretDiffEntry> diff;
    std::set<std::string> wanted;
    for (const auto& [name, value] : desired) {
      wanted.insert(Upper(name));
      diff.push_back({name, existing.count(Upper(name)) ? SecretChange::kChanged : SecretChange::kAdded});
    }
    for (const auto& name : existing) {
      if (!wanted.count(name)) diff.push_back({name, SecretChange::kRemoved});
    }
    return diff;
  });
}

}  // namespace berth::ghcr
