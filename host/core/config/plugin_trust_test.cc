// Trust from the system's config files and the user's: which files, the
// keys of each, and a policy the user can tighten but never loosen. Keys
// are made by the openssl CLI when the test runs.
#include "core/config/plugin_trust.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "berth/error.h"
#include "berth/util/fs.h"
#include "signing_keys.h"

namespace berth::host {
namespace {
namespace fs = std::filesystem;

class PluginTrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(etc_);
    fs::create_directories(prefix_etc_);
    fs::create_directories(user_dir_);
    for (const char* name : {"fleet", "alice"}) berth::testing::MakePluginSigningKey(dir_.path(), name);
  }

  fs::path system() const { return etc_ / "config.yaml"; }
  fs::path prefix_system() const { return prefix_etc_ / "config.yaml"; }
  fs::path user() const { return user_dir_ / "config.yaml"; }
  TrustFiles Files() const { return TrustFiles{{system(), prefix_system()}, user()}; }
  std::string KeyEntry(const std::string& name) const {
    return "trusted-plugin-keys:\n  - name: " + name + "\n    file: " + (dir_.path() / (name + ".pub")).string() + "\n";
  }

  // The error Load throws, or "".
  std::string LoadError() const {
    try {
      (void)PluginTrust::Load(Files());
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  // What Load (and keys(), when asked) warns about.
  std::string Warnings(bool with_keys = false) const {
    ::testing::internal::CaptureStderr();
    try {
      PluginTrust trust = PluginTrust::Load(Files());
      if (with_keys) (void)trust.keys();
    } catch (const Error&) {
    }
    return ::testing::internal::GetCapturedStderr();
  }

  TempDir dir_{"berth-plugin-trust"};
  fs::path etc_ = dir_.path() / "etc" / "berth";
  fs::path prefix_etc_ = dir_.path() / "opt" / "etc" / "berth";
  fs::path user_dir_ = dir_.path() / "home" / "berth";
};

TEST_F(PluginTrustTest, TheSystemFilesAreEtcAndThePrefixOfTheExecutable) {
  EXPECT_EQ(SystemConfigFiles("/opt/berth/bin/berth"),
            (std::vector<fs::path>{"/etc/berth/config.yaml", "/opt/berth/etc/berth/config.yaml"}));
  EXPECT_EQ(SystemConfigFiles("/usr/local/bin/berth"),
            (std::vector<fs::path>{"/etc/berth/config.yaml", "/usr/local/etc/berth/config.yaml"}));
  // /usr's configuration is /etc; so is /'s; an unknown executable adds nothing.
  for (const char* executable : {"/usr/bin/berth", "/bin/berth", ""}) {
    EXPECT_EQ(SystemConfigFiles(executable), std::vector<fs::path>{"/etc/berth/config.yaml"}) << executable;
  }
  // Nothing the user sets moves them: only /proc/self/exe decides.
  ::setenv("XDG_CONFIG_HOME", dir_.path().c_str(), 1);
  TrustFiles files = TrustFilesOfThisBerth();
  ::unsetenv("XDG_CONFIG_HOME");
  EXPECT_EQ(files.system.front(), "/etc/berth/config.yaml");
  EXPECT_EQ(files.user, dir_.path() / "berth" / "config.yaml");
  for (const auto& file : files.system) EXPECT_EQ(file.string().find(dir_.path().string()), std::string::npos) << file;
}

TEST_F(PluginTrustTest, SystemKeysAreTrustedBeforeAndBesideTheUsers) {
  WriteFileAtomic(system(), KeyEntry("fleet"));
  WriteFileAtomic(user(), KeyEntry("alice") + "plugin-policy:\n  require-signatures: true\n");
  PluginTrust trust = PluginTrust::Load(Files());
  ASSERT_EQ(trust.keys().size(), 2u);
  EXPECT_EQ(trust.keys()[0].name, "fleet");
  EXPECT_EQ(trust.keys()[0].origin, system().string() + ": trusted-plugin-keys[0]");
  EXPECT_EQ(trust.keys()[1].name, "alice");
  EXPECT_EQ(trust.files(), (std::vector<fs::path>{system(), user()}));
  // The user may require signatures of their own plugins.
  EXPECT_TRUE(trust.policy().require_signatures);
  EXPECT_EQ(trust.policy().required_by, user());

  // An empty list of the user's removes nothing of the system's.
  WriteFileAtomic(user(), "trusted-plugin-keys: []\n");
  PluginTrust emptied = PluginTrust::Load(Files());
  ASSERT_EQ(emptied.keys().size(), 1u);
  EXPECT_EQ(emptied.keys()[0].name, "fleet");
  EXPECT_FALSE(emptied.policy().require_signatures);
}

TEST_F(PluginTrustTest, UserKeysOffIgnoresTheUsersKeysUnreadAndSaysSo) {
  WriteFileAtomic(prefix_system(), KeyEntry("fleet") + "plugin-policy:\n  user-keys: false\n");
  // A key entry that could not even be read fails nothing: it is not parsed.
  WriteFileAtomic(user(), KeyEntry("alice") + "  - /nonexistent/key.pub\n");
  PluginTrust trust = PluginTrust::Load(Files());
  EXPECT_FALSE(trust.policy().user_keys);
  EXPECT_EQ(trust.policy().user_keys_off_by, prefix_system());
  ASSERT_EQ(trust.keys().size(), 1u);
  EXPECT_EQ(trust.keys()[0].name, "fleet");
  EXPECT_EQ(Warnings(/*with_keys=*/true),
            "warning: " + user().string() + ": trusted-plugin-keys ignored: " + prefix_system().string() +
                " sets plugin-policy.user-keys: false, so only the system's keys are trusted\n");
}

TEST_F(PluginTrustTest, TheUserCannotLoosenTheSystemsPolicy) {
  WriteFileAtomic(system(), "plugin-policy:\n  require-signatures: true\n  user-keys: false\n");
  WriteFileAtomic(user(), "# mine\nplugin-policy:\n  require-signatures: false\n  user-keys: true\n");
  PluginTrust trust = PluginTrust::Load(Files());
  EXPECT_TRUE(trust.policy().require_signatures);
  EXPECT_EQ(trust.policy().required_by, system());
  EXPECT_FALSE(trust.policy().user_keys);
  EXPECT_EQ(Warnings(), "warning: " + user().string() + ":3: plugin-policy.require-signatures: false has no effect: " +
                            system().string() + " requires signatures, and a user's config cannot loosen the system's\n" +
                            "warning: " + user().string() + ":4: plugin-policy.user-keys: true has no effect: " +
                            system().string() + " sets it to false, and a user's config cannot loosen the system's\n");

  // Of two system files, the stricter wins too, whichever comes first.
  WriteFileAtomic(system(), "plugin-policy:\n  require-signatures: false\n");
  WriteFileAtomic(prefix_system(), "plugin-policy:\n  require-signatures: true\n");
  fs::remove(user());
  PluginTrust strictest = PluginTrust::Load(Files());
  EXPECT_TRUE(strictest.policy().require_signatures);
  EXPECT_EQ(strictest.policy().required_by, prefix_system());
  EXPECT_TRUE(strictest.policy().user_keys);
}

TEST_F(PluginTrustTest, NoFilesMeansTheUsersKeysAndNoPolicy) {
  PluginTrust trust = PluginTrust::Load(Files());
  EXPECT_FALSE(trust.policy().require_signatures);
  EXPECT_TRUE(trust.policy().user_keys);
  EXPECT_TRUE(trust.keys().empty());
  EXPECT_TRUE(trust.files().empty());
}

TEST_F(PluginTrustTest, MalformedSettingsNameTheFileLineAndField) {
  WriteFileAtomic(system(), "plugin-policy: strict\n");
  EXPECT_EQ(LoadError(), system().string() + ":1: plugin-policy must be a map (require-signatures, user-keys)");
  WriteFileAtomic(system(), "plugin-policy:\n  require-signatures: maybe\n");
  EXPECT_EQ(LoadError(), system().string() + ":2: plugin-policy.require-signatures must be true or false");
  WriteFileAtomic(system(), "plugin-policy:\n  user-keys: [no]\n");
  EXPECT_EQ(LoadError(), system().string() + ":2: plugin-policy.user-keys must be true or false");
  WriteFileAtomic(system(), "plugin-policy: [\n");
  EXPECT_EQ(LoadError(), system().string() + ": not valid YAML (line 2)");
  WriteFileAtomic(system(), "plugin-policy:\n  require-signatures: yes\n");
  EXPECT_EQ(LoadError(), "");
}

TEST_F(PluginTrustTest, ASystemFileAnyoneMayWriteToIsRefused) {
  WriteFileAtomic(system(), KeyEntry("fleet"));
  ASSERT_EQ(::chmod(system().c_str(), 0666), 0);
  EXPECT_EQ(LoadError(), system().string() + ": anyone may write to it, so berth takes no plugin trust from it (chmod o-w " +
                             system().string() + ")");
  ASSERT_EQ(::chmod(system().c_str(), 0644), 0);
  ASSERT_EQ(::chmod(etc_.c_str(), 0777), 0);
  EXPECT_EQ(LoadError(), system().string() + ": in " + etc_.string() +
                             ", which anyone may write to, so berth takes no plugin trust from it (chmod o-w " + etc_.string() + ")");
  ASSERT_EQ(::chmod(etc_.c_str(), 01777), 0);  // Sticky, as /tmp: others cannot replace the file.
  EXPECT_EQ(LoadError(), "");
  ASSERT_EQ(::chmod(etc_.c_str(), 0755), 0);
  // The user's own file is the user's business.
  WriteFileAtomic(user(), KeyEntry("alice"));
  ASSERT_EQ(::chmod(user().c_str(), 0666), 0);
  EXPECT_EQ(LoadError(), "");
}

TEST_F(PluginTrustTest, UnknownKeysGetTheNearestKnownOne) {
  WriteFileAtomic(system(), "trusted_plugin_keys: []\nplugin-policy:\n  require_signatures: true\ncredential-hosts: {}\n");
  EXPECT_EQ(Warnings(), "warning: " + system().string() +
                            ":1: unknown key 'trusted_plugin_keys', ignored (did you mean 'trusted-plugin-keys'?)\n"
                            "warning: " + system().string() +
                            ":3: unknown key 'plugin-policy.require_signatures', ignored (did you mean 'require-signatures'?)\n"
                            "warning: " + system().string() + ":4: 'credential-hosts' is read from the user's config only, ignored here\n");
  EXPECT_FALSE(PluginTrust::Load(Files()).policy().require_signatures) << "a misspelt setting sets nothing";
}

}  // namespace
}  // namespace berth::host
