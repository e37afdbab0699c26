// Registry authentication: learns the scheme from GET /v2/, sends Basic
// credentials or fetches Bearer tokens (GET with Basic, or the OAuth2 POST
// form for identity and refresh tokens), and caches tokens per scope set
// until shortly before they expire. Thread-safe.
#ifndef BERTH_SDK_SRC_OCI_AUTHENTICATOR_H_
#define BERTH_SDK_SRC_OCI_AUTHENTICATOR_H_

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "berth/http/client.h"
#include "berth/oci/credentials.h"
#include "berth/oci/settings.h"

namespace berth::oci {

class Authenticator {
 public:
  Authenticator(std::string registry, std::string base_url, http::Client& http, RegistrySettings settings,
                CredentialFn credentials);

  // The Authorization header value for a request needing `scopes`; empty
  // when the registry asks for none. Throws Error(kAuth) with a reason.
  std::string Header(const std::vector<std::string>& scopes);
  // After a 401: learns the challenge and drops what was refused. True when
  // trying again with a new header may succeed.
  bool OnUnauthorized(const http::Response& response, const std::vector<std::string>& scopes);
  // True once a credential was looked up and there was none (anonymous), so
  // that a refusal can say "no credentials", not "insufficient scope".
  bool WentAnonymous();
  // Checks `credential`; see RegistryClient::Login.
  std::optional<SecretValue> Login(const Credential& credential);

  // Private and link-local addresses, loopback and "localhost".
  static bool IsPrivateHost(const std::string& host);

 private:
  enum class Scheme { kUnknown, kNone, kBasic, kBearer };
  struct Token {
    std::string value;
    std::chrono::steady_clock::time_point expires;
    std::set<std::string> grants;  // "repository:team/app#push": what was asked for.
  };
  // A live token asked for at least `scopes`, or null.
  const Token* Covering(const std::vector<std::string>& scopes) const;
  void Ping();
  void LearnChallenge(const http::Response& response);
  const Credential& GetCredential(const std::vector<std::string>& scopes);
  Token FetchToken(const std::vector<std::string>& scopes, const Credential& credential, bool offline);
  http::Response SendWithRetries(const http::Request& request, const std::string& what);
  std::string BasicHeader(const Credential& credential) const;

  std::string registry_;
  std::string base_url_;
  http::Client& http_;
  RegistrySettings settings_;
  CredentialFn credentials_;

  std::mutex mutex_;
  Scheme scheme_ = Scheme::kUnknown;
  std::string realm_, service_;
  std::optional<Credential> credential_;
  std::map<std::string, Token> tokens_;  // Keyed by the sorted scopes.
  std::string refresh_token_;            // Handed out by the token service; used instead of the password.
};

}  // namespace berth::oci

#endif  // BERTH_SDK_SRC_OCI_AUTHENTICATOR_H_
