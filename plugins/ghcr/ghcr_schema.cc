#include "ghcr_schema.h"

namespace berth::ghcr {

// The API URL receives the token with every request, and the token file is
// read for it: both are marked for the trust rules. The token goes only to
// GitHub's hosts unless the user allows another (CredentialHosts). The
// registry host counts too: it gets the token as a password, and
// containers.HOST makes https://HOST/api/v3 the API URL. The CA file decides
// which certificate the token's connection accepts: it needs trust like an
// endpoint, or an untrusted repository could name a CA of its own and have
// the token accepted by whoever holds it.
SettingsSchema GhcrSchema() {
  Setting api_url = Setting::Text("The GitHub API (default: $GITHUB_API_URL, then https://api.github.com)")
                        .CredentialHosts("github", {"api.github.com"});
  return SettingsSchema{
      {"registry", Setting::Text("The registry host (default: ghcr.io, or $BERTH_GHCR_HOST)").CredentialHosts("github", {"ghcr.io"})},
      {"api-url", api_url},
      {"api-base", Setting(api_url)},
      {"token-file", Setting::Path("A file holding the token (default: $GH_TOKEN, then $GITHUB_TOKEN)").CredentialFile()},
      {"username", Setting::Text("The user name sent with the token (default: $GITHUB_ACTOR)")},
      {"owner-type", Setting::Choice({"org", "user"}, "Whether the package owner is an organization or a user")},
      {"rate-limit-wait", Setting::Duration("The longest wait for GitHub's rate limit to reset").AtMost(3600)},
      {"ca-file", Setting::Path("A PEM bundle to trust for the API (GitHub Enterprise)").Endpoint()},
      {"repository", Setting::Text("OWNER/REPO whose Actions secrets are set (default: from git remote)")},
      {"environment", Setting::Text("An Actions environment: its secrets instead of the repository's")},
  };
}

nlohmann::json CheckGhcrSettings(const nlohmann::json& settings, const std::string& where) {
  SettingsOrigin origin;
  origin.owner = "the ghcr plugin";
  origin.field = where;
  return CheckSettings(GhcrSchema().ToJson(), settings, origin);
}

}  // namespace berth::ghcr
