#include "core/release/ledger.h"

#include <time.h>

#include <algorithm>
#include <cctype>

#include "berth/error.h"
#include "berth/util/fs.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

constexpr int kLedgerSchema = 1;

std::string Str(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

bool IsLive(const LedgerDeployment& deployment) {
  return deployment.state == DeploymentState::kHealthy || deployment.state == DeploymentState::kUnhealthy;
}

// Ledgers before `state` held one `result`: healthy | unhealthy | failed, or
// rollback (a rollback that came up healthy); `result` is still written so
// that their readers keep working.
std::string LegacyResult(const LedgerDeployment& deployment) {
  if (deployment.kind == DeploymentKind::kRollback && deployment.outcome == DeploymentState::kHealthy) return "rollback";
  return std::string(DeploymentStateName(deployment.outcome));
}

LedgerDeployment DeploymentFromJson(const nlohmann::json& item, const std::string& where) {
  auto fail = [&](const std::string& problem) { return Error(ErrorCode::kInvalidInput, where + ": " + problem); };
  LedgerDeployment deployment;
  deployment.environment = Str(item, "environment");
  deployment.at = Str(item, "at");
  deployment.by = Str(item, "by");
  deployment.from = Str(item, "from");
  deployment.revision = Str(item, "revision");
  deployment.url = Str(item, "url");
  deployment.spec = item.value("spec", nlohmann::json());
  deployment.settings = item.value("settings", nlohmann::json());
  if (auto it = item.find("sequence"); it != item.end() && it->is_number_integer()) deployment.sequence = it->get<long>();
  const std::string result = Str(item, "result");
  const std::string state = Str(item, "state");
  const std::string kind = Str(item, "kind");
  if (result == "rollback") {
    deployment.kind = DeploymentKind::kRollback;
    deployment.outcome = DeploymentState::kHealthy;
  } else if (auto parsed = ParseDeploymentState(result)) {
    deployment.outcome = *parsed == DeploymentState::kUnhealthy || *parsed == DeploymentState::kFailed ? *parsed : DeploymentState::kHealthy;
  } else if (state.empty()) {
    throw fail("unknown result '" + result + "' (expected healthy, unhealthy, failed, rolled-back or rollback)");
  }
  if (!kind.empty()) {
    auto parsed = ParseDeploymentKind(kind);
    if (!parsed) throw fail("unknown kind '" + kind + "' (expected deploy or rollback)");
    deployment.kind = *parsed;
  }
  if (state.empty()) {
    deployment.state = result == "rolled-back" ? DeploymentState::kRolledBack : deployment.outcome;
  } else {
    auto parsed = ParseDeploymentState(state);
    if (!parsed) throw fail("unknown state '" + state + "' (expected healthy, unhealthy, failed, rolled-back or superseded)");
    deployment.state = *parsed;
    if (result.empty() && (*parsed == DeploymentState::kUnhealthy || *parsed == DeploymentState::kFailed)) deployment.outcome = *parsed;
  }
  return deployment;
}

nlohmann::json DeploymentToJson(const LedgerDeployment& d) {
  nlohmann::json json = {{"environment", d.environment}, {"at", d.at},
                         {"by", d.by},                   {"result", LegacyResult(d)},
                         {"kind", std::string(DeploymentKindName(d.kind))}, {"state", std::string(DeploymentStateName(d.state))},
                         {"from", d.from},               {"revision", d.revision},
                         {"url", d.url},                 {"sequence", d.sequence}};
  if (!d.settings.is_null()) json["settings"] = d.settings;
  if (!d.spec.is_null()) json["spec"] = d.spec;
  return json;
}

}  // namespace

std::string_view DeploymentKindName(DeploymentKind kind) { return kind == DeploymentKind::kRollback ? "rollback" : "deploy"; }

std::string_view DeploymentStateName(DeploymentState state) {
  switch (state) {
    case DeploymentState::kHealthy: return "healthy";
    case DeploymentState::kUnhealthy: return "unhealthy";
    case DeploymentState::kFailed: return "failed";
    case DeploymentState::kRolledBack: return "rolled-back";
    case DeploymentState::kSuperseded: return "superseded";
  }
  return "healthy";
}

std::optional<DeploymentKind> ParseDeploymentKind(std::string_view name) {
  if (name == "deploy") return DeploymentKind::kDeploy;
  if (name == "rollback") return DeploymentKind::kRollback;
  return std::nullopt;
}

std::optional<DeploymentState> ParseDeploymentState(std::string_view name) {
  for (auto state : {DeploymentState::kHealthy, DeploymentState::kUnhealthy, DeploymentState::kFailed, DeploymentState::kRolledBack,
                     DeploymentState::kSuperseded}) {
    if (DeploymentStateName(state) == name) return state;
  }
  return std::nullopt;
}

std::string LedgerRelease::ImageByDigest() const {
  if (images.empty() || digest.empty()) return "";
  const std::string& image = images.front();
  size_t slash = image.rfind('/');
  size_t colon = image.find(':', slash == std::string::npos ? 0 : slash);
  return image.substr(0, colon) + "@" + digest;
}

std::string LedgerRelease::ImageFor(const std::string& environment, const std::string& environment_registry) const {
  if (environment_registry.empty()) return ImageByDigest();
  for (const auto& image : images) {
    // Released there directly (the environment's registry is one of berth.yaml's registries).
    if (image.rfind(environment_registry + ":", 0) == 0 && image.find('/', environment_registry.size()) == std::string::npos) {
      return environment_registry + "@" + digest;
    }
  }
  for (const auto& promotion : promotions) {
    if (promotion.environment == environment && promotion.repository == environment_registry) return promotion.repository + "@" + digest;
  }
  return "";
}

std::string ImageDigest(const std::string& image) {
  size_t at = image.find("@sha256:");
  return at == std::string::npos ? "" : image.substr(at + 1);
}

Ledger Ledger::Load(const fs::path& file) {
  if (!fs::exists(file)) return Ledger();
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(ReadFile(file));
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    size_t at = what.find("parse error");
    throw Error(ErrorCode::kInvalidInput, file.string() + ": not valid JSON (" + (at == std::string::npos ? what : what.substr(at)) + ")");
  }
  return FromJson(json, file);
}

Ledger Ledger::FromJson(const nlohmann::json& json, const fs::path& file) {
  auto fail = [&](const std::string& problem) { return Error(ErrorCode::kInvalidInput, file.string() + ": " + problem); };
  if (!json.is_object() || json.value("schema", 0) != kLedgerSchema) throw fail("not a berth ledger (expected \"schema\": 1)");
  Ledger ledger;
  ledger.service_ = Str(json, "service");
  const auto releases = json.value("releases", nlohmann::json::array());
  if (!releases.is_array()) throw fail("'releases' must be an array");
  for (size_t i = 0; i < releases.size(); ++i) {
    const auto& item = releases[i];
    if (!item.is_object() || Str(item, "version").empty()) {
      throw fail("releases[" + std::to_string(i) + "] has no version");
    }
    LedgerRelease release;
    release.version = Str(item, "version");
    const auto git = item.value("git", nlohmann::json::object());
    release.git_sha = Str(git, "sha");
    release.git_dirty = git.value("dirty", false);
    release.git_tag = Str(item, "git_tag");
    release.created_at = Str(item, "created_at");
    release.digest = Str(item, "digest");
    release.changelog = Str(item, "changelog");
    for (const auto& image : item.value("images", nlohmann::json::array())) release.images.push_back(image.get<std::string>());
    for (const auto& signature : item.value("signatures", nlohmann::json::array())) {
      release.signatures.push_back({Str(signature, "signer"), Str(signature, "reference"), Str(signature, "key")});
    }
    const auto deployments = item.value("deployments", nlohmann::json::array());
    for (size_t j = 0; j < deployments.size(); ++j) {
      const std::string where = file.string() + ": releases[" + std::to_string(i) + "].deployments[" + std::to_string(j) + "]";
      if (!deployments[j].is_object()) throw Error(ErrorCode::kInvalidInput, where + ": not an object");
      release.deployments.push_back(DeploymentFromJson(deployments[j], where));
    }
    for (const auto& promotion : item.value("promotions", nlohmann::json::array())) {
      release.promotions.push_back({Str(promotion, "environment"), Str(promotion, "repository"), Str(promotion, "at"), Str(promotion, "by"),
                                    promotion.value("tags", std::vector<std::string>{}),
                                    promotion.value("attachments", std::vector<std::string>{})});
    }
    ledger.releases_.push_back(std::move(release));
  }
  return ledger;
}

namespace {

// `v1.2.3` and `1.2.3` name one release (berth release records the second
// spelling; older ledgers and users may use the first).
bool SameVersion(const std::string& a, const std::string& b) {
  auto bare = [](const std::string& v) { return v.size() > 1 && v[0] == 'v' && isdigit(static_cast<unsigned char>(v[1])) ? v.substr(1) : v; };
  return bare(a) == bare(b);
}

}  // namespace

const LedgerRelease* Ledger::Find(const std::string& version) const {
  for (const auto& release : releases_) {
    if (SameVersion(release.version, version)) return &release;
  }
  return nullptr;
}

void Ledger::Add(LedgerRelease release) {
  if (Find(release.version) != nullptr) {
    throw Error(ErrorCode::kInvalidInput, "version " + release.version + " is already in the release ledger");
  }
  releases_.push_back(std::move(release));
}

void Ledger::RecordPromotion(const std::string& version, LedgerPromotion promotion) {
  for (auto& release : releases_) {
    if (!SameVersion(release.version, version)) continue;
    std::erase_if(release.promotions, [&](const LedgerPromotion& p) { return p.repository == promotion.repository; });
    for (const auto& tag : promotion.tags) {
      std::string image = promotion.repository + ":" + tag;
      if (std::find(release.images.begin(), release.images.end(), image) == release.images.end()) release.images.push_back(image);
    }
    release.promotions.push_back(std::move(promotion));
    return;
  }
  throw Error(ErrorCode::kNotFound, "version " + version + " is not in the release ledger");
}

const LedgerRelease* Ledger::FindByDigest(const std::string& digest) const {
  if (digest.empty()) return nullptr;
  for (const auto& release : releases_) {
    if (release.digest == digest) return &release;
  }
  return nullptr;
}

void Ledger::RecordDeployment(const std::string& version, LedgerDeployment deployment) {
  LedgerRelease* target = nullptr;
  for (auto& release : releases_) {
    if (SameVersion(release.version, version)) target = &release;
  }
  if (target == nullptr) throw Error(ErrorCode::kNotFound, "version " + version + " is not in the release ledger");
  long last = 0;
  for (const auto& release : releases_) {
    for (const auto& recorded : release.deployments) last = std::max(last, recorded.sequence);
  }
  deployment.sequence = last + 1;
  // A failed deployment replaced nothing: what ran before keeps running
  // (a stalled rollout leaves the old pods serving).
  if (deployment.outcome != DeploymentState::kFailed) {
    DeploymentRef latest = Latest(deployment.environment);
    for (auto& release : releases_) {
      for (auto& recorded : release.deployments) {
        if (recorded.environment != deployment.environment) continue;
        bool undone = deployment.kind == DeploymentKind::kRollback && &recorded == latest.deployment &&
                      recorded.state != DeploymentState::kRolledBack && recorded.state != DeploymentState::kSuperseded;
        if (undone) {
          recorded.state = DeploymentState::kRolledBack;
        } else if (IsLive(recorded)) {
          recorded.state = DeploymentState::kSuperseded;
        }
      }
    }
  }
  target->deployments.push_back(std::move(deployment));
}

std::vector<DeploymentRef> Ledger::History(const std::string& environment) const {
  std::vector<DeploymentRef> out;
  for (const auto& release : releases_) {
    for (const auto& deployment : release.deployments) {
      if (deployment.environment == environment) out.push_back({&release, &deployment});
    }
  }
  // By time, then by recording order: several deployments can share a second.
  std::stable_sort(out.begin(), out.end(), [](const DeploymentRef& a, const DeploymentRef& b) {
    if (a.deployment->at != b.deployment->at) return a.deployment->at > b.deployment->at;
    return a.deployment->sequence > b.deployment->sequence;
  });
  return out;
}

DeploymentRef Ledger::Latest(const std::string& environment) const {
  auto history = History(environment);
  return history.empty() ? DeploymentRef{} : history.front();
}

DeploymentRef Ledger::PreviousLive(const std::string& environment) const {
  auto history = History(environment);
  for (size_t i = 1; i < history.size(); ++i) {
    if (history[i].deployment->outcome == DeploymentState::kHealthy) return history[i];
  }
  return {};
}

DeploymentRef Ledger::NewestHealthy(const std::string& environment, const std::string& version) const {
  for (const auto& ref : History(environment)) {
    if (SameVersion(ref.release->version, version) && ref.deployment->outcome == DeploymentState::kHealthy) return ref;
  }
  return {};
}

const LedgerRelease* Ledger::Current(const std::string& environment) const { return Latest(environment).release; }

nlohmann::json Ledger::ToJson() const {
  nlohmann::json releases = nlohmann::json::array();
  for (const auto& release : releases_) {
    nlohmann::json signatures = nlohmann::json::array(), deployments = nlohmann::json::array();
    for (const auto& s : release.signatures) signatures.push_back({{"signer", s.signer}, {"reference", s.reference}, {"key", s.key}});
    for (const auto& d : release.deployments) deployments.push_back(DeploymentToJson(d));
    nlohmann::json entry = {{"version", release.version},
                            {"git", {{"sha", release.git_sha}, {"dirty", release.git_dirty}}},
                            {"created_at", release.created_at},
                            {"digest", release.digest},
                            {"images", release.images},
                            {"signatures", signatures},
                            {"changelog", release.changelog},
                            {"deployments", deployments}};
    // Only when there is one: a committed releases.json of untagged or
    // unpromoted releases does not change when a newer berth saves it.
    if (!release.git_tag.empty()) entry["git_tag"] = release.git_tag;
    if (!release.promotions.empty()) {
      nlohmann::json& promotions = entry["promotions"] = nlohmann::json::array();
      for (const auto& p : release.promotions) {
        promotions.push_back({{"environment", p.environment}, {"repository", p.repository}, {"at", p.at}, {"by", p.by},
                              {"tags", p.tags}, {"attachments", p.attachments}});
      }
    }
    releases.push_back(std::move(entry));
  }
  return {{"schema", kLedgerSchema}, {"service", service_}, {"releases", releases}};
}

std::string Ledger::ToMarkdown() const {
  std::string out = "# Releases" + (service_.empty() ? std::string() : " of " + service_) +
                    "\n\nGenerated by berth from releases.json (`berth ledger render`); edit that file's changelog fields, not this one.\n";
  for (auto it = releases_.rbegin(); it != releases_.rend(); ++it) {
    const LedgerRelease& release = *it;
    out += "\n## " + release.version + "\n\n";
    // What a reader looks a release up by comes first: its tags, then where
    // the image is, then what proves it, then what changed and where it went.
    if (!release.git_tag.empty()) out += "- Git tag: `" + release.git_tag + "`\n";
    out += "- Git: `" + release.git_sha + "`" + (release.git_dirty ? " (dirty tree)" : "") + "\n";
    out += "- Released: " + release.created_at + "\n";
    out += "- Images:\n";
    for (const auto& image : release.images) out += "  - `" + image + "`\n";
    out += "- Digest: `" + release.digest + "`\n";
    if (!release.signatures.empty()) {
      out += "- Signatures:\n";
      for (const auto& s : release.signatures) out += "  - " + s.signer + ": `" + s.reference + "`" + (s.key.empty() ? "" : " (key " + s.key + ")") + "\n";
    }
    if (!release.promotions.empty()) {
      out += "- Promoted:\n";
      for (const auto& p : release.promotions) {
        out += "  - to " + p.environment + "'s `" + p.repository + "` at " + p.at + " by " + p.by + " (" +
               std::to_string(p.attachments.size()) + " signature/attestation tags)\n";
      }
    }
    if (!release.changelog.empty()) out += "\n" + release.changelog + "\n";
    if (!release.deployments.empty()) {
      // A heading of its own: after the changelog's `### Fixed`, a bare list
      // would read as one more fix.
      out += "\n### Deployments\n\n";
      for (const auto& d : release.deployments) {
        std::string rollback = d.kind != DeploymentKind::kRollback ? "" : d.from.empty() ? " (rollback)" : " (rollback from " + d.from + ")";
        out += "- " + d.environment + " at " + d.at + " by " + d.by + ": " + std::string(DeploymentStateName(d.state)) + rollback +
               (d.revision.empty() ? "" : ", revision " + d.revision) + (d.url.empty() ? "" : ", " + d.url) + "\n";
      }
    }
  }
  return out;
}

void Ledger::Save(const fs::path& json_file, const fs::path& markdown_file) const {
  std::string json = ToJson().dump(2) + "\n";
  std::string markdown = ToMarkdown();
  // The JSON is the record: it is replaced last, so a failure in between
  // leaves an out-of-date view, never a half-written record.
  WriteFileAtomic(markdown_file, markdown);
  WriteFileAtomic(json_file, json);
}

}  // namespace berth::host
