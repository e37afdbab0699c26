// Plugins as OCI artifacts against the real docker-registry: `berth plugin
// publish` (a variant per platform, one of them a deliberately foreign
// architecture, each signature also stored as a referrer), skopeo reading the
// result as OCI, `berth plugin install` by tag and by digest, the refusals (no
// variant for this machine, a signer nobody trusts, no signature), signatures
// added after publishing (`berth plugin sign REF`), and a mirror made with
// `berth copy`.
#include <gtest/gtest.h>

#include <sstream>

#include "berth/util/base64.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "berth_runner.h"
#include "fixture_plugins.h"
#include "plugin_packages.h"
#include "test_peer.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;


// This machine's platform, as berth's variants name it.
std::string Platform() {
#if defined(__aarch64__)
  return "linux/arm64";
#else
  return "linux/amd64";
#endif
}

class PluginArtifactE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"alice", "mallory"}) MakePluginSigningKey(keys_, name);
    CreateDirectories(berth_.home() / "config" / "berth");
    WriteFileAtomic(berth_.home() / "config" / "berth" / "config.yaml",
                    "trusted-plugin-keys:\n  - name: alice\n    file: " + (keys_ / "alice.pub").string() + "\n");
    registry_ = StartRegistry("token");
    host_ = registry_->host();
    password_ = registry_->ready()["users"]["alice"].get<std::string>();
    ProcessResult login = berth_.Run({"login", host_, "-u", "alice", "--password-stdin", "--plain-http", host_}, password_);
    ASSERT_EQ(login.exit_code, 0) << Describe(login);
  }

  fs::path Key(const std::string& name) { return keys_ / (name + ".key"); }
  fs::path installed() { return berth_.home() / "data" / "berth" / "plugins" / "echo"; }

  // A copy of the echo fixture, signed by `signer` unless empty; `foreign`
  // rewrites its library's ELF machine to the other 64-bit architecture.
  fs::path Package(const std::string& label, const std::string& signer, bool foreign = false, bool musl = false) {
    fs::path dir = packages_.path() / label / "echo";
    fs::create_directories(dir.parent_path());
    fs::copy(kFixtures / "echo" / "echo", dir, fs::copy_options::recursive);
    if (foreign) MakeForeignArchitecture(dir, "libberth-echo.so");
    if (musl) MakeMuslLinked(dir, "libberth-echo.so");
    if (!signer.empty()) berth_.Json({"plugin", "sign", dir.string(), "--key", Key(signer).string()});
    return dir;
  }
  // The echo fixture relabelled as `version`, signed by alice.
  fs::path Version(const std::string& version) {
    fs::path dir = Package("v" + version, "");
    auto manifest = nlohmann::json::parse(ReadFile(dir / "berth-plugin.json"));
    manifest["version"] = version;
    WriteFileAtomic(dir / "berth-plugin.json", manifest.dump(2));
    berth_.Json({"plugin", "sign", dir.string(), "--key", Key("alice").string()});
    return dir;
  }
  std::vector<std::string> Plain(std::vector<std::string> args) {
    args.insert(args.end(), {"--plain-http", host_});
    return args;
  }
  // What an independent client reads at `ref` (tag or digest), byte for byte.
  std::string SkopeoRaw(const std::string& ref) {
    ProcessOptions quiet;
    quiet.env_set = {{"REGISTRY_AUTH_FILE", (packages_.path() / "no-auth.json").string()}};
    ProcessResult raw = RunProcess({"skopeo", "inspect", "--raw", "--tls-verify=false", "--creds", "alice:" + password_, "docker://" + ref}, quiet);
    EXPECT_EQ(raw.exit_code, 0) << Describe(raw);
    return raw.stdout_data;
  }
  // "sha256:" + the hex sha256 of the public key's DER, as berth names keys.
  std::string Fingerprint(const std::string& name) {
    std::string base64, line;
    std::istringstream pem(ReadFile(keys_ / (name + ".pub")));
    while (std::getline(pem, line)) {
      if (!line.empty() && line.front() != '-') base64 += line;
    }
    return "sha256:" + Sha256Hex(Base64Decode(base64).value_or(""));
  }

  BerthRunner berth_;
  TempDir packages_{"berth-plugin-artifacts"};
  fs::path keys_ = packages_.path() / "keys";
  std::unique_ptr<TestPeer> registry_;
  std::string host_, password_;
};

TEST_F(PluginArtifactE2eTest, PublishedForTwoPlatformsInstallsThisMachinesVariantByTagAndByDigest) {
  const std::string here = Platform();
  const std::string there = here == "linux/amd64" ? "linux/arm64" : "linux/amd64";
  const std::string ref = host_ + "/plugins/echo:1.0.0";
  auto published = berth_.Json(Plain({"plugin", "publish", Package("native", "alice").string(), Package("foreign", "alice", true).string(), ref}));
  EXPECT_EQ(published["action"], "published");
  EXPECT_EQ(published["name"], "echo");
  EXPECT_EQ(published["platforms"], nlohmann::json::array({here, there}));
  const std::string digest = published["digest"];

  // An independent client reads it as an OCI index of berth plugin variants.
  const std::string raw = SkopeoRaw(ref);
  EXPECT_EQ("sha256:" + Sha256Hex(raw), digest);
  auto index = nlohmann::json::parse(raw);
  EXPECT_EQ(index["mediaType"], "application/vnd.oci.image.index.v1+json");
  EXPECT_EQ(index["artifactType"], "application/vnd.berth.plugin.v1");
  ASSERT_EQ(index["manifests"].size(), 2u);
  EXPECT_EQ(index["manifests"][1]["platform"]["architecture"], there.substr(6));
  EXPECT_EQ(index["manifests"][0]["annotations"]["dev.berth.plugin.abi-major"], "2");
  EXPECT_EQ(index["manifests"][0]["annotations"]["dev.berth.plugin.libc"], "glibc");

  // Each variant's signature is also stored beside it, as an OCI referrer
  // listed under the fallback tag (docker-registry has no referrers API).
  ASSERT_EQ(published["signatures"].size(), 2u) << published.dump();
  const std::string variant = index["manifests"][0]["digest"];
  const nlohmann::json& stored = published["signatures"][0];
  EXPECT_EQ(stored["variant"], variant);
  EXPECT_EQ(stored["platform"], here);
  EXPECT_EQ(stored["tag"], "sha256-" + variant.substr(7));
  auto referrers = nlohmann::json::parse(SkopeoRaw(host_ + "/plugins/echo:sha256-" + variant.substr(7)));
  ASSERT_EQ(referrers["manifests"].size(), 1u) << referrers.dump();
  EXPECT_EQ(referrers["manifests"][0]["digest"], stored["referrer"]);
  EXPECT_EQ(referrers["manifests"][0]["artifactType"], "application/vnd.berth.plugin.signature.v1");
  auto referrer = nlohmann::json::parse(SkopeoRaw(host_ + "/plugins/echo@" + stored["referrer"].get<std::string>()));
  EXPECT_EQ(referrer["artifactType"], "application/vnd.berth.plugin.signature.v1");
  EXPECT_EQ(referrer["subject"]["digest"], variant);
  EXPECT_EQ(referrer["config"]["mediaType"], "application/vnd.oci.empty.v1+json");
  ASSERT_EQ(referrer["layers"].size(), 1u);
  EXPECT_EQ(referrer["layers"][0]["digest"], "sha256:" + Sha256Hex(ReadFile(packages_.path() / "native" / "echo" / "berth-plugin.sig")));

  auto installed_json = berth_.Json(Plain({"plugin", "install", "oci://" + ref}));
  EXPECT_EQ(installed_json["signer_name"], "alice");
  EXPECT_EQ(installed_json["artifact"]["digest"], digest);
  EXPECT_EQ(installed_json["artifact"]["platform"], here);
  ProcessResult said = berth_.Run({"echo", "say", "from", "a", "registry"});
  EXPECT_EQ(said.exit_code, 0) << Describe(said);
  EXPECT_NE(said.stdout_data.find("from a registry"), std::string::npos) << said.stdout_data;
  EXPECT_EQ(ReadFile(installed() / "libberth-echo.so"), ReadFile(kFixtures / "echo" / "echo" / "libberth-echo.so"));

  berth_.Json({"plugin", "remove", "echo"});
  auto by_digest = berth_.Json(Plain({"plugin", "install", host_ + "/plugins/echo@" + digest}));
  EXPECT_EQ(by_digest["artifact"]["digest"], digest);
  EXPECT_EQ(berth_.Run({"echo", "say", "again"}).exit_code, 0);

  // A mirror made with berth copy installs the same bytes.
  auto mirror = StartRegistry("plain");
  auto copied = berth_.Json(Plain({"copy", ref, mirror->host() + "/mirror/echo:1.0.0", "--plain-http", mirror->host()}));
  EXPECT_EQ(copied["digest"], digest);
  EXPECT_EQ(copied["signatures"].size(), 2u) << copied.dump();  // Both variants' signature referrers.
  berth_.Json({"plugin", "remove", "echo"});
  auto from_mirror = berth_.Json({"plugin", "install", "oci://" + mirror->host() + "/mirror/echo:1.0.0", "--plain-http", mirror->host()});
  EXPECT_EQ(from_mirror["artifact"]["digest"], digest);
  EXPECT_EQ(from_mirror["signer_name"], "alice");
}

TEST_F(PluginArtifactE2eTest, RefusesAForeignOnlyArtifactAnUntrustedSignerAndNoSignatureBeforeInstalling) {
  const std::string here = Platform();
  const std::string there = here == "linux/amd64" ? "linux/arm64" : "linux/amd64";
  berth_.Json(Plain({"plugin", "publish", Package("foreign", "alice", true).string(), host_ + "/plugins/echo-foreign:1.0.0"}));
  auto refused = berth_.Run(Plain({"plugin", "install", "oci://" + host_ + "/plugins/echo-foreign:1.0.0"}));
  EXPECT_EQ(refused.exit_code, 4) << Describe(refused);
  EXPECT_EQ(refused.stderr_data, "error: " + host_ + "/plugins/echo-foreign:1.0.0: no variant for this machine, which needs " + here +
                                     " glibc (ABI 2); the artifact offers " + there + " glibc (ABI 2)\n");
  // The right machine, the wrong C library.
  berth_.Json(Plain({"plugin", "publish", Package("musl", "alice", false, true).string(), host_ + "/plugins/echo-musl:1.0.0"}));
  refused = berth_.Run(Plain({"plugin", "install", "oci://" + host_ + "/plugins/echo-musl:1.0.0"}));
  EXPECT_EQ(refused.exit_code, 4) << Describe(refused);
  EXPECT_EQ(refused.stderr_data, "error: " + host_ + "/plugins/echo-musl:1.0.0: no variant for this machine, which needs " + here +
                                     " glibc (ABI 2); the artifact offers " + here + " musl (ABI 2)\n");

  berth_.Json(Plain({"plugin", "publish", Package("mallory", "mallory").string(), host_ + "/plugins/echo-mallory:1.0.0"}));
  refused = berth_.Run(Plain({"plugin", "install", "oci://" + host_ + "/plugins/echo-mallory:1.0.0"}));
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_NE(refused.stderr_data.find("which is not in trusted-plugin-keys of your berth config"), std::string::npos) << refused.stderr_data;

  fs::path unsigned_copy = Package("unsigned", "");
  refused = berth_.Run(Plain({"plugin", "publish", unsigned_copy.string(), host_ + "/plugins/echo-unsigned:1.0.0"}));
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_EQ(refused.stderr_data, "error: " + unsigned_copy.string() +
                                     ": not signed (no berth-plugin.sig); sign it with `berth plugin sign` or publish with --allow-unsigned\n");
  berth_.Json(Plain({"plugin", "publish", unsigned_copy.string(), host_ + "/plugins/echo-unsigned:1.0.0", "--allow-unsigned"}));
  refused = berth_.Run(Plain({"plugin", "install", "oci://" + host_ + "/plugins/echo-unsigned:1.0.0"}));
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_NE(refused.stderr_data.find(": the package is not signed (no berth-plugin.sig)"), std::string::npos) << refused.stderr_data;

  // An image is not a plugin.
  berth_.Json(Plain({"plugin", "publish", Package("native", "alice").string(), host_ + "/plugins/echo:1.0.0"}));
  refused = berth_.Run(Plain({"plugin", "install", "oci://" + host_ + "/plugins/nothing:1.0.0"}));
  EXPECT_EQ(refused.exit_code, 6) << Describe(refused);
  EXPECT_FALSE(fs::exists(installed()));
  EXPECT_FALSE(fs::exists(berth_.home() / "data" / "berth" / "installed-plugins.json"));
}

// berth.yaml lists the plugins a project needs; `plugin lock` pins each to
// its artifact digest and signer; a teammate with a fresh HOME is told to
// sync, and `plugin sync` installs exactly what is pinned, even after the
// tag moved, and only from the pinned signer.
TEST_F(PluginArtifactE2eTest, ALockedPluginSetSyncsOnAFreshHomeExactlyAsPinned) {
  const std::string ref = host_ + "/plugins/echo:1.0.0";
  const std::string digest = berth_.Json(Plain({"plugin", "publish", Package("native", "alice").string(), ref}))["digest"];
  const std::string yaml = "service: locked\nimage: " + host_ + "/team/locked\nplugins:\n  - name: echo\n    source: oci://" + ref + "\n";
  WriteFileAtomic(berth_.work_dir() / "berth.yaml", yaml);

  auto untrusted = berth_.Run(Plain({"plugin", "lock"}));
  EXPECT_EQ(untrusted.exit_code, 3) << Describe(untrusted);
  EXPECT_NE(untrusted.stderr_data.find("plugins.echo names a plugin to install"), std::string::npos) << untrusted.stderr_data;
  ASSERT_EQ(berth_.Run({"trust"}).exit_code, 0);
  auto locked = berth_.Json(Plain({"plugin", "lock"}));
  EXPECT_EQ(locked["plugins"][0]["digest"], digest);
  EXPECT_EQ(locked["plugins"][0]["signer_name"], "alice");
  const std::string lock = ReadFile(berth_.work_dir() / ".berth" / "plugins.lock");

  // The tag moves to another build; the lock still means the first one.
  fs::path rebuilt = Package("rebuilt", "");
  auto manifest = nlohmann::json::parse(ReadFile(rebuilt / "berth-plugin.json"));
  manifest["description"] = "rebuilt under the same tag";
  WriteFileAtomic(rebuilt / "berth-plugin.json", manifest.dump(2));
  berth_.Json({"plugin", "sign", rebuilt.string(), "--key", Key("alice").string()});
  EXPECT_NE(berth_.Json(Plain({"plugin", "publish", rebuilt.string(), ref}))["digest"], digest);

  // A teammate: a fresh HOME, the project as committed, alice trusted.
  BerthRunner teammate;
  WriteFileAtomic(teammate.work_dir() / "berth.yaml", yaml);
  WriteFileAtomic(teammate.work_dir() / ".berth" / "plugins.lock", lock);
  CreateDirectories(teammate.home() / "config" / "berth");
  WriteFileAtomic(teammate.home() / "config" / "berth" / "config.yaml",
                  "trusted-plugin-keys:\n  - name: alice\n    file: " + (keys_ / "alice.pub").string() + "\n");
  ASSERT_EQ(teammate.Run({"login", host_, "-u", "alice", "--password-stdin", "--plain-http", host_}, password_).exit_code, 0);
  auto missing = teammate.Run({"echo", "say", "hi"});
  EXPECT_EQ(missing.exit_code, 2) << Describe(missing);
  EXPECT_NE(missing.stderr_data.find("; .berth/plugins.lock names plugins not installed here (echo): run berth plugin sync"),
            std::string::npos)
      << missing.stderr_data;
  ASSERT_EQ(teammate.Run({"trust"}).exit_code, 0);
  auto synced = teammate.Json(Plain({"plugin", "sync"}));
  EXPECT_EQ(synced[0]["action"], "installed");
  EXPECT_EQ(teammate.Json({"plugin", "info", "echo"})["description"], "Test fixture: echoes its argument") << "the locked build, not the tag's";
  EXPECT_EQ(teammate.Run({"echo", "say", "hi"}).exit_code, 0);
  EXPECT_EQ(teammate.Json(Plain({"plugin", "sync"}))[0]["action"], "up to date");

  // Only the pinned signer: a teammate who trusts another key gets nothing.
  WriteFileAtomic(teammate.home() / "config" / "berth" / "config.yaml",
                  "trusted-plugin-keys:\n  - name: mallory\n    file: " + (keys_ / "mallory.pub").string() + "\n");
  fs::remove_all(teammate.work_dir() / ".berth" / "plugins");
  auto refused = teammate.Run(Plain({"plugin", "sync"}));
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_NE(refused.stderr_data.find("pins 'echo' to the signer alice (sha256:"), std::string::npos) << refused.stderr_data;
  EXPECT_FALSE(fs::exists(teammate.work_dir() / ".berth" / "plugins" / "echo"));

  // berth.yaml and the lock disagree: nothing is installed until it is locked again.
  WriteFileAtomic(teammate.work_dir() / "berth.yaml", yaml + "  - name: other\n    source: oci://" + host_ + "/plugins/other:1.0.0\n");
  ASSERT_EQ(teammate.Run({"trust"}).exit_code, 0);
  auto stale = teammate.Run(Plain({"plugin", "sync"}));
  EXPECT_EQ(stale.exit_code, 3) << Describe(stale);
  EXPECT_NE(stale.stderr_data.find("plugins.lock does not pin plugin 'other' as berth.yaml lists it; run berth plugin lock"), std::string::npos)
      << stale.stderr_data;
}

// A team's index, signed and published to the registry: search, install
// by name, upgrade to what the index adds later, a pinned version left
// alone, and the index refused when another key signs it, when an older
// one is served again, or when it is neither signed nor pinned.
TEST_F(PluginArtifactE2eTest, AnIndexInstallsAndUpgradesByNameAndIsRefusedWhenItsIntegrityFails) {
  for (const char* version : {"1.0.0", "2.0.0"}) {
    berth_.Json(Plain({"plugin", "publish", Version(version).string(), host_ + "/plugins/echo:" + version}));
  }
  const std::string file = (packages_.path() / "index.json").string(), index_ref = host_ + "/plugins/index:latest";
  auto build = [&](const std::string& version) {
    auto built = berth_.Json(Plain({"plugin", "index", "build", file, host_ + "/plugins/echo:" + version}));
    berth_.Json({"plugin", "index", "sign", file, "--key", Key("alice").string()});
    auto published = berth_.Json(Plain({"plugin", "index", "publish", file, index_ref}));
    EXPECT_TRUE(published["signed"].get<bool>());
    return built;
  };
  EXPECT_EQ(build("1.0.0")["serial"], 1);
  const std::string first_index = ReadFile(file), first_signature = ReadFile(file + ".sig");

  // The same signed index served over http (plain http only from this machine), its signature at URL.sig.
  {
    TestPeer web("tests/interop/asap/asap_http_server.py", {"--keys", packages_.path().string()});
    const std::string url = web.ready()["keys_url"].get<std::string>() + "index.json";
    auto from_web = berth_.Json({"plugin", "index", "add", "web", url});
    EXPECT_EQ(from_web["signer_name"], "alice");
    EXPECT_EQ(from_web["source"], url);
    berth_.Json({"plugin", "index", "remove", "web"});
  }

  auto added = berth_.Json(Plain({"plugin", "index", "add", "acme", "oci://" + index_ref}));
  EXPECT_EQ(added["signer_name"], "alice");
  EXPECT_EQ(added["plugins"], 1);
  auto found = berth_.Json({"plugin", "search", "ECH"});
  ASSERT_EQ(found.size(), 1u) << found;
  EXPECT_EQ(found[0]["latest"], "1.0.0");
  EXPECT_EQ(found[0]["description"], "Test fixture: echoes its argument");

  auto installed_json = berth_.Json(Plain({"plugin", "install", "echo"}));
  EXPECT_EQ(installed_json["version"], "1.0.0");
  EXPECT_EQ(installed_json["artifact"]["index"], "acme");
  EXPECT_EQ(berth_.Run({"echo", "say", "indexed"}).exit_code, 0);
  EXPECT_EQ(berth_.Json(Plain({"plugin", "upgrade"}))[0]["action"], "up to date");

  // The publisher adds 2.0.0: upgrade fetches the index again and moves to it.
  EXPECT_EQ(build("2.0.0")["serial"], 2);
  EXPECT_EQ(berth_.Json(Plain({"plugin", "upgrade", "--dry-run"}))[0]["action"], "would upgrade");
  EXPECT_EQ(berth_.Json({"plugin", "search", "echo"})[0]["latest"], "1.0.0") << "--dry-run keeps the stored index";
  EXPECT_EQ(berth_.Json({"plugin", "info", "echo"})["version"], "1.0.0");
  auto upgraded = berth_.Json(Plain({"plugin", "upgrade", "echo"}));
  EXPECT_EQ(upgraded[0]["action"], "upgraded");
  EXPECT_EQ(upgraded[0]["latest"], "2.0.0");
  EXPECT_EQ(berth_.Json({"plugin", "info", "echo"})["installed"]["index"], "acme");
  EXPECT_EQ(berth_.Json({"plugin", "info", "echo"})["version"], "2.0.0");

  // A version asked for stays.
  EXPECT_EQ(berth_.Json(Plain({"plugin", "install", "acme/echo@1.0.0", "--force"}))["pinned_version"], "1.0.0");
  EXPECT_EQ(berth_.Json(Plain({"plugin", "upgrade"}))[0]["action"], "pinned");
  auto missing = berth_.Run(Plain({"plugin", "install", "echo@9.9.9"}));
  EXPECT_EQ(missing.exit_code, 6) << Describe(missing);
  EXPECT_EQ(missing.stderr_data, "error: acme has no echo 9.9.9; it lists 2.0.0 (ABI 2), 1.0.0 (ABI 2)\n");

  // The index signed by a key nobody trusts, then an old signed one replayed: both refused, the verified copy kept.
  berth_.Json({"plugin", "index", "sign", file, "--key", Key("mallory").string()});
  berth_.Json(Plain({"plugin", "index", "publish", file, index_ref}));
  auto refused = berth_.Run(Plain({"plugin", "index", "update"}));
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_NE(refused.stderr_data.find("which is not in trusted-plugin-keys"), std::string::npos) << refused.stderr_data;
  WriteFileAtomic(file, first_index);
  WriteFileAtomic(file + ".sig", first_signature);
  berth_.Json(Plain({"plugin", "index", "publish", file, index_ref}));
  refused = berth_.Run(Plain({"plugin", "index", "update", "acme"}));
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_NE(refused.stderr_data.find("acme: oci://" + index_ref + " offers serial 1, older than the serial 2 already verified"), std::string::npos)
      << refused.stderr_data;
  EXPECT_EQ(berth_.Json({"plugin", "search", "echo"})[0]["latest"], "2.0.0");

  // Neither signed nor pinned is refused; pinned by its sha256 it is accepted, and then held to it.
  fs::remove(file + ".sig");
  refused = berth_.Run({"plugin", "index", "add", "local", file});
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_EQ(refused.stderr_data, "error: " + file + ": the plugin index is not signed (no " + file +
                                     ".sig) and not pinned: add it with --sha256 HEX or by a @sha256: reference, or have its "
                                     "publisher sign it (berth plugin index sign)\n");
  auto pinned = berth_.Json({"plugin", "index", "add", "local", file, "--sha256", Sha256Hex(first_index)});
  EXPECT_TRUE(pinned["pinned"].get<bool>());
  auto ambiguous = berth_.Run({"plugin", "install", "echo"});
  EXPECT_EQ(ambiguous.exit_code, 2) << Describe(ambiguous);
  EXPECT_EQ(ambiguous.stderr_data, "error: plugin 'echo' is in the indexes acme and local: name one, as local/echo\n");
  WriteFileAtomic(file, first_index + " ");
  refused = berth_.Run({"plugin", "index", "update", "local"});
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_NE(refused.stderr_data.find(": the plugin index has sha256 "), std::string::npos) << refused.stderr_data;
}

// A platform team counter-signs a vendor's published plugin without
// rebuilding it, and signs an unsigned one after the fact: each signature is
// a referrer beside the variant, installs trust it alone, and `berth copy`
// carries it to a mirror, from which the same lock syncs.
TEST_F(PluginArtifactE2eTest, SignaturesAddedAfterPublishingInstallAndTravelToAMirror) {
  const std::string ref = host_ + "/plugins/echo:1.0.0";
  auto published = berth_.Json(Plain({"plugin", "publish", Package("vendor", "mallory").string(), ref}));
  auto refused = berth_.Run(Plain({"plugin", "install", "oci://" + ref}));
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);

  // alice (the only key this user trusts) signs what was published.
  auto countersigned = berth_.Json(Plain({"plugin", "sign", "oci://" + ref, "--key", Key("alice").string()}));
  const std::string alice = Fingerprint("alice");
  EXPECT_EQ(countersigned["digest"], published["digest"]);
  EXPECT_EQ(countersigned["key"], alice);
  ASSERT_EQ(countersigned["signatures"].size(), 1u) << countersigned.dump();
  const std::string variant = countersigned["signatures"][0]["variant"];
  const std::string referrer = countersigned["signatures"][0]["referrer"];
  EXPECT_EQ(countersigned["signatures"][0]["tag"], "sha256-" + variant.substr(7));
  // The fallback index keeps the publisher's entry beside the new one.
  auto listed = nlohmann::json::parse(SkopeoRaw(host_ + "/plugins/echo:sha256-" + variant.substr(7)));
  ASSERT_EQ(listed["manifests"].size(), 2u) << listed.dump();
  EXPECT_EQ(listed["manifests"][0]["digest"], published["signatures"][0]["referrer"]);
  EXPECT_EQ(listed["manifests"][1]["digest"], referrer);
  EXPECT_EQ(listed["manifests"][1]["annotations"]["dev.berth.plugin.signer"], alice);

  auto installed_json = berth_.Json(Plain({"plugin", "install", "oci://" + ref}));
  EXPECT_EQ(installed_json["signer_name"], "alice");
  EXPECT_EQ(installed_json["signature"], nlohmann::json({{"in", "referrer"}, {"digest", referrer}}));
  EXPECT_EQ(nlohmann::json::parse(ReadFile(installed() / "berth-plugin.sig"))["key"], alice);  // Verifies again in place.
  EXPECT_EQ(berth_.Run({"echo", "say", "countersigned"}).exit_code, 0);

  // Published unsigned, signed later: it installs without --allow-unsigned.
  const std::string unsigned_ref = host_ + "/plugins/echo-unsigned:1.0.0";
  berth_.Json(Plain({"plugin", "publish", Package("unsigned", "").string(), unsigned_ref, "--allow-unsigned"}));
  refused = berth_.Run(Plain({"plugin", "install", "oci://" + unsigned_ref}));
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_EQ(refused.stderr_data, "error: " + unsigned_ref +
                                     ": the package is not signed (no berth-plugin.sig); sign it with `berth plugin sign` or install with --allow-unsigned\n");
  berth_.Json(Plain({"plugin", "sign", unsigned_ref, "--key", Key("alice").string()}));
  auto signed_later = berth_.Json(Plain({"plugin", "install", "oci://" + unsigned_ref}));
  EXPECT_EQ(signed_later["signer_name"], "alice");
  EXPECT_EQ(signed_later["signature"]["in"], "referrer");

  // Neither key trusted: one line naming the artifact and both signers.
  WriteFileAtomic(berth_.UserConfigFile(), "trusted-plugin-keys: []\n");
  refused = berth_.Run(Plain({"plugin", "install", "oci://" + ref, "--force"}));
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_EQ(refused.stderr_data, "error: " + ref + ": none of its 2 signatures verifies with a trusted key: in the package, signed by key " +
                                     Fingerprint("mallory") + ", which is not in trusted-plugin-keys of your berth config; in referrer " +
                                     referrer.substr(0, 23) + "…, signed by key " + alice +
                                     ", which is not in trusted-plugin-keys of your berth config\n");
  WriteFileAtomic(berth_.UserConfigFile(), "trusted-plugin-keys:\n  - name: alice\n    file: " + (keys_ / "alice.pub").string() + "\n");

  // A mirror gets the referrers (blobs it already has are not sent again).
  auto mirror = StartRegistry("plain");
  const std::string mirrored = mirror->host() + "/mirror/echo:1.0.0";
  auto copied = berth_.Json(Plain({"copy", ref, mirrored, "--plain-http", mirror->host()}));
  ASSERT_EQ(copied["signatures"].size(), 2u) << copied.dump();
  EXPECT_EQ(copied["signatures"][1]["digest"], referrer);
  EXPECT_EQ(copied["signatures"][1]["subject"], variant);
  EXPECT_EQ(copied["signatures"][1]["tag"], "sha256-" + variant.substr(7));
  const std::string registry_log = mirror->ready()["log_file"];
  auto uploads = [&] {
    std::string text = ReadFile(registry_log);
    size_t count = 0;
    for (size_t at = text.find("POST /v2/mirror/echo/blobs/uploads/"); at != std::string::npos;
         at = text.find("POST /v2/mirror/echo/blobs/uploads/", at + 1)) {
      ++count;
    }
    return count;
  };
  const size_t uploads_before = uploads();
  EXPECT_GT(uploads_before, 0u);
  EXPECT_EQ(berth_.Json(Plain({"copy", ref, mirrored, "--plain-http", mirror->host()}))["signatures"].size(), 2u);
  EXPECT_EQ(uploads(), uploads_before);
  auto mirror_listed = nlohmann::json::parse(
      berth_.Run({"inspect", "--raw", mirror->host() + "/mirror/echo:sha256-" + variant.substr(7), "--plain-http", mirror->host()}).stdout_data);
  EXPECT_EQ(mirror_listed["manifests"].size(), 2u) << mirror_listed.dump();  // Copied twice, listed once.

  // The project locks alice, who signed only beside the package; a CI runner
  // that reaches only the mirror syncs the same lock from there.
  const std::string yaml = "service: locked\nimage: " + host_ + "/team/locked\nplugins:\n  - name: echo\n    source: oci://" + ref + "\n";
  WriteFileAtomic(berth_.work_dir() / "berth.yaml", yaml);
  ASSERT_EQ(berth_.Run({"trust"}).exit_code, 0);
  EXPECT_EQ(berth_.Json(Plain({"plugin", "lock"}))["plugins"][0]["signer"], alice);
  BerthRunner runner;
  WriteFileAtomic(runner.work_dir() / "berth.yaml", yaml);
  WriteFileAtomic(runner.work_dir() / ".berth" / "plugins.lock", ReadFile(berth_.work_dir() / ".berth" / "plugins.lock"));
  WriteFileAtomic(runner.UserConfigFile(), "trusted-plugin-keys:\n  - name: alice\n    file: " + (keys_ / "alice.pub").string() + "\n");
  ASSERT_EQ(runner.Run({"trust"}).exit_code, 0);
  auto synced = runner.Json({"plugin", "sync", "--mirror", host_ + "/plugins=" + mirror->host() + "/mirror", "--plain-http", mirror->host()});
  EXPECT_EQ(synced[0]["action"], "installed");
  EXPECT_EQ(synced[0]["from"], mirror->host() + "/mirror/echo");
  EXPECT_EQ(runner.Json({"plugin", "info", "echo"})["installed"]["signer"], alice);
}

// A registry with the referrers API (docker-registry behind a proxy that
// adds it, tests/peers/registry/referrers_proxy.py) indexes the signatures
// itself: no fallback tag is written, and `berth copy` reads them from the
// API and lists them under the fallback tag of a registry without one.
TEST_F(PluginArtifactE2eTest, ARegistryWithTheReferrersApiListsTheSignaturesItself) {
  auto plain = StartRegistry("plain");
  TestPeer api("referrers_proxy.py", {"--upstream", plain->host()});
  const std::string ref = api.host() + "/plugins/echo:1.0.0";
  auto published = berth_.Json({"plugin", "publish", Package("vendor", "mallory").string(), ref, "--plain-http", api.host()});
  ASSERT_EQ(published["signatures"].size(), 1u) << published.dump();
  EXPECT_EQ(published["signatures"][0]["tag"], nullptr);
  auto countersigned = berth_.Json({"plugin", "sign", ref, "--key", Key("alice").string(), "--plain-http", api.host()});
  EXPECT_EQ(countersigned["signatures"][0]["tag"], nullptr);
  const std::string variant = countersigned["signatures"][0]["variant"];
  EXPECT_EQ(berth_.Json({"tags", plain->host() + "/plugins/echo", "--plain-http", plain->host()}), nlohmann::json::array({"1.0.0"}));
  EXPECT_EQ(TestPeer::GetJson(api.ready()["stats_url"])["referrers"]["plugins/echo@" + variant], 2);

  auto installed_json = berth_.Json({"plugin", "install", "oci://" + ref, "--plain-http", api.host()});
  EXPECT_EQ(installed_json["signer_name"], "alice");
  EXPECT_EQ(installed_json["signature"]["digest"], countersigned["signatures"][0]["referrer"]);

  auto copied = berth_.Json({"copy", ref, plain->host() + "/mirror/echo:1.0.0", "--plain-http", api.host(), "--plain-http", plain->host()});
  ASSERT_EQ(copied["signatures"].size(), 2u) << copied.dump();
  EXPECT_EQ(copied["signatures"][1]["tag"], "sha256-" + variant.substr(7));
  auto listed = nlohmann::json::parse(
      berth_.Run({"inspect", "--raw", plain->host() + "/mirror/echo:sha256-" + variant.substr(7), "--plain-http", plain->host()}).stdout_data);
  EXPECT_EQ(listed["manifests"].size(), 2u) << listed.dump();
}

// The same flow over TLS with basic auth: the registry's CA from
// registries.yaml, a login, publish, and install by tag.
TEST_F(PluginArtifactE2eTest, PublishesAndInstallsOverTlsWithBasicAuth) {
  auto tls = StartRegistry("tls-basic");
  WriteFileAtomic(berth_.home() / "config" / "berth" / "registries.yaml",
                  "registries:\n  \"" + tls->host() + "\":\n    ca-file: " + tls->ready()["ca_file"].get<std::string>() + "\n");
  const std::string ref = tls->host() + "/plugins/echo:1.0.0";
  const std::string package = Package("native", "alice").string();
  auto anonymous = berth_.Run({"plugin", "publish", package, ref});
  EXPECT_EQ(anonymous.exit_code, 7) << Describe(anonymous);
  ProcessResult login = berth_.Run({"login", tls->host(), "-u", "alice", "--password-stdin"}, tls->ready()["users"]["alice"].get<std::string>());
  ASSERT_EQ(login.exit_code, 0) << Describe(login);
  const std::string digest = berth_.Json({"plugin", "publish", package, ref})["digest"];
  auto installed_json = berth_.Json({"plugin", "install", "oci://" + ref});
  EXPECT_EQ(installed_json["artifact"]["digest"], digest);
  EXPECT_EQ(installed_json["signer_name"], "alice");
  EXPECT_EQ(berth_.Run({"echo", "say", "over tls"}).exit_code, 0);
}

// A registry (or anything between) that changes the plugin's bytes: the
// digest check refuses it and nothing is installed.
TEST_F(PluginArtifactE2eTest, ATamperedPackageIsRefusedAndNothingIsInstalled) {
  auto plain = StartRegistry("plain");
  const std::string ref = plain->host() + "/plugins/echo:1.0.0";
  berth_.Json({"plugin", "publish", Package("native", "alice").string(), ref, "--plain-http", plain->host()});
  TestPeer proxy("tamper_proxy.py", {"--upstream", plain->host(), "--tamper", "blob"});
  auto refused = berth_.Run({"plugin", "install", "oci://" + proxy.host() + "/plugins/echo:1.0.0", "--plain-http", proxy.host()});
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_NE(refused.stderr_data.find("digest mismatch for"), std::string::npos) << refused.stderr_data;
  EXPECT_GE(TestPeer::GetJson(proxy.ready()["stats_url"].get<std::string>())["tampered"]["blob"].get<int>(), 1);
  EXPECT_FALSE(fs::exists(installed()));
  EXPECT_FALSE(fs::exists(berth_.home() / "data" / "berth" / "installed-plugins.json"));
  // The same artifact straight from the registry installs.
  EXPECT_EQ(berth_.Json({"plugin", "install", "oci://" + ref, "--plain-http", plain->host()})["signer_name"], "alice");
}

}  // namespace
}  // namespace berth::testing
