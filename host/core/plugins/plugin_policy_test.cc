// The signing policy at discovery (PluginManager::Plugins): under
// require-signatures only berth's own plugins (bundled, listed with their
// manifest's sha256) and plugins a trusted key signed are left to load, with
// real fixture plugins and keys made by the openssl CLI.
#include <stdlib.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "signing_keys.h"
#include "core/plugins/own_plugins.h"
#include "core/plugins/plugin_manager.h"
#include "core/plugins/plugin_signature.h"

namespace berth::host {
namespace {
namespace fs = std::filesystem;

class PluginPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("XDG_DATA_HOME", (dir_.path() / "data").c_str(), 1);
    fs::create_directories(system_.parent_path());
    for (const char* name : {"fleet", "alice"}) berth::testing::MakePluginSigningKey(dir_.path(), name);
    WriteFileAtomic(system_, "trusted-plugin-keys:\n  - name: fleet\n    file: " + (dir_.path() / "fleet.pub").string() +
                                 "\nplugin-policy:\n  require-signatures: true\n");
  }
  void TearDown() override { ::unsetenv("XDG_DATA_HOME"); }

  // A copy of the echo fixture at DIR/echo, signed by `signer` unless empty.
  fs::path Echo(const fs::path& dir, const std::string& signer = "") {
    fs::create_directories(dir);
    fs::copy(fixtures_ / "echo" / "echo", dir / "echo", fs::copy_options::recursive);
    if (!signer.empty()) WriteFileAtomic(dir / "echo" / kSignatureFileName, SignPackage(dir / "echo", dir_.path() / (signer + ".key")));
    return dir / "echo";
  }
  std::unique_ptr<PluginManager> Manager(std::vector<SearchDir> dirs) {
    auto manager = std::make_unique<PluginManager>(std::move(dirs), fs::path());
    manager->SetTrustFiles({{system_}, user_});
    manager->SetOwnPlugins(own_);
    return manager;
  }
  std::string Refusal(const fs::path& plugin, const std::string& problem) const {
    return "plugin 'echo' at " + plugin.string() + ": " + problem + "; " + system_.string() +
           " requires every plugin but berth's own to be signed by a trusted key (plugin-policy.require-signatures)";
  }

  const fs::path fixtures_ = BERTH_FIXTURE_PLUGIN_DIR;
  TempDir dir_{"berth-plugin-policy"};
  fs::path system_ = dir_.path() / "etc" / "berth" / "config.yaml";
  fs::path user_ = dir_.path() / "config.yaml";
  std::string echo_manifest_sha256_ = Sha256FileHex(fixtures_ / "echo" / "echo" / kManifestFileName);
  std::vector<OwnPlugin> own_ = {{"echo", echo_manifest_sha256_.c_str()}};
};

TEST_F(PluginPolicyTest, UnsignedPluginsAreRefusedAndNeverOpened) {
  fs::path echo = Echo(dir_.path() / "path");
  auto manager = Manager({{dir_.path() / "path", PluginSource::kPluginPath}});
  DiscoveredPlugin* plugin = manager->Find("echo");
  ASSERT_NE(plugin, nullptr);
  EXPECT_EQ(plugin->state.message(), Refusal(echo, "not signed (no berth-plugin.sig)"));
  EXPECT_EQ(plugin->state.code(), ErrorCode::kPlugin);
  manager->SetAfterCheckForTesting([](const DiscoveredPlugin&) { ADD_FAILURE() << "checked past the policy"; });
  EXPECT_EQ(manager->Load("echo").status().message(), Refusal(echo, "not signed (no berth-plugin.sig)"));
}

TEST_F(PluginPolicyTest, APluginSignedByATrustedKeyLoads) {
  Echo(dir_.path() / "path", "fleet");
  auto manager = Manager({{dir_.path() / "path", PluginSource::kPluginPath}});
  Result<LoadedPlugin*> loaded = manager->Load("echo");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();

  // The user's key counts too, unless the system says user-keys: false.
  fs::path by_alice = Echo(dir_.path() / "alice", "alice");
  WriteFileAtomic(user_, "trusted-plugin-keys:\n  - " + (dir_.path() / "alice.pub").string() + "\n");
  EXPECT_TRUE(Manager({{dir_.path() / "alice", PluginSource::kUser}})->Find("echo")->state.ok());
  WriteFileAtomic(system_, ReadFile(system_) + "  user-keys: false\n");
  std::string alice = nlohmann::json::parse(ReadFile(by_alice / kSignatureFileName))["key"];
  EXPECT_EQ(Manager({{dir_.path() / "alice", PluginSource::kUser}})->Find("echo")->state.message(),
            Refusal(by_alice, "signed by key " + alice + ", which is not in trusted-plugin-keys of your berth config"));
}

TEST_F(PluginPolicyTest, ASignatureOverAnotherManifestOrLibraryDoesNotCount) {
  fs::path echo = Echo(dir_.path() / "path", "fleet");
  auto manifest = nlohmann::json::parse(ReadFile(echo / kManifestFileName));
  manifest["description"] = "edited after signing";
  WriteFileAtomic(echo / kManifestFileName, manifest.dump(2));
  EXPECT_EQ(Manager({{dir_.path() / "path", PluginSource::kPluginPath}})->Find("echo")->state.message(),
            Refusal(echo, "the signature by fleet does not match the package (modified after signing?)"));

  // The signature covers the library's sha256 that the manifest declares;
  // the library is compared with it before it is mapped.
  fs::path swapped = Echo(dir_.path() / "swapped", "fleet");
  fs::copy_file(fixtures_ / "echo-v2" / "echo-v2" / "libberth-echo-v2.so", swapped / "libberth-echo.so",
                fs::copy_options::overwrite_existing);
  auto manager = Manager({{dir_.path() / "swapped", PluginSource::kPluginPath}});
  EXPECT_TRUE(manager->Find("echo")->state.ok());
  Result<LoadedPlugin*> loaded = manager->Load("echo");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("sha256"), std::string::npos) << loaded.status().message();
}

TEST_F(PluginPolicyTest, BerthsOwnPluginsNeedNoSignatureOnlyWhereBerthShipsThem) {
  fs::path bundled = Echo(dir_.path() / "bundled");
  auto manager = Manager({{dir_.path() / "bundled", PluginSource::kBundled}});
  Result<LoadedPlugin*> loaded = manager->Load("echo");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();

  // The same bytes anywhere else are not berth's to vouch for.
  for (PluginSource source : {PluginSource::kPluginPath, PluginSource::kUser}) {
    EXPECT_EQ(Manager({{dir_.path() / "bundled", source}})->Find("echo")->state.message(),
              Refusal(bundled, "not signed (no berth-plugin.sig)"))
        << PluginSourceName(source);
  }
  // Nor is another manifest in berth's own directory (a plugin a CI image
  // dropped there, or one of berth's edited).
  auto manifest = nlohmann::json::parse(ReadFile(bundled / kManifestFileName));
  manifest["description"] = "not as shipped";
  WriteFileAtomic(bundled / kManifestFileName, manifest.dump(2));
  EXPECT_EQ(Manager({{dir_.path() / "bundled", PluginSource::kBundled}})->Find("echo")->state.message(),
            Refusal(bundled, "not signed (no berth-plugin.sig)"));
  own_.clear();
  Echo(dir_.path() / "other");
  EXPECT_FALSE(Manager({{dir_.path() / "other", PluginSource::kBundled}})->Find("echo")->state.ok());
}

TEST_F(PluginPolicyTest, WithoutThePolicyUnsignedPluginsLoadAsBefore) {
  WriteFileAtomic(system_, "trusted-plugin-keys: []\n");
  Echo(dir_.path() / "path");
  Result<LoadedPlugin*> loaded = Manager({{dir_.path() / "path", PluginSource::kPluginPath}})->Load("echo");
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
}

TEST_F(PluginPolicyTest, APolicyBerthCannotReadRefusesAllButBerthsOwn) {
  WriteFileAtomic(system_, "plugin-policy: [\n");
  fs::path stranger = Echo(dir_.path() / "path");
  Echo(dir_.path() / "bundled");
  auto bundled = Manager({{dir_.path() / "bundled", PluginSource::kBundled}});
  EXPECT_TRUE(bundled->Find("echo")->state.ok()) << "berth's own plugins do not depend on the policy, nor is it read for them";
  EXPECT_EQ(Manager({{dir_.path() / "path", PluginSource::kPluginPath}})->Find("echo")->state.message(),
            "plugin 'echo' at " + stranger.string() + ": refused, since berth cannot read its plugin policy: " + system_.string() +
                ": not valid YAML (line 2)");
}

}  // namespace
}  // namespace berth::host
