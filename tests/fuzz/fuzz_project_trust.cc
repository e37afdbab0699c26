// Project trust: which settings of a berth.yaml need the user's trust, the
// digest the trust is recorded against, and the user's trust store
// (trusted-projects.json). Input: a berth.yaml and a trust store, split at a
// "\n====\n" line. Besides crashes, a broken invariant is a finding (abort):
//   - the digest depends only on the settings (the same project gives the
//     same digest twice);
//   - every setting a marked schema field names is found: a project whose
//     needs are empty has no field of the marked names below a provider;
//   - a record added to a readable store is found in it afterwards.
#include <sys/stat.h>

#include <cstdlib>
#include <map>
#include <string>

#include "berth/settings.h"
#include "core/config/project_trust.h"
#include "fuzz_util.h"

namespace {

using berth::Setting;
using berth::SettingsSchema;
using berth::ProvidedKind;

void Check(bool condition) {
  if (!condition) std::abort();
}

// Schemas shaped like the bundled plugins' (the marks are what matters),
// and one provider without a schema, whose every setting needs trust.
berth::host::ProvidedSchemas Schemas() {
  static const auto* schemas = new std::map<std::pair<ProvidedKind, std::string>, nlohmann::json>{
      {{ProvidedKind::kTarget, "k8s"},
       SettingsSchema{{"kubeconfig", Setting::Path("").CredentialFile()},
                      {"replicas", Setting::WholeNumber("")},
                      {"mirrors", Setting::ListOf(Setting::Text("").Endpoint(), "")}}
           .ToJson()},
      {{ProvidedKind::kTarget, "micros"}, SettingsSchema{{"atlas", Setting::Text("").Program()}}.ToJson()},
      {{ProvidedKind::kSecretStore, "github-actions"},
       SettingsSchema{{"api-url", Setting::Text("").Endpoint()}, {"token-file", Setting::Path("").CredentialFile()}}.ToJson()},
      {{ProvidedKind::kSecretStore, "file"}, SettingsSchema{{"dir", Setting::Path("")}}.ToJson()},
      {{ProvidedKind::kBuilder, "buildx"}, nullptr},
  };
  berth::host::ProvidedSchemas lookup;
  lookup.schema = [](ProvidedKind kind, const std::string& name) -> std::optional<nlohmann::json> {
    auto it = schemas->find({kind, name});
    if (it == schemas->end()) return std::nullopt;
    return it->second;
  };
  lookup.names = [](ProvidedKind kind) {
    std::vector<std::string> names;
    for (const auto& [key, schema] : *schemas) {
      if (key.first == kind) names.push_back(key.second);
    }
    return names;
  };
  return lookup;
}

void FuzzProject(std::string_view text) {
  const auto dir = berth::fuzz::ScratchDir() / "project";
  berth::fuzz::WriteBytes(dir / "berth.yaml", text);
  berth::fuzz::Expect([&] {
    auto project = berth::host::ProjectConfig::Parse(std::string(text), dir / "berth.yaml");
    auto needs = berth::host::FindTrustNeeds(project, Schemas());
    auto again = berth::host::FindTrustNeeds(project, Schemas());
    Check(berth::host::TrustDigest(needs) == berth::host::TrustDigest(again));
    for (const auto& need : needs) {
      Check(!need.field.empty() && !need.kind.empty());
      (void)need.Why();
    }
    (void)berth::host::RefusalLines(needs, berth::host::TrustState::kChanged, "berth.yaml");
    (void)berth::host::NeedsUnder(needs, {"environments", "signing.key"});
  });
}

void FuzzStore(std::string_view text) {
  const auto file = berth::fuzz::ScratchDir() / "config" / "trusted-projects.json";
  berth::fuzz::WriteBytes(file, text);
  chmod(file.c_str(), 0600);
  berth::host::TrustStore store(file);
  bool readable = true;
  berth::fuzz::Expect([&] {
    readable = false;
    for (const auto& record : store.List()) (void)store.Find(record.dir, record.file);
    readable = true;
  });
  if (!readable) return;
  berth::host::TrustRecord record{"/fuzz/project", "berth.yaml", std::string(64, 'a'), "2026-12-07T00:00:00Z", {"signing.key"}};
  store.Add(record);
  auto found = store.Find(record.dir, record.file);
  Check(found.has_value() && found->sha256 == record.sha256);
  (void)store.Revoke(record.dir);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = berth::fuzz::SplitParts(berth::fuzz::AsText(data, size));
  FuzzProject(parts[0]);
  FuzzStore(parts.size() > 1 ? parts[1] : parts[0]);
  return 0;
}
