// ASAP public key repositories: GET <base>/<kid> with Accept
// application/x-pem-file, trying each repository in order and moving on only
// for 5xx answers and connection errors (as asap-authentication-python does).
#ifndef BERTH_PLUGINS_ASAP_KEY_REPOSITORY_H_
#define BERTH_PLUGINS_ASAP_KEY_REPOSITORY_H_

#include <string>
#include <vector>

#include "berth/util/jwt.h"

namespace berth::asap {

struct FetchedKey {
  jwt::PublicKey key;
  std::string url;
};

class KeyRepositories {
 public:
  // Throws Error(kUsage) for a URL that is not https (plain http is allowed
  // for loopback addresses only, for local repositories and tests).
  explicit KeyRepositories(std::vector<std::string> base_urls);
  const std::vector<std::string>& base_urls() const { return base_urls_; }
  // The kid must already have passed CheckKeyIdFormat. Throws
  // Error(kNotFound) on a 404, Error(kFailure) otherwise.
  FetchedKey Fetch(const std::string& kid) const;

 private:
  std::vector<std::string> base_urls_;  // Each ends with '/'.
};

}  // namespace berth::asap

#endif  // BERTH_PLUGINS_ASAP_KEY_REPOSITORY_H_
