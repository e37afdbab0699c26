#include "core/config/project_trust.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>

#include "berth/error.h"
#include "berth/settings.h"
#include "berth/util/fs.h"

namespace berth::host {
namespace {
namespace fs = std::filesystem;

// Schemas shaped like the bundled plugins' (the marks are what matters).
class Schemas {
 public:
  Schemas() {
    Declare(ProvidedKind::kTarget, "k8s",
            SettingsSchema{{"kubeconfig", Setting::Path("").CredentialFile()},
                           {"context", Setting::Text("")},
                           {"replicas", Setting::WholeNumber("")},
                           {"mirrors", Setting::ListOf(Setting::Text("").Endpoint(), "")}});
    Declare(ProvidedKind::kTarget, "micros", SettingsSchema{{"atlas", Setting::Text("").Program()}, {"env", Setting::Text("")}});
    Declare(ProvidedKind::kSecretStore, "github-actions",
            SettingsSchema{{"api-url", Setting::Text("").Endpoint()},
                           {"token-file", Setting::Path("").CredentialFile()},
                           {"repository", Setting::Text("")}});
    Declare(ProvidedKind::kSecretStore, "file", SettingsSchema{{"dir", Setting::Path("")}});
    Declare(ProvidedKind::kRegistry, "ghcr", SettingsSchema{{"api-url", Setting::Text("").Endpoint()}});
    Declare(ProvidedKind::kSigner, "cosign", SettingsSchema{{"repository", Setting::Text("")}});
    Declare(ProvidedKind::kBuilder, "berth", SettingsSchema{{"base", Setting::Text("")}});
    schemas_[{ProvidedKind::kBuilder, "buildx"}] = nullptr;   // Declares no schema.
    schemas_[{ProvidedKind::kTarget, "paas"}] = nullptr;      // An in-house plugin without one.
  }

  void Declare(ProvidedKind kind, const std::string& name, const SettingsSchema& schema) {
    schemas_[{kind, name}] = schema.ToJson();
  }

  ProvidedSchemas Lookup() const {
    ProvidedSchemas lookup;
    lookup.schema = [this](ProvidedKind kind, const std::string& name) -> std::optional<nlohmann::json> {
      auto it = schemas_.find({kind, name});
      if (it == schemas_.end()) return std::nullopt;
      return it->second;
    };
    lookup.names = [this](ProvidedKind kind) {
      std::vector<std::string> names;
      for (const auto& [key, schema] : schemas_) {
        if (key.first == kind) names.push_back(key.second);
      }
      return names;
    };
    return lookup;
  }

 private:
  std::map<std::pair<ProvidedKind, std::string>, nlohmann::json> schemas_;
};

class ProjectTrustTest : public ::testing::Test {
 protected:
  std::vector<TrustNeed> Needs(const std::string& yaml) {
    WriteFileAtomic(dir_.path() / "berth.yaml", yaml);
    return FindTrustNeeds(ProjectConfig::Load(dir_.path() / "berth.yaml"), schemas_.Lookup());
  }

  std::vector<std::string> Fields(const std::vector<TrustNeed>& needs) {
    std::vector<std::string> fields;
    for (const auto& need : needs) fields.push_back(need.where + " " + need.field + " " + need.kind);
    return fields;
  }

  std::string Digest(const std::string& yaml) { return TrustDigest(Needs(yaml)); }

  TempDir dir_{"berth-trust-test"};
  Schemas schemas_;
};

const char kProject[] =
    "service: shop\n"                                   // 1
    "image: ghcr.io/acme/shop\n"                        // 2
    "registries:\n"                                     // 3
    "  - repository: ghcr.io/acme/shop\n"               // 4
    "    plugin: ghcr\n"                                // 5
    "    settings: {api-url: http://127.0.0.1:1}\n"     // 6
    "signing:\n"                                        // 7
    "  key: cosign.key\n"                               // 8
    "  public_key: cosign.pub\n"                        // 9
    "environments:\n"                                   // 10
    "  staging:\n"                                      // 11
    "    target:\n"                                     // 12
    "      plugin: k8s\n"                               // 13
    "      kubeconfig: kube.yaml\n"                     // 14
    "      replicas: 2\n"                               // 15
    "      mirrors: [http://a, http://b]\n"             // 16
    "    secrets:\n"                                    // 17
    "      store: github-actions\n"                     // 18
    "      from: .env\n"                                // 19
    "      settings:\n"                                 // 20
    "        api-url: http://127.0.0.1:2\n"             // 21
    "        token-file: /home/u/token\n"               // 22
    "        repository: acme/shop\n"                   // 23
    "    health:\n"                                     // 24
    "      url: http://127.0.0.1:3/healthz\n"           // 25
    "  prod:\n"                                         // 26
    "    target: {plugin: micros, atlas: ./bin/atlas, env: prod-west}\n"  // 27
    "    secrets: {store: file, settings: {dir: secrets}}\n";              // 28

// Exactly the marked settings and berth's own key file; not the replicas,
// the public key, the env file, the repository or the health check's URL
// (a GET without credentials).
TEST_F(ProjectTrustTest, CoversTheMarkedSettingsAndBerthsOwnInFileOrder) {
  EXPECT_EQ(Fields(Needs(kProject)),
            (std::vector<std::string>{
                "berth.yaml:6:25 registries[0].settings.api-url endpoint",
                "berth.yaml:8:8 signing.key credential-file",
                "berth.yaml:14:19 environments.staging.target.kubeconfig credential-file",
                "berth.yaml:16:17 environments.staging.target.mirrors[0] endpoint",
                "berth.yaml:16:27 environments.staging.target.mirrors[1] endpoint",
                "berth.yaml:21:18 environments.staging.secrets.settings.api-url endpoint",
                "berth.yaml:22:21 environments.staging.secrets.settings.token-file credential-file",
                "berth.yaml:27:37 environments.prod.target.atlas program",
            }));
}

// A plugin that does not declare its settings cannot say which are safe:
// all of them need trust. A block whose plugin is not installed is used by
// nothing, so it is left out (and counts once the plugin is installed).
TEST_F(ProjectTrustTest, EverySettingOfAPluginWithoutSchemaNeedsTrust) {
  auto needs = Needs(
      "service: shop\nimage: ghcr.io/acme/shop\n"
      "environments:\n"
      "  staging:\n"
      "    target: {plugin: paas, api: http://x, replicas: 2}\n"
      "  other:\n"
      "    target: {plugin: not-installed, api: http://x}\n");
  EXPECT_EQ(Fields(needs), (std::vector<std::string>{"berth.yaml:5:33 environments.staging.target.api undeclared",
                                                      "berth.yaml:5:53 environments.staging.target.replicas undeclared"}));
  EXPECT_EQ(needs[0].Why(), "is a setting of the paas target, which does not declare which of its settings need trust");
}

// Under builder: auto, a build setting a declared builder knows is checked
// against it; one that only a builder without schema could take needs trust.
TEST_F(ProjectTrustTest, BuildSettingsForABuilderWithoutSchemaNeedTrust) {
  EXPECT_TRUE(Needs("service: shop\nimage: ghcr.io/acme/shop\nbuild:\n  base: scratch\n").empty());
  EXPECT_EQ(Fields(Needs("service: shop\nimage: ghcr.io/acme/shop\nbuild:\n  base: scratch\n  settings: {cache: x}\n")),
            (std::vector<std::string>{"berth.yaml:5:21 build.settings.cache undeclared"}));
  EXPECT_EQ(Fields(Needs("service: shop\nimage: ghcr.io/acme/shop\nbuild:\n  builder: buildx\n  base: scratch\n")),
            (std::vector<std::string>{"berth.yaml:5:9 build.base undeclared"}));
}

// Trust is given to values, not to lines: comments, moved blocks and
// settings that need no trust do not revoke it.
TEST_F(ProjectTrustTest, UnrelatedEditsKeepTheDigest) {
  const std::string trusted = Digest(kProject);
  std::string edited = kProject;
  edited.insert(0, "# a comment\n\n");
  edited.replace(edited.find("replicas: 2"), 11, "replicas: 5");
  edited.replace(edited.find("repository: acme/shop"), 21, "repository: acme/other");
  edited += "  dev:\n    target: {plugin: k8s, context: kind}\n";
  EXPECT_EQ(Digest(edited), trusted);
}

TEST_F(ProjectTrustTest, ChangingOrAddingATrustedSettingChangesTheDigest) {
  const std::string trusted = Digest(kProject);
  std::string changed = kProject;
  changed.replace(changed.find("kubeconfig: kube.yaml"), 21, "kubeconfig: kube2.yaml");
  EXPECT_NE(Digest(changed), trusted);
  std::string added = std::string(kProject) + "  dev:\n    target: {plugin: k8s, kubeconfig: other.yaml}\n";
  EXPECT_NE(Digest(added), trusted);
  std::string removed = kProject;
  removed.replace(removed.find("  key: cosign.key\n"), 18, "");
  EXPECT_NE(Digest(removed), trusted);
}

// A kubeconfig or a program inside the project can change in a commit that
// leaves berth.yaml alone: what it holds is part of the trust.
TEST_F(ProjectTrustTest, FilesInsideTheProjectCountByContent) {
  WriteFileAtomic(dir_.path() / "kube.yaml", "server: https://one\n");
  const std::string trusted = Digest(kProject);
  EXPECT_EQ(Digest(kProject), trusted);
  WriteFileAtomic(dir_.path() / "kube.yaml", "server: https://two\n");
  EXPECT_NE(Digest(kProject), trusted);
  WriteFileAtomic(dir_.path() / "kube.yaml", "server: https://one\n");
  EXPECT_EQ(Digest(kProject), trusted);
  fs::create_directories(dir_.path() / "bin");
  WriteFileAtomic(dir_.path() / "bin" / "atlas", "#!/bin/sh\n", 0755);
  EXPECT_NE(Digest(kProject), trusted);
}

TEST_F(ProjectTrustTest, NeedsUnderMatchesWholeFieldNames) {
  auto needs = Needs(std::string(kProject) + "  staging2:\n    target: {plugin: k8s, kubeconfig: k.yaml}\n");
  auto under = NeedsUnder(needs, {"environments.staging.target", "registries"});
  EXPECT_EQ(Fields(under), (std::vector<std::string>{
                               "berth.yaml:6:25 registries[0].settings.api-url endpoint",
                               "berth.yaml:14:19 environments.staging.target.kubeconfig credential-file",
                               "berth.yaml:16:17 environments.staging.target.mirrors[0] endpoint",
                               "berth.yaml:16:27 environments.staging.target.mirrors[1] endpoint",
                           }));
}

TEST_F(ProjectTrustTest, RefusalsNameTheSettingItsPlaceAndHowToTrust) {
  auto needs = NeedsUnder(Needs(kProject), {"environments.staging.secrets"});
  EXPECT_EQ(RefusalLines(needs, TrustState::kUntrusted, "berth.yaml"),
            (std::vector<std::string>{
                "berth.yaml:21:18: environments.staging.secrets.settings.api-url names an endpoint; this project is not "
                "trusted (run 'berth trust' after reading berth.yaml)",
                "berth.yaml:22:21: environments.staging.secrets.settings.token-file names a credential file; this project "
                "is not trusted (run 'berth trust' after reading berth.yaml)",
            }));
  EXPECT_EQ(RefusalLines({needs[0]}, TrustState::kChanged, "berth.yaml")[0],
            "berth.yaml:21:18: environments.staging.secrets.settings.api-url names an endpoint; settings that need trust "
            "changed since this project was trusted (run 'berth trust' after reading berth.yaml)");
}

TEST_F(ProjectTrustTest, TheStoreKeepsOneRecordPerProjectPrivately) {
  TrustStore store(dir_.path() / "config" / "berth" / "trusted-projects.json");
  EXPECT_TRUE(store.List().empty());
  store.Add({"/src/a", "berth.yaml", "aa", "2024-01-01T00:00:00Z", {"signing.key"}});
  store.Add({"/src/b", "berth.yaml", "bb", "2024-01-01T00:00:00Z", {}});
  store.Add({"/src/a", "berth.yaml", "cc", "2024-01-02T00:00:00Z", {}});
  ASSERT_EQ(store.List().size(), 2u);
  EXPECT_EQ(store.Find("/src/a", "berth.yaml")->sha256, "cc");
  EXPECT_FALSE(store.Find("/src/a", "other.yaml").has_value());
  struct stat info {};
  ASSERT_EQ(stat(store.path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(store.Revoke("/src/a"), 1u);
  EXPECT_EQ(store.Revoke("/src/a"), 0u);
  EXPECT_FALSE(store.Find("/src/a", "berth.yaml").has_value());
  EXPECT_TRUE(store.Find("/src/b", "berth.yaml").has_value());
}

// Found by fuzz_project_trust: a field of another type escaped as a JSON
// library exception instead of berth's one-line error.
TEST_F(ProjectTrustTest, AFieldOfTheWrongTypeIsAMalformedStore) {
  TrustStore store(dir_.path() / "trusted-projects.json");
  WriteFileAtomic(store.path(), R"({"projects": [{"dir": "/src/a", "sha256": 7}]})", 0600);
  try {
    store.List();
    FAIL() << "a record with a number for its sha256 was read";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(std::string(error.what()),
              store.path().string() + ": projects[0].sha256 is not text (remove it, then berth trust again)");
  }
}

// Anyone who may write the file could trust a project in the user's name.
TEST_F(ProjectTrustTest, AFileOthersMayWriteIsRefused) {
  TrustStore store(dir_.path() / "trusted-projects.json");
  store.Add({"/src/a", "berth.yaml", "aa", "", {}});
  chmod(store.path().c_str(), 0666);
  try {
    store.List();
    FAIL() << "a world-writable trust file was read";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(error.what()).find("only you may write"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace berth::host
