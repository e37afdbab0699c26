#include "core/config/credential_hosts.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "berth/error.h"
#include "berth/settings.h"
#include "berth/util/fs.h"

namespace berth::host {
namespace {
namespace fs = std::filesystem;

nlohmann::json Mark(const std::string& platform, std::vector<std::string> hosts) {
  return Setting::Text("").CredentialHosts(platform, std::move(hosts)).ToJson()["x-berth-credential-hosts"];
}

class CredentialHostsTest : public ::testing::Test {
 protected:
  fs::path Config() const { return dir_.path() / "config.yaml"; }
  void WriteConfig(const std::string& yaml, mode_t mode = 0600) {
    WriteFileAtomic(Config(), yaml, mode);
    chmod(Config().c_str(), mode);  // Whatever the umask.
  }

  // "ok", or the refusal.
  std::string Check(const std::string& value, const nlohmann::json& mark = Mark("github", {"api.github.com"})) {
    CredentialHostCheck check(Config());
    return check.Refusal(mark, value).value_or("ok");
  }

  std::string ErrorOf(const std::function<void()>& body) {
    try {
      body();
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
      return error.what();
    }
    return "no error";
  }

  std::string NotAllowed(const std::string& shown, const std::string& platform = "github",
                         const std::string& defaults = "api.github.com") {
    return shown + " is not a " + platform + " host (" + defaults + ") and your berth config does not allow it, so it gets no " +
           platform + " credentials; if it is yours, add credential-hosts: {" + platform + ": [\"" + shown + "\"]} to " +
           Config().string();
  }

  TempDir dir_{"berth-credential-hosts-test"};
};

// The host is the one libcurl connects to, in any spelling of the same
// place; the port counts, and an entry without one means the default.
TEST_F(CredentialHostsTest, OnlyThePlatformsOwnHostsPassByDefault) {
  EXPECT_EQ(Check("https://api.github.com"), "ok");
  EXPECT_EQ(Check("https://API.GitHub.com./"), "ok");
  EXPECT_EQ(Check("https://api.github.com:443/api/v3?x=1"), "ok");
  EXPECT_EQ(Check("https://api.github.com:8443"), NotAllowed("api.github.com:8443"));
  EXPECT_EQ(Check("https://evil.example/api/v3"), NotAllowed("evil.example"));
  // What is before the @ is a user name, and what is after # a fragment.
  EXPECT_EQ(Check("https://api.github.com@evil.example/"), NotAllowed("evil.example"));
  EXPECT_EQ(Check("https://evil.example#@api.github.com"), NotAllowed("evil.example"));
  EXPECT_EQ(Check("https://api.github.com.evil.example"), NotAllowed("api.github.com.evil.example"));
  // This machine is no exception: another user of it may be listening.
  EXPECT_EQ(Check("http://127.0.0.1:8443/"), NotAllowed("127.0.0.1:8443"));
  EXPECT_EQ(Check("http://[::1]:8443/"), NotAllowed("[::1]:8443"));
  // A bare host[:port] (ghcr's registry) means https.
  EXPECT_EQ(Check("ghcr.io", Mark("github", {"ghcr.io"})), "ok");
  EXPECT_EQ(Check("containers.evil.example", Mark("github", {"ghcr.io"})), NotAllowed("containers.evil.example", "github", "ghcr.io"));
  EXPECT_EQ(Check("https://eu.rep.googleapis.com", Mark("google", {"*.googleapis.com"})), "ok");
  EXPECT_EQ(Check("https://googleapis.com", Mark("google", {"*.googleapis.com"})),
            NotAllowed("googleapis.com", "google", "*.googleapis.com"));
}

TEST_F(CredentialHostsTest, HttpsUnlessOnThisMachine) {
  EXPECT_EQ(Check("http://api.github.com/"),
            "'http://api.github.com/' is plain http to another machine; github credentials go only over https (plain http only "
            "to 127.0.0.1, [::1] or localhost)");
  // Loopback is an address, not a name that starts like one.
  EXPECT_EQ(Check("http://127.evil.example:8443/").rfind("'http://127.evil.example:8443/' is plain http", 0), 0u);
  EXPECT_EQ(Check("ftp://api.github.com/"), "'ftp://api.github.com/' is not an https URL, so it gets no github credentials");
  EXPECT_EQ(Check("file:///etc/passwd"), "'file:///etc/passwd' is not an https URL, so it gets no github credentials");
  EXPECT_EQ(Check(""), "'' is not an https URL, so it gets no github credentials");
  // libcurl refuses controls in a URL; the message shows none either.
  EXPECT_EQ(Check("https://evil.example/\x1b]0;x\x07"), "'https://evil.example/' is not an https URL, so it gets no github credentials");
}

// credential-hosts in the user's own file widens one platform, host by
// host (and port by port).
TEST_F(CredentialHostsTest, TheUsersConfigAllowsHostsPerPlatform) {
  WriteConfig("trusted-plugin-keys: []\ncredential-hosts:\n  github: [\"127.0.0.1:8443\", GitHub.Example.com, \"*.ghe.example\"]\n"
              "  google: []\n");
  EXPECT_EQ(Check("http://127.0.0.1:8443/api"), "ok");
  EXPECT_EQ(Check("http://127.0.0.1:8444/api"), NotAllowed("127.0.0.1:8444"));
  EXPECT_EQ(Check("https://github.example.com/api/v3"), "ok");
  EXPECT_EQ(Check("https://github.example.com:8443/api/v3"), NotAllowed("github.example.com:8443"));
  EXPECT_EQ(Check("https://api.acme.ghe.example"), "ok");
  EXPECT_EQ(Check("https://ghe.example"), NotAllowed("ghe.example"));
  // Allowed for GitHub's token is not allowed for Google's.
  EXPECT_EQ(Check("http://127.0.0.1:8443/", Mark("google", {"secretmanager.googleapis.com"})),
            NotAllowed("127.0.0.1:8443", "google", "secretmanager.googleapis.com"));
  // Still https off this machine, allowed or not.
  WriteConfig("credential-hosts:\n  github: [github.example.com:80]\n");
  EXPECT_EQ(Check("http://github.example.com/").rfind("'http://github.example.com/' is plain http to another machine", 0), 0u);

  EXPECT_TRUE(CredentialHostMatches("[::1]:8443", "[::1]", 8443, 80));
  EXPECT_FALSE(CredentialHostMatches("[::1]", "[::1]", 8443, 80));
  EXPECT_TRUE(CredentialHostMatches("localhost", "localhost", 80, 80));
  EXPECT_FALSE(CredentialHostMatches("*.example.com", "example.com", 443, 443));
}

TEST_F(CredentialHostsTest, TheUsersConfigIsReadOnlyWhenNeededAndMustBeTheirs) {
  // Nothing to check beyond the defaults: the file is not read at all.
  WriteConfig("credential-hosts: [oops\n");
  EXPECT_EQ(Check("https://api.github.com"), "ok");
  EXPECT_EQ(ErrorOf([&] { Check("https://evil.example"); }), Config().string() + ": not valid YAML (line 2)");

  EXPECT_TRUE(ReadCredentialHosts(dir_.path() / "absent.yaml").empty());
  WriteConfig("trusted-plugin-keys: []\n", 0666);  // No credential-hosts: nothing to trust in it.
  EXPECT_TRUE(ReadCredentialHosts(Config()).empty());
  WriteConfig("credential-hosts:\n  github: [github.example.com]\n", 0620);
  EXPECT_EQ(ErrorOf([&] { ReadCredentialHosts(Config()); }),
            Config().string() + ": lists credential-hosts but is not a file of yours that only you may write, so berth allows "
                                "none of them (chmod go-w " + Config().string() + ")");

  const std::string how = " (credential-hosts: {github: [github.example.com, \"127.0.0.1:8443\"]})";
  WriteConfig("credential-hosts: [github.example.com]\n");
  EXPECT_EQ(ErrorOf([&] { ReadCredentialHosts(Config()); }),
            Config().string() + ": credential-hosts must map platforms to lists of hosts" + how);
  WriteConfig("credential-hosts:\n  github: github.example.com\n");
  EXPECT_EQ(ErrorOf([&] { ReadCredentialHosts(Config()); }),
            Config().string() + ": credential-hosts.github: must be a list of hosts" + how);
  for (const std::string bad : {"https://github.example.com", "github.example.com/api", "*", "a:99999", "[::1", ""}) {
    WriteConfig("credential-hosts:\n  github: [ok.example, \"" + bad + "\"]\n");
    EXPECT_EQ(ErrorOf([&] { ReadCredentialHosts(Config()); }),
              Config().string() + ": credential-hosts.github[1]: '" + bad + "' is not a host, host:port or *.domain");
  }
  WriteConfig("credential-hosts:\n  github: [GitHub.Example.com, \"[::1]:8443\"]\n  google: []\n");
  auto allowed = ReadCredentialHosts(Config());
  EXPECT_EQ(allowed["github"], (std::vector<std::string>{"github.example.com", "[::1]:8443"}));
  EXPECT_TRUE(allowed["google"].empty());
}

// A mark berth cannot read keeps the value out rather than letting it by.
TEST_F(CredentialHostsTest, AMalformedMarkRefuses) {
  EXPECT_EQ(Check("https://api.github.com", nlohmann::json{{"platform", "github"}}),
            "its plugin marks it as getting a platform's credentials, but not in a form berth reads (x-berth-credential-hosts)");
  EXPECT_NE(Check("https://api.github.com", nlohmann::json("github")), "ok");
}

}  // namespace
}  // namespace berth::host
