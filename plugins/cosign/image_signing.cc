#include "image_signing.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>

#include "berth/error.h"
#include "berth/util/log.h"
#include "berth/util/time.h"
#include "signature_check.h"
#include "signature_manifest.h"
#include "sigstore_bundle.h"
#include "simple_signing.h"

namespace berth::cosign {
namespace {

// The existing .sig manifest, and its config when signing (a new signature
// is appended to it); a config that cannot be read is rebuilt. A verifier
// never needs the config, so it does not fetch it.
enum class WithConfig { kNo, kYes };
std::optional<std::pair<SignatureManifest, Digest>> ReadSignatures(SignatureStore& store, const std::string& repository,
                                                                   const std::string& tag, WithConfig with_config) {
  auto stored = store.GetManifest(repository, tag);
  if (!stored) return std::nullopt;
  std::string source = repository + ":" + tag;
  std::string config;
  auto json = nlohmann::json::parse(stored->bytes, nullptr, false);
  if (with_config == WithConfig::kYes && !json.is_discarded() && json.is_object() && json.contains("config") && json["config"].is_object() &&
      json["config"].value("digest", nlohmann::json()).is_string() && Digest::IsValid(json["config"]["digest"].get<std::string>())) {
    Digest config_digest = Digest::Parse(json["config"]["digest"].get<std::string>());
    uint64_t size = json["config"].value("size", nlohmann::json()).is_number_unsigned() ? json["config"]["size"].get<uint64_t>() : 0;
    try {
      config = store.GetBlob(repository, config_digest, size);
      if (Digest::Of(config) != config_digest) config.clear();
    } catch (const Error& e) {
      log::Debug("{}: config blob unreadable, rebuilding it: {}", source, e.what());
    }
  }
  return std::make_pair(SignatureManifest::Parse(stored->bytes, source, config), stored->digest);
}

// The bundle layer of a referrer manifest, fetched; nullopt when the
// manifest is not a bundle referrer.
std::optional<std::pair<std::string, std::string>> ReadBundle(SignatureStore& store, const std::string& repository,
                                                              const StoredManifest& referrer) {
  nlohmann::json manifest = nlohmann::json::parse(referrer.bytes, nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object() || !manifest.value("layers", nlohmann::json()).is_array()) return std::nullopt;
  for (const auto& layer : manifest["layers"]) {
    if (!layer.is_object() || layer.value("mediaType", "") != kBundleMediaType || !layer.value("digest", nlohmann::json()).is_string() ||
        !Digest::IsValid(layer["digest"].get<std::string>())) {
      continue;
    }
    uint64_t size = layer.value("size", nlohmann::json()).is_number_unsigned() ? layer["size"].get<uint64_t>() : 0;
    Digest digest = Digest::Parse(layer["digest"].get<std::string>());
    return std::make_pair(digest.str(), store.GetBlob(repository, digest, size));
  }
  return std::nullopt;
}

SignResult SignWithBundle(SignatureStore& store, const PrivateKey& key, const SigningOptions& options, const ResolvedImage& image,
                          const std::string& repository, SignResult result) {
  if (!options.annotations.empty()) {
    throw Error(ErrorCode::kUsage, "annotations (-a) are not part of cosign's bundle signatures; sign without format=bundle to add them");
  }
  PublicKey public_key = key.Public();
  for (const StoredManifest& existing : store.Referrers(repository, image.digest, std::string(kBundleMediaType))) {
    auto bundle = ReadBundle(store, repository, existing);
    if (bundle && CheckBundle(bundle->second, public_key, "", image.digest, {}).outcome == CheckOutcome::kValid) {
      result.already_signed = true;
      result.signature = repository + "@" + existing.digest.str();
      result.signature_digest = existing.digest.str();
      return result;
    }
  }
  std::string bundle = BuildBundle(InTotoStatement(image.repository, image.digest), key);
  std::string manifest = BundleManifest(bundle, {image.media_type, image.digest, image.size}, NowRfc3339());
  result.signature_digest = Digest::Of(manifest).str();
  result.signature = repository + "@" + result.signature_digest;
  if (options.dry_run) return result;
  store.PutBlob(repository, bundle);
  store.PutBlob(repository, kEmptyConfig);
  result.signature_digest = store.PutReferrer(repository, manifest, image.digest).str();
  result.pushed = true;
  return result;
}

}  // namespace

std::string SignatureRepositoryFromEnv() {
  const char* value = std::getenv(kRepositoryEnv);
  return value == nullptr ? "" : value;
}

SignResult SignImage(SignatureStore& store, const PrivateKey& key, const SigningOptions& options) {
  ResolvedImage image = store.Resolve(options.image);
  std::string repository = options.signature_repository.empty() ? image.repository : options.signature_repository;
  std::string tag = SignatureTag(image.digest);
  PublicKey public_key = key.Public();

  std::string payload = BuildPayload(image.repository, image.digest.str(), options.annotations);
  SignatureLayer layer = MakeSignatureLayer(payload, key.Sign(payload), public_key.KeyId());

  SignResult result;
  result.image = image.repository + "@" + image.digest.str();
  result.digest = image.digest.str();
  result.signature = repository + ":" + tag;
  result.key_id = public_key.KeyId();
  if (options.bundle) return SignWithBundle(store, key, options, image, repository, std::move(result));

  SignatureManifest manifest;
  if (auto existing = ReadSignatures(store, repository, tag, WithConfig::kYes)) {
    manifest = std::move(existing->first);
    if (FindDuplicate(manifest, layer, payload, public_key)) {
      result.already_signed = true;
      result.signature_digest = existing->second.str();
      return result;
    }
  }
  manifest.Append(std::move(layer));
  std::string bytes = manifest.ManifestBytes();
  result.signature_digest = Digest::Of(bytes).str();
  if (options.dry_run) return result;
  store.PutBlob(repository, payload);
  store.PutBlob(repository, manifest.ConfigBlob());
  Digest pushed = store.PutManifest(repository, tag, bytes, kOciManifestMediaType);
  result.signature_digest = pushed.str();
  result.pushed = true;
  return result;
}

VerifyResult VerifyImage(SignatureStore& store, const PublicKey& key, const std::string& key_name, const SigningOptions& options) {
  ResolvedImage image = store.Resolve(options.image);
  std::string repository = options.signature_repository.empty() ? image.repository : options.signature_repository;
  std::string tag = SignatureTag(image.digest);

  VerifyResult result;
  result.image = image.repository + "@" + image.digest.str();
  result.digest = image.digest.str();
  result.signature = repository + ":" + tag;
  auto existing = ReadSignatures(store, repository, tag, WithConfig::kNo);
  std::vector<SignatureLayer> layers = existing ? existing->first.layers() : std::vector<SignatureLayer>();
  for (const SignatureLayer& layer : layers) {
    SignatureCheck check;
    check.id = layer.digest;
    check.format = "simple-signing";
    if (layer.media_type != kSimpleSigningMediaType) {
      check.outcome = "unsupported";
      check.message = "layer " + layer.digest + " has media type " + layer.media_type + ", not a cosign signature";
      result.checks.push_back(std::move(check));
      continue;
    }
    std::string payload;
    try {
      payload = store.GetBlob(repository, Digest::Parse(layer.digest), layer.size);
    } catch (const Error& e) {
      // A blob that fails its digest or is gone fails this signature only;
      // anything else (network, auth) fails the whole check.
      if (e.code() != ErrorCode::kVerification && e.code() != ErrorCode::kNotFound) throw;
      check.outcome = e.code() == ErrorCode::kVerification ? "blob-modified" : "blob-missing";
      check.message = e.what();
      result.checks.push_back(std::move(check));
      continue;
    }
    SignatureCheckResult checked = CheckSignature(layer, payload, key, key_name, image.digest, options.annotations);
    check.valid = checked.outcome == CheckOutcome::kValid;
    check.outcome = CheckOutcomeName(checked.outcome);
    check.message = std::move(checked.message);
    check.payload = std::move(checked.payload);
    result.checks.push_back(std::move(check));
  }
  for (const StoredManifest& referrer : store.Referrers(repository, image.digest, std::string(kBundleMediaType))) {
    SignatureCheck check;
    check.id = referrer.digest.str();
    check.format = "bundle";
    std::optional<std::pair<std::string, std::string>> bundle;
    try {
      bundle = ReadBundle(store, repository, referrer);
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kVerification && e.code() != ErrorCode::kNotFound) throw;
      check.outcome = e.code() == ErrorCode::kVerification ? "blob-modified" : "blob-missing";
      check.message = e.what();
      result.checks.push_back(std::move(check));
      continue;
    }
    if (!bundle) {
      check.outcome = "unsupported";
      check.message = "referrer " + referrer.digest.str() + " has no Sigstore bundle layer";
      result.checks.push_back(std::move(check));
      continue;
    }
    SignatureCheckResult checked = CheckBundle(bundle->second, key, key_name, image.digest, options.annotations);
    check.valid = checked.outcome == CheckOutcome::kValid;
    check.outcome = CheckOutcomeName(checked.outcome);
    check.message = std::move(checked.message);
    check.payload = std::move(checked.payload);
    result.checks.push_back(std::move(check));
  }
  return result;
}

}  // namespace berth::cosign
