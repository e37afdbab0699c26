// The release ledger: releases.json (the record, machine-readable and
// stable) and RELEASES.md (generated from it for people). Version -> git sha
// and tag -> image URIs -> digest -> signatures -> changelog -> where and
// when it was deployed, with what exactly (the target's rendered
// specification and settings).
#ifndef BERTH_HOST_CORE_RELEASE_LEDGER_H_
#define BERTH_HOST_CORE_RELEASE_LEDGER_H_

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "berth/util/time.h"

namespace berth::host {

enum class DeploymentKind { kDeploy, kRollback };

// healthy, unhealthy and failed are how a deployment came up; rolled-back
// and superseded are what happened to it later. At most one deployment per
// environment is healthy or unhealthy: the one live there.
enum class DeploymentState { kHealthy, kUnhealthy, kFailed, kRolledBack, kSuperseded };

std::string_view DeploymentKindName(DeploymentKind kind);
std::string_view DeploymentStateName(DeploymentState state);
std::optional<DeploymentKind> ParseDeploymentKind(std::string_view name);
std::optional<DeploymentState> ParseDeploymentState(std::string_view name);

struct LedgerDeployment {
  std::string environment;
  std::string at;          // RFC 3339 UTC.
  std::string by;          // user@host, or CI's identity.
  DeploymentKind kind = DeploymentKind::kDeploy;
  DeploymentState state = DeploymentState::kHealthy;    // Now.
  DeploymentState outcome = DeploymentState::kHealthy;  // How it came up (healthy, unhealthy, failed); never changes.
  std::string from;        // A rollback's: the version (or platform revision) it rolled back from.
  std::string revision;    // The platform's revision, when it has one.
  std::string url;
  nlohmann::json spec;     // What the target applied (DeployOutcome::spec); null when it reported none.
  nlohmann::json settings; // The target settings that produced it, redacted; null in older ledgers.
  long sequence = 0;       // Recording order, for deployments within one second; 0 in older ledgers.
};

struct LedgerSignature {
  std::string signer;      // cosign
  std::string reference;   // Where the signature lives (repo:sha256-<hex>.sig).
  std::string key;         // Public key fingerprint or path.
};

// A copy of the release, by digest, to an environment's own registry
// (berth promote), with its signatures: deploys to that environment pull
// from there.
struct LedgerPromotion {
  std::string environment;
  std::string repository;              // registry/path, without tag or digest.
  std::string at;
  std::string by;
  std::vector<std::string> tags;       // The release's tags, set there too.
  std::vector<std::string> attachments;  // Signature and attestation tags copied along.
};

struct LedgerRelease {
  std::string version;
  std::string git_sha;
  bool git_dirty = false;
  std::string git_tag;                 // The release's git tag, "" for none (absent from older ledgers).
  std::string created_at;
  std::string digest;                  // The image (or index) digest, the same in every registry.
  std::vector<std::string> images;     // Every pushed tag URI: registry/repo:tag.
  std::vector<LedgerSignature> signatures;
  std::string changelog;
  std::vector<LedgerDeployment> deployments;
  std::vector<LedgerPromotion> promotions;

  // repository@digest of the first image: what a deploy of this version uses.
  std::string ImageByDigest() const;
  // What a deploy to `environment` uses: when the environment names a
  // registry, repository@digest there (released or promoted to it; empty
  // when neither), else ImageByDigest().
  std::string ImageFor(const std::string& environment, const std::string& environment_registry) const;
};

// One deployment and the release it deployed.
struct DeploymentRef {
  const LedgerRelease* release = nullptr;
  const LedgerDeployment* deployment = nullptr;
  explicit operator bool() const { return deployment != nullptr; }
};

// "sha256:..." of "repository@sha256:...", or "" for an image by tag.
std::string ImageDigest(const std::string& image);

class Ledger {
 public:
  // An empty ledger when the file does not exist. Throws Error(kInvalidInput)
  // naming the file (and line for a JSON error) when it is malformed.
  static Ledger Load(const std::filesystem::path& file);
  static Ledger FromJson(const nlohmann::json& json, const std::filesystem::path& file);

  const std::string& service() const { return service_; }
  void set_service(std::string service) { service_ = std::move(service); }
  const std::vector<LedgerRelease>& releases() const { return releases_; }

  const LedgerRelease* Find(const std::string& version) const;
  // The release whose digest is `digest` (sha256:...), or nullptr.
  const LedgerRelease* FindByDigest(const std::string& digest) const;
  // Throws Error(kInvalidInput) when the version is already recorded.
  void Add(LedgerRelease release);
  // Throws Error(kNotFound) for an unknown version. A second promotion to
  // the same repository replaces the first.
  void RecordPromotion(const std::string& version, LedgerPromotion promotion);
  // Records a deployment and what it did to the others in its environment:
  // unless it failed, the one live there becomes superseded, or rolled-back
  // when this is a rollback away from it. Throws Error(kNotFound) for an
  // unknown version.
  void RecordDeployment(const std::string& version, LedgerDeployment deployment);

  // The environment's deployments, newest first.
  std::vector<DeploymentRef> History(const std::string& environment) const;
  // The newest deployment to `environment`, whatever its state.
  DeploymentRef Latest(const std::string& environment) const;
  // What was live immediately before the newest deployment, skipping those
  // that came up failed or unhealthy: what a rollback returns to.
  DeploymentRef PreviousLive(const std::string& environment) const;
  // The newest deployment of `version` to `environment` that came up healthy.
  DeploymentRef NewestHealthy(const std::string& environment, const std::string& version) const;
  // The release deployed most recently to `environment`.
  const LedgerRelease* Current(const std::string& environment) const;

  nlohmann::json ToJson() const;
  // Per release, newest first: tag, image URIs, digest, signatures,
  // changelog, deployments. `berth ledger render` writes it again.
  std::string ToMarkdown() const;
  // Writes RELEASES.md, then releases.json, each atomically.
  void Save(const std::filesystem::path& json_file, const std::filesystem::path& markdown_file) const;

 private:
  std::string service_;
  std::vector<LedgerRelease> releases_;  // Oldest first.
};

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_RELEASE_LEDGER_H_
