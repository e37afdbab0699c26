// The token realm rules: a registry's 401 challenge names the URL berth sends
// credentials to, so a hostile or misconfigured registry must not be able to
// point it at a private address or at plain HTTP. Every realm here is on this
// machine (127.0.0.1 on a closed port, or 0.0.0.0, which Linux routes to this
// machine), so even a broken rule sends nothing off it.
#include "authenticator.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "../http/private_address.h"
#include "berth/error.h"

namespace berth::oci {
namespace {

// A port nothing listens on: bound, read, and closed again.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

Credential Password() {
  Credential credential;
  credential.kind = Credential::Kind::kBasic;
  credential.username = "alice";
  credential.secret = SecretValue("realm-test-password-1");
  return credential;
}

// The error asking for a token gives after `registry` challenged with `realm`.
Error FetchError(const std::string& registry, const std::string& realm) {
  http::Client http;
  RegistrySettings settings;
  settings.retry.attempts = 1;
  Authenticator authenticator(registry, "https://" + registry, http, settings,
                              [](const std::string&, const std::vector<std::string>&) { return Password(); });
  http::Response challenge;
  challenge.status = 401;
  challenge.headers = {{"www-authenticate", "Bearer realm=\"" + realm + "\",service=\"test\""}};
  const std::vector<std::string> scopes = {"repository:team/app:pull"};
  try {
    EXPECT_TRUE(authenticator.OnUnauthorized(challenge, scopes));
    authenticator.Header(scopes);
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("realm-test-password-1"), std::string::npos) << e.what();
    return e;
  }
  ADD_FAILURE() << "no error";
  return Error(ErrorCode::kOk, "");
}

void ExpectRefused(const Error& error, const std::string& message) {
  EXPECT_EQ(error.code(), ErrorCode::kAuth);
  EXPECT_EQ(std::string(error.what()), message);
}

TEST(AuthenticatorTest, APublicRegistryCannotSendCredentialsToAPrivateAddress) {
  std::string realm = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/token";
  ExpectRefused(FetchError("ghcr.io", realm), "refusing token realm " + realm + ": a private address, but the registry is not");
}

TEST(AuthenticatorTest, CredentialsNeverGoToAPlainHttpRealmOffThisMachine) {
  std::string realm = "http://0.0.0.0:" + std::to_string(ClosedPort()) + "/token";
  ExpectRefused(FetchError("127.0.0.1:5000", realm), "refusing to send credentials to token realm " + realm + " over plain HTTP");
}

TEST(AuthenticatorTest, ARealmThatIsNotHttpIsRefused) {
  ExpectRefused(FetchError("127.0.0.1:5000", "file:///etc/passwd"), "token realm 'file:///etc/passwd' is not an http(s) URL");
}

TEST(AuthenticatorTest, ALoopbackRealmOfALoopbackRegistryIsAsked) {
  // Passing the rules, the request is made: it fails on the closed port, and
  // the error says the token service was tried.
  std::string realm = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/token";
  Error error = FetchError("127.0.0.1:5000", realm);
  EXPECT_NE(error.code(), ErrorCode::kAuth) << error.what();
  EXPECT_TRUE(std::string(error.what()).starts_with("GET " + realm)) << error.what();
}

// The name rules are the cheap first check: literals in every spelling, and
// names that are private by definition. Loopback is an address, not a prefix.
TEST(AuthenticatorTest, PrivateHostsInEverySpelling) {
  for (const char* host : {"[::ffff:169.254.169.254]", "[::ffff:a9fe:a9fe]:80", "[::]", "[::1]", "0.0.0.0", "LOCALHOST",
                           "LocalHost.:8080", "app.localhost", "metadata.google.internal", "Metadata.Google.Internal.",
                           "[fd00:ec2::254]", "[64:ff9b::a9fe:a9fe]", "100.64.0.1", "224.0.0.1", "[ff02::1]"}) {
    EXPECT_TRUE(Authenticator::IsPrivateHost(host)) << host;
  }
  for (const char* host : {"ghcr.io", "127.evil.example", "[::ffff:8.8.8.8]", "[2001:db8::1]"}) {
    EXPECT_FALSE(Authenticator::IsPrivateHost(host)) << host;
  }
  for (const char* host : {"127.0.0.1", "127.1.2.3:80", "[::1]:5000", "[::ffff:127.0.0.1]", "localhost"}) {
    EXPECT_TRUE(http::IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"127.evil.example", "127.0.0.1.nip.io", "10.0.0.1", "[::2]", "localhost.evil.example"}) {
    EXPECT_FALSE(http::IsLoopbackHost(host)) << host;
  }
}

// A name from /etc/hosts that maps to 127.x (not "localhost", which the name
// rule knows): resolving it reads only that file, never DNS.
std::string LoopbackNameFromEtcHosts() {
  std::ifstream hosts("/etc/hosts");
  std::string line;
  while (std::getline(hosts, line)) {
    std::istringstream words(line);
    std::string address, name;
    if (!(words >> address) || !address.starts_with("127.")) continue;
    while (words >> name) {
      if (name.starts_with('#')) break;
      if (!Authenticator::IsPrivateHost(name)) return name;
    }
  }
  return "";
}

// The guard where the connection is made: a public registry's realm is a DNS
// name that passes the name rules but resolves to a private address.
TEST(AuthenticatorTest, ARealmNameResolvingToAPrivateAddressIsRefusedWhenConnecting) {
  std::string name = LoopbackNameFromEtcHosts();
  if (name.empty()) GTEST_SKIP() << "no name in /etc/hosts maps to 127.x besides localhost";
  std::string realm = "https://" + name + ":" + std::to_string(ClosedPort()) + "/token";
  Error error = FetchError("ghcr.io", realm);
  EXPECT_NE(std::string(error.what()).find("refusing to connect to 127."), std::string::npos) << error.what();
  EXPECT_NE(std::string(error.what()).find("(SSRF guard)"), std::string::npos) << error.what();
}

}  // namespace
}  // namespace berth::oci
