#include "image_signing.h"

#include <nlohmann/json.hpp>

#include <cstdlib>

#include "berth/error.h"
#include "berth/log.h"
#include "signature_check.h"
#include "signature_manifest.h"
#include "simple_signing.h"

namespace berth::cosign {
namespace {

// The existing .sig manifest and its config; a config that cannot be read is
// rebuilt (a verifier never needs it).
std::optional<std::pair<SignatureManifest, Digest>> ReadSignatures(SignatureStore& store, const std::string& repository,
                                                                   const std::string& tag) {
  auto stored = store.GetManifest(repository, tag);
  if (!stored) return std::nullopt;
  std::string source = repository + ":" + tag;
  std::string config;
  auto json = nlohmann::json::parse(stored->bytes, nullptr, false);
  if (!json.is_discarded() && json.is_object() && json.contains("config") && json["config"].is_object() &&
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

  SignatureManifest manifest;
  if (auto existing = ReadSignatures(store, repository, tag)) {
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
  auto existing = ReadSignatures(store, repository, tag);
  if (!existing) return result;
  for (const SignatureLayer& layer : existing->first.layers()) {
    SignatureCheck check;
    check.id = layer.digest;
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
  return result;
}

}  // namespace berth::cosign
