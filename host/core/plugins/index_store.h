// The plugin indexes a user added (`berth plugin index add`): where each
// comes from, how its integrity is established (a pin, or the key that
// signed it), and the copy last verified, which `search`, `install
// NAME[@VERSION]` and `upgrade` read without going to the network.
//
// $XDG_DATA_HOME/berth/plugin-indexes.json lists them; each verified
// document is stored under plugin-indexes/<sha256>.json, written before the
// list names it, so a crash never leaves the list pointing at a document it
// did not verify.
#ifndef BERTH_HOST_CORE_PLUGINS_INDEX_STORE_H_
#define BERTH_HOST_CORE_PLUGINS_INDEX_STORE_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/plugins/plugin_index.h"

namespace berth::host {

struct RegisteredIndex {
  std::string name;
  std::string source;       // An absolute file path, an http(s) URL, or a registry reference.
  std::string pin;          // sha256:HEX the document must have (--sha256, or the reference's digest); empty: signed.
  std::string signer;       // sha256:<key fingerprint> of the signature last verified; empty when only pinned.
  std::string signer_name;
  std::string digest;       // sha256:HEX of the stored document.
  int64_t serial = 0;
  std::string updated_at;   // RFC 3339, UTC.
};

std::filesystem::path IndexStoreFile();

class IndexStore {
 public:
  // A missing file is no indexes; a malformed one is Error(kInvalidInput)
  // naming it.
  static IndexStore Read(const std::filesystem::path& file = IndexStoreFile());

  const std::vector<RegisteredIndex>& indexes() const { return indexes_; }
  const RegisteredIndex* Find(const std::string& name) const;
  // Stores the verified document, then adds or replaces the entry.
  void Put(RegisteredIndex index, const std::string& document);
  void Remove(const std::string& name);
  // The stored document, checked against the entry's digest.
  PluginIndexDocument Document(const RegisteredIndex& index) const;
  // From here on Put and Remove change only this object, not the files:
  // what --dry-run works on.
  void KeepInMemory() { in_memory_ = true; }

 private:
  void Save() const;
  std::filesystem::path DocumentPath(const std::string& digest) const;

  std::filesystem::path file_;
  std::vector<RegisteredIndex> indexes_;
  bool in_memory_ = false;
  std::map<std::string, std::string> unsaved_;  // digest -> document, when in memory.
};

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_INDEX_STORE_H_
