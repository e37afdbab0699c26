// The release ledger: releases.json (the record, machine-readable and
// stable) and RELEASES.md (generated from it for people). Version -> git sha
// and tag -> image URIs -> digest -> signatures -> changelog -> where and
// when it was deployed.
#ifndef BERTH_HOST_CORE_RELEASE_LEDGER_H_
#define BERTH_HOST_CORE_RELEASE_LEDGER_H_

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "berth/util/time.h"

namespace berth::host {

struct LedgerDeployment {
  std::string environment;
  std::string at;          // RFC 3339 UTC.
  std::string by;          // user@host, or CI's identity.
  std::string result;      // healthy | unhealthy | failed | rolled-back | rollback
  std::string revision;    // The platform's revision, when it has one.
  std::string url;
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
  // Throws Error(kInvalidInput) when the version is already recorded.
  void Add(LedgerRelease release);
  // Throws Error(kNotFound) for an unknown version. A second promotion to
  // the same repository replaces the first.
  void RecordPromotion(const std::string& version, LedgerPromotion promotion);
  // Throws Error(kNotFound) for an unknown version.
  void RecordDeployment(const std::string& version, LedgerDeployment deployment);
  // The newest release whose last deployment to `environment` was healthy,
  // other than `except_version`: what a rollback returns to.
  const LedgerRelease* PreviousGood(const std::string& environment, const std::string& except_version) const;
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
