// Google service-account keys (the JSON file `gcloud iam service-accounts
// keys create` writes) and the RS256 assertion of the JWT bearer grant
// (RFC 7523) that trades one for an access token.
#ifndef BERTH_PLUGINS_GCP_ARTIFACT_SERVICE_ACCOUNT_KEY_H_
#define BERTH_PLUGINS_GCP_ARTIFACT_SERVICE_ACCOUNT_KEY_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "berth/util/jwt.h"

namespace berth::gcp {

struct ServiceAccountKey {
  std::string source;  // The file, for messages.
  std::string client_email;
  std::string private_key_id;
  std::string token_uri;
  std::string project_id;
  jwt::PrivateKey private_key;
};

// Throws Error(kInvalidInput) naming the file and field; never quotes the key.
ServiceAccountKey ParseServiceAccountKey(const std::string& text, const std::string& source);
ServiceAccountKey LoadServiceAccountKey(const std::filesystem::path& path);

// Header {alg: RS256, typ: JWT, kid: private_key_id}; claims iss =
// client_email, scope (space separated), aud = `audience` (the token_uri),
// iat = now, exp = now + 3600 (Google's maximum).
std::string MakeJwtAssertion(const ServiceAccountKey& key, const std::vector<std::string>& scopes,
                             const std::string& audience, int64_t now);

}  // namespace berth::gcp

#endif  // BERTH_PLUGINS_GCP_ARTIFACT_SERVICE_ACCOUNT_KEY_H_
