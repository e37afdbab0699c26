// A fleet's plugin policy through the real binary: berth "installed" into a
// prefix of its own (hard links of the build's files, so nothing is copied
// or built), whose etc/berth/config.yaml is the system config that installed
// berth reads. Under require-signatures its own plugins load, recognised
// from the table in its binary; anything else needs a signature by a
// trusted key, and the user's config cannot turn that off. Keys come from
// the openssl CLI at test time.
#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "berth_runner.h"
#include "fixture_plugins.h"
#include "plugin_packages.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

class PluginPolicyE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path build = BERTH_BUILD_DIR;
    Link(BERTH_BINARY, prefix() / "bin" / "berth");
    Link(fs::canonical(build / "lib" / "libberth-sdk.so.0"), prefix() / "lib" / "libberth-sdk.so.0");
    for (const auto& plugin : fs::directory_iterator(build / "lib" / "berth" / "plugins")) {
      ++bundled_;
      for (const auto& file : fs::directory_iterator(plugin.path())) {
        Link(file.path(), plugins_dir() / plugin.path().filename() / file.path().filename());
      }
    }
    for (const char* name : {"fleet", "alice"}) MakePluginSigningKey(keys_, name);
    fs::create_directories(system_config().parent_path());
    fs::create_directories(berth_.UserConfigFile().parent_path());
  }

  // A hard link, or a copy where the build and /tmp are different filesystems.
  static void Link(const fs::path& from, const fs::path& to) {
    fs::create_directories(to.parent_path());
    std::error_code error;
    fs::create_hard_link(from, to, error);
    if (error) fs::copy_file(from, to);
  }

  fs::path prefix() const { return installed_.path() / "prefix"; }
  fs::path plugins_dir() const { return prefix() / "lib" / "berth" / "plugins"; }
  fs::path system_config() const { return prefix() / "etc" / "berth" / "config.yaml"; }
  std::string KeyEntry(const std::string& name) const {
    return "trusted-plugin-keys:\n  - name: " + name + "\n    file: " + (keys_ / (name + ".pub")).string() + "\n";
  }

  // The installed berth, with the test's private HOME.
  ProcessResult RunInstalled(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {(prefix() / "bin" / "berth").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.env_set = berth_.env();
    options.cwd = berth_.work_dir();
    options.timeout = std::chrono::seconds(120);
    return RunProcess(argv, options);
  }
  nlohmann::json ListedBy(const std::string& name) const {
    ProcessResult listed = RunInstalled({"plugin", "list", "-o", "json"});
    EXPECT_EQ(listed.exit_code, 0) << Describe(listed);
    for (const auto& item : nlohmann::json::parse(listed.stdout_data)) {
      if (item["name"] == name) return item;
    }
    ADD_FAILURE() << name << " not listed";
    return nullptr;
  }

  // A copy of the echo fixture at packages/LABEL/echo, on BERTH_PLUGIN_PATH,
  // signed by `signer` unless empty.
  fs::path EchoOnThePath(const std::string& label, const std::string& signer) {
    fs::path dir = packages_.path() / label / "echo";
    fs::create_directories(dir.parent_path());
    fs::copy(kFixtures / "echo" / "echo", dir, fs::copy_options::recursive);
    if (!signer.empty()) {
      ProcessResult signed_package = RunInstalled({"plugin", "sign", dir.string(), "--key", (keys_ / (signer + ".key")).string()});
      EXPECT_EQ(signed_package.exit_code, 0) << Describe(signed_package);
    }
    berth_.SetEnv("BERTH_PLUGIN_PATH", dir.parent_path().string());
    return dir;
  }
  std::string Refusal(const fs::path& plugin, const std::string& problem) const {
    return "plugin 'echo' at " + plugin.string() + ": " + problem + "; " + system_config().string() +
           " requires every plugin but berth's own to be signed by a trusted key (plugin-policy.require-signatures)";
  }
  std::string Signer(const fs::path& plugin) const {
    return nlohmann::json::parse(ReadFile(plugin / "berth-plugin.sig"))["key"].get<std::string>();
  }

  BerthRunner berth_;
  TempDir installed_{"berth-installed"};
  TempDir packages_{"berth-policy-packages"};
  fs::path keys_ = packages_.path() / "keys";
  size_t bundled_ = 0;
};

TEST_F(PluginPolicyE2eTest, OnlyBerthsOwnAndSignedPluginsLoadUnderRequireSignatures) {
  fs::path unsigned_echo = EchoOnThePath("unsigned", "");
  ProcessResult before = RunInstalled({"echo", "say", "hi"});
  ASSERT_EQ(before.exit_code, 0) << "without a system policy an unsigned plugin loads, as before: " << Describe(before);

  WriteFileAtomic(system_config(), KeyEntry("fleet") + "plugin-policy:\n  require-signatures: true\n");
  ProcessResult listed = RunInstalled({"plugin", "list", "--load", "-o", "json"});
  ASSERT_EQ(listed.exit_code, 0) << Describe(listed);
  size_t own = 0;
  for (const auto& item : nlohmann::json::parse(listed.stdout_data)) {
    if (item["name"] == "echo") {
      EXPECT_EQ(item["state"], "refused");
      EXPECT_EQ(item["reason"], Refusal(unsigned_echo, "not signed (no berth-plugin.sig)"));
      continue;
    }
    EXPECT_EQ(item["source"], "bundled") << item;
    EXPECT_EQ(item["state"], "ok") << item;
    ++own;
  }
  EXPECT_EQ(own, bundled_) << "every plugin berth ships loads, unsigned";

  ProcessResult refused = RunInstalled({"echo", "say", "hi"});
  EXPECT_EQ(refused.exit_code, 4) << Describe(refused);
  EXPECT_EQ(refused.stderr_data, "error: " + Refusal(unsigned_echo, "not signed (no berth-plugin.sig)") + "\n");

  // Signed by the system's key, it loads (no key of the user's is involved).
  fs::path signed_echo = EchoOnThePath("fleet", "fleet");
  ProcessResult loaded = RunInstalled({"echo", "say", "hi"});
  EXPECT_EQ(loaded.exit_code, 0) << Describe(loaded);
  EXPECT_FALSE(fs::exists(berth_.UserConfigFile()));

  // Installing unsigned code would install what every run then refuses.
  ProcessResult install = RunInstalled({"plugin", "install", unsigned_echo.string(), "--allow-unsigned"});
  EXPECT_EQ(install.exit_code, 5) << Describe(install);
  EXPECT_EQ(install.stderr_data, "error: --allow-unsigned: " + system_config().string() +
                                     " requires every plugin but berth's own to be signed by a trusted key "
                                     "(plugin-policy.require-signatures)\n");
}

TEST_F(PluginPolicyE2eTest, TheUsersConfigCannotTurnItOffNorAddKeysWhenUserKeysAreOff) {
  fs::path by_alice = EchoOnThePath("alice", "alice");
  WriteFileAtomic(system_config(), KeyEntry("fleet") + "plugin-policy:\n  require-signatures: true\n  user-keys: false\n");
  WriteFileAtomic(berth_.UserConfigFile(), KeyEntry("alice") + "plugin-policy:\n  require-signatures: false\n");
  ProcessResult refused = RunInstalled({"echo", "say", "hi"});
  EXPECT_EQ(refused.exit_code, 4) << Describe(refused);
  const std::string user = berth_.UserConfigFile().string(), system = system_config().string();
  EXPECT_EQ(refused.stderr_data,
            "warning: " + user + ":5: plugin-policy.require-signatures: false has no effect: " + system +
                " requires signatures, and a user's config cannot loosen the system's\n"
                "warning: " + user + ": trusted-plugin-keys ignored: " + system +
                " sets plugin-policy.user-keys: false, so only the system's keys are trusted\n"
                "error: " + Refusal(by_alice, "signed by key " + Signer(by_alice) + ", which is not in trusted-plugin-keys of your berth config") +
                "\n");

  // With the user's keys allowed, alice's key counts; the policy still holds.
  WriteFileAtomic(system_config(), KeyEntry("fleet") + "plugin-policy:\n  require-signatures: true\n");
  ProcessResult loaded = RunInstalled({"echo", "say", "hi"});
  EXPECT_EQ(loaded.exit_code, 0) << Describe(loaded);
  EXPECT_EQ(ListedBy("echo")["state"], "ok");
  fs::path unsigned_echo = EchoOnThePath("unsigned", "");
  EXPECT_EQ(ListedBy("echo")["reason"], Refusal(unsigned_echo, "not signed (no berth-plugin.sig)"));
}

TEST_F(PluginPolicyE2eTest, APluginAddedToThePrefixIsNotBerthsOwn) {
  WriteFileAtomic(system_config(), "plugin-policy:\n  require-signatures: true\n");
  // Dropped in beside berth's own plugins, as a CI image might.
  fs::copy(kFixtures / "echo" / "echo", plugins_dir() / "echo", fs::copy_options::recursive);
  EXPECT_EQ(ListedBy("echo")["reason"], Refusal(plugins_dir() / "echo", "not signed (no berth-plugin.sig)"));
  // One of berth's own, its manifest edited (a new file, not the linked one).
  auto manifest = nlohmann::json::parse(ReadFile(plugins_dir() / "file-secrets" / "berth-plugin.json"));
  manifest["description"] = "edited where it was installed";
  WriteFileAtomic(plugins_dir() / "file-secrets" / "berth-plugin.json", manifest.dump(2));
  nlohmann::json edited = ListedBy("file-secrets");
  EXPECT_EQ(edited["state"], "refused");
  EXPECT_EQ(edited["reason"], "plugin 'file-secrets' at " + (plugins_dir() / "file-secrets").string() +
                                  ": not signed (no berth-plugin.sig); " + system_config().string() +
                                  " requires every plugin but berth's own to be signed by a trusted key "
                                  "(plugin-policy.require-signatures)");
  EXPECT_EQ(ListedBy("cosign")["state"], "ok");
}

}  // namespace
}  // namespace berth::testing
