// The SecretStore interface: where an environment's secrets live.
//
// Values arrive as SecretValue (from stdin, files or env files, never argv)
// and never leave a store: list gives names, diff gives names and states.
#ifndef BERTH_SECRET_STORE_H_
#define BERTH_SECRET_STORE_H_

#include <map>
#include <string>
#include <vector>

#include "berth/error.h"
#include "berth/secret.h"

namespace berth {

enum class SecretChange { kAdded, kChanged, kUnchanged, kRemoved };
const char* SecretChangeName(SecretChange change) noexcept;

struct SecretDiffEntry {
  std::string name;
  SecretChange change;
};

class SecretStore {
 public:
  virtual ~SecretStore() = default;
  virtual Status Set(const std::string& environment, const std::string& name, const SecretValue& value) noexcept = 0;
  virtual Result<std::vector<std::string>> List(const std::string& environment) noexcept = 0;
  virtual Status Delete(const std::string& environment, const std::string& name) noexcept = 0;
  // Compares the desired values with the store's. The default, built on
  // List, is for stores that cannot read values back (most cannot): a
  // desired name the store has is kChanged, one it lacks kAdded, and a name
  // only the store has kRemoved. A store that can compare values overrides it.
  virtual Result<std::vector<SecretDiffEntry>> Diff(const std::string& environment,
                                                    const std::map<std::string, SecretValue>& desired) noexcept;
};

}  // namespace berth

#endif  // BERTH_SECRET_STORE_H_
