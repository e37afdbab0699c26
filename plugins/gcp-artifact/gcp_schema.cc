#include "gcp_schema.h"

namespace berth::gcp {

// Every URL here receives a Google access token (token-uri: an assertion
// signed with the user's key), and the key file is a service account's
// private key: all are marked for the trust rules, and the URLs may name
// only Google's hosts unless the user allows another (CredentialHosts).
SettingsSchema GcpSchema() {
  return SettingsSchema{
      {"key-file", Setting::Path("A service account key (default: $GOOGLE_APPLICATION_CREDENTIALS, then ADC)").CredentialFile()},
      {"token-uri", Setting::Text("Where access tokens are minted (default: the key's token_uri)")
                        .CredentialHosts("google", {"oauth2.googleapis.com", "accounts.google.com"})},
      {"scopes", Setting::Value("OAuth scopes: a list, or text separated by commas or spaces")},
      {"artifactregistry-url",
       Setting::Text("The Artifact Registry API").CredentialHosts("google", {"artifactregistry.googleapis.com"})},
      {"secretmanager-url", Setting::Text("The Secret Manager API").CredentialHosts("google", {"secretmanager.googleapis.com"})},
      {"metadata", Setting::Value("Ask the metadata server for tokens: true, false or auto")},
      {"gcloud", Setting::Boolean("Fall back to gcloud's credentials")},
      {"location", Setting::Text("The Artifact Registry location (us, europe-west1, ...)")},
      {"project", Setting::Text("The Google Cloud project")},
      {"prefix", Setting::Text("A prefix put before every secret name")},
      {"replication-locations", Setting::Value("Where new secrets are replicated: a list, or text separated by commas")},
  };
}

nlohmann::json CheckGcpSettings(const nlohmann::json& settings, const std::string& where) {
  SettingsOrigin origin;
  origin.owner = "the gcp-artifact plugin";
  origin.field = where;
  return CheckSettings(GcpSchema().ToJson(), settings, origin);
}

}  // namespace berth::gcp
