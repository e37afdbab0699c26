// Signed plugin packages through the real binary: `berth plugin sign`, the
// trusted keys in the user's config, the installed-plugins record, and the
// load-time check of a recorded library. Keys come from the openssl CLI at
// test time.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "background_server.h"
#include "berth_runner.h"
#include "fixture_plugins.h"
#include "plugin_packages.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;


void MustRun(const std::vector<std::string>& argv, const fs::path& cwd = {}) {
  ProcessOptions options;
  if (!cwd.empty()) options.cwd = cwd;
  ProcessResult result = RunProcess(argv, options);
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
}

nlohmann::json FindListed(const nlohmann::json& list, const std::string& name) {
  for (const auto& item : list) {
    if (item["name"] == name) return item;
  }
  return nullptr;
}

class PluginSigningE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"alice", "mallory"}) MakePluginSigningKey(keys_, name);
    CreateDirectories(berth_.home() / "config" / "berth");
    WriteFileAtomic(config(), "trusted-plugin-keys:\n  - name: alice\n    file: " + (keys_ / "alice.pub").string() + "\n");
  }

  fs::path Key(const std::string& name) { return keys_ / (name + ".key"); }
  fs::path config() { return berth_.home() / "config" / "berth" / "config.yaml"; }
  fs::path record() { return berth_.home() / "data" / "berth" / "installed-plugins.json"; }
  fs::path installed() { return berth_.home() / "data" / "berth" / "plugins" / "echo"; }

  // A fresh copy of the echo fixture plugin, signed by `signer` unless empty.
  fs::path Package(const std::string& label, const std::string& signer) {
    fs::path dir = packages_.path() / label / "echo";
    fs::create_directories(dir.parent_path());
    fs::copy(kFixtures / "echo" / "echo", dir, fs::copy_options::recursive);
    if (!signer.empty()) {
      auto signed_package = berth_.Json({"plugin", "sign", dir.string(), "--key", Key(signer).string()});
      EXPECT_EQ(signed_package["signature"], (dir / "berth-plugin.sig").string());
    }
    return dir;
  }

  BerthRunner berth_;
  TempDir packages_{"berth-packages"};
  fs::path keys_ = packages_.path() / "keys";
};

TEST_F(PluginSigningE2eTest, SignedPackageInstallsAndIsRecorded) {
  fs::path package = Package("good", "alice");
  auto alice = nlohmann::json::parse(ReadFile(package / "berth-plugin.sig"))["key"].get<std::string>();
  // Packed as authors ship it: the signature travels inside the tarball.
  fs::path tarball = packages_.path() / "echo-1.0.0.tar.gz";
  MustRun({"tar", "-czf", tarball.string(), "-C", package.parent_path().string(), "echo"});
  auto install = berth_.Json({"plugin", "install", tarball.string()});
  EXPECT_EQ(install["signer"], alice);
  EXPECT_EQ(install["signer_name"], "alice");

  auto entries = nlohmann::json::parse(ReadFile(record()))["plugins"];
  ASSERT_EQ(entries.size(), 1u) << entries;
  EXPECT_EQ(entries[0]["name"], "echo");
  EXPECT_EQ(entries[0]["version"], "1.0.0");
  EXPECT_EQ(entries[0]["path"], installed().string());
  EXPECT_EQ(entries[0]["sha256"], Sha256FileHex(installed() / "libberth-echo.so"));
  // The manifest is installed byte for byte, so the record binds the very
  // manifest the signature covered; the signature stays beside it.
  EXPECT_EQ(ReadFile(installed() / "berth-plugin.json"), ReadFile(package / "berth-plugin.json"));
  EXPECT_EQ(entries[0]["manifest_sha256"], Sha256FileHex(package / "berth-plugin.json"));
  EXPECT_EQ(ReadFile(installed() / "berth-plugin.sig"), ReadFile(package / "berth-plugin.sig"));
  EXPECT_EQ(entries[0]["signer"], alice);
  EXPECT_EQ(entries[0]["installed_at"].get<std::string>().size(), 20u);
  struct stat info{};
  ASSERT_EQ(stat(record().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0644u);

  auto listed = FindListed(berth_.Json({"plugin", "list"}), "echo");
  EXPECT_EQ(listed["state"], "ok");
  EXPECT_EQ(listed["installed"]["signer"], alice);
  EXPECT_EQ(listed["installed"]["library"], "libberth-echo.so");
  EXPECT_EQ(listed["installed"]["manifest_sha256"], entries[0]["manifest_sha256"]);
  EXPECT_EQ(berth_.Run({"echo", "say", "hi"}).exit_code, 0);
  // Installed again in place (the way out of a refusal), it is verified again.
  EXPECT_EQ(berth_.Json({"plugin", "install", installed().string()})["signer_name"], "alice");

  EXPECT_EQ(berth_.Json({"plugin", "remove", "echo"})["name"], "echo");
  EXPECT_TRUE(nlohmann::json::parse(ReadFile(record()))["plugins"].empty()) << "remove forgets the record entry";
}

TEST_F(PluginSigningE2eTest, UnsignedIsRefusedUnlessAllowedAndThenRecordedAsUnsigned) {
  fs::path package = Package("unsigned", "");
  auto refused = berth_.Run({"plugin", "install", package.string()});
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_EQ(refused.stderr_data, "error: " + package.string() +
                                     ": the package is not signed (no berth-plugin.sig); sign it with `berth plugin sign` or "
                                     "install with --allow-unsigned\n");
  EXPECT_FALSE(fs::exists(installed()));
  EXPECT_FALSE(fs::exists(record()));

  auto allowed = berth_.Json({"plugin", "install", package.string(), "--allow-unsigned"});
  EXPECT_EQ(allowed["signer"], "unsigned");
  auto entries = nlohmann::json::parse(ReadFile(record()))["plugins"];
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["signer"], "unsigned");
  EXPECT_EQ(FindListed(berth_.Json({"plugin", "list"}), "echo")["installed"]["signer"], "unsigned");
}

TEST_F(PluginSigningE2eTest, WrongKeyAndTamperedPackagesAreRefused) {
  fs::path by_mallory = Package("mallory", "mallory");
  auto mallory = nlohmann::json::parse(ReadFile(by_mallory / "berth-plugin.sig"))["key"].get<std::string>();
  for (const std::vector<std::string>& extra : {std::vector<std::string>{}, {"--allow-unsigned"}}) {
    std::vector<std::string> args{"plugin", "install", by_mallory.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto refused = berth_.Run(args);
    EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
    EXPECT_EQ(refused.stderr_data, "error: " + by_mallory.string() + ": signed by key " + mallory +
                                       ", which is not in trusted-plugin-keys of your berth config\n");
  }

  // The manifest changed after signing (inside a tarball).
  fs::path tampered = Package("tampered", "alice");
  auto manifest = nlohmann::json::parse(ReadFile(tampered / "berth-plugin.json"));
  manifest["description"] = "now with extra features";
  WriteFileAtomic(tampered / "berth-plugin.json", manifest.dump(2));
  fs::path tarball = packages_.path() / "tampered.tar.gz";
  MustRun({"tar", "-czf", tarball.string(), "-C", tampered.parent_path().string(), "echo"});
  auto refused = berth_.Run({"plugin", "install", tarball.string(), "--allow-unsigned"});
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_EQ(refused.stderr_data,
            "error: " + tarball.string() + ": the signature by alice does not match the package (modified after signing?)\n");

  // Another library with a manifest rewritten to match it: consistent, but not what was signed.
  fs::path swapped = Package("swapped", "alice");
  fs::copy_file(kFixtures / "echo-v2" / "echo-v2" / "libberth-echo-v2.so", swapped / "libberth-echo.so", fs::copy_options::overwrite_existing);
  manifest = nlohmann::json::parse(ReadFile(swapped / "berth-plugin.json"));
  manifest["sha256"] = Sha256FileHex(swapped / "libberth-echo.so");
  WriteFileAtomic(swapped / "berth-plugin.json", manifest.dump(2));
  refused = berth_.Run({"plugin", "install", swapped.string()});
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_NE(refused.stderr_data.find("does not match the package"), std::string::npos) << refused.stderr_data;

  EXPECT_FALSE(fs::exists(installed()));
  EXPECT_FALSE(fs::exists(record()));
}

TEST_F(PluginSigningE2eTest, LibraryChangedAfterInstallIsRefusedAtLoad) {
  ASSERT_EQ(berth_.Json({"plugin", "install", Package("good", "alice").string()})["signer_name"], "alice");
  ASSERT_EQ(berth_.Run({"echo", "say", "before"}).exit_code, 0);

  // Someone changes the installed library and makes its manifest agree.
  fs::path library = installed() / "libberth-echo.so";
  std::string recorded = Sha256FileHex(library);
  std::string bytes = ReadFile(library) + "appended";
  WriteFileAtomic(library, bytes, 0755);
  auto manifest = nlohmann::json::parse(ReadFile(installed() / "berth-plugin.json"));
  manifest["sha256"] = Sha256Hex(bytes);
  WriteFileAtomic(installed() / "berth-plugin.json", manifest.dump(2));

  std::string reason = "plugin " + library.string() + ": changed since it was installed (sha256 " + Sha256Hex(bytes) + ", recorded " +
                       recorded + " in " + record().string() + "); review it, then: berth plugin install " + installed().string() +
                       " (add --allow-unsigned if it has no signature)";
  auto refused = berth_.Run({"echo", "say", "after"});
  EXPECT_EQ(refused.exit_code, 4) << Describe(refused);
  EXPECT_NE(refused.stderr_data.find(reason), std::string::npos) << refused.stderr_data;
  auto listed = FindListed(berth_.Json({"plugin", "list"}), "echo");
  EXPECT_EQ(listed["state"], "refused");
  EXPECT_EQ(listed["reason"], reason);

  // The way out verifies the package again, with the signature kept beside
  // it: a changed plugin cannot be waved through, not even with
  // --allow-unsigned.
  auto again = berth_.Run({"plugin", "install", installed().string(), "--allow-unsigned"});
  EXPECT_EQ(again.exit_code, 5) << Describe(again);
  EXPECT_EQ(again.stderr_data,
            "error: " + installed().string() + ": the signature by alice does not match the package (modified after signing?)\n");
  EXPECT_EQ(FindListed(berth_.Json({"plugin", "list"}), "echo")["reason"], reason);
}

// A plugin committed into a repository's .berth/plugins does not run just
// because someone ran berth in a clone of it.
TEST_F(PluginSigningE2eTest, ProjectPluginsLoadOnlyOnceInstalledHere) {
  WriteFileAtomic(berth_.work_dir() / "berth.yaml", "service: cloned\nimage: 127.0.0.1:1/team/cloned\n");
  fs::path shipped = berth_.work_dir() / ".berth" / "plugins" / "echo";
  fs::create_directories(shipped.parent_path());
  fs::copy(kFixtures / "echo" / "echo", shipped, fs::copy_options::recursive);

  auto listed = FindListed(berth_.Json({"plugin", "list"}), "echo");
  ASSERT_TRUE(listed.is_object()) << "echo not listed";
  EXPECT_EQ(listed["source"], "project");
  EXPECT_NE(listed["state"], "ok");
  const std::string refusal = "plugin " + shipped.string() + " came with this project and was not installed on this machine; "
                              "review it, then: berth plugin install --project " + shipped.string() +
                              " (add --allow-unsigned if it has no signature)";
  EXPECT_NE(listed.dump().find(refusal), std::string::npos) << listed.dump(2);
  ProcessResult refused = berth_.Run({"echo", "say", "hello"});
  EXPECT_EQ(refused.exit_code, 4) << Describe(refused);
  EXPECT_NE(refused.stderr_data.find(refusal), std::string::npos) << refused.stderr_data;

  // Reviewed and installed here, in place: now it runs.
  ProcessResult installed = berth_.Run({"plugin", "install", "--project", shipped.string(), "--allow-unsigned"});
  ASSERT_EQ(installed.exit_code, 0) << Describe(installed);
  EXPECT_EQ(FindListed(berth_.Json({"plugin", "list"}), "echo")["state"], "ok");
  ProcessResult ran = berth_.Run({"echo", "say", "hello"});
  EXPECT_EQ(ran.exit_code, 0) << Describe(ran);
}

// A plugin stays with its signer: an unsigned copy (even with
// --allow-unsigned) or one another trusted key signed does not replace it,
// at the same version or another, until the user says --force.
TEST_F(PluginSigningE2eTest, ASignedPluginIsNotReplacedByAnotherSignerWithoutForce) {
  WriteFileAtomic(config(), "trusted-plugin-keys:\n  - name: alice\n    file: " + (keys_ / "alice.pub").string() + "\n  - name: mallory\n    file: " +
                                (keys_ / "mallory.pub").string() + "\n");
  ASSERT_EQ(berth_.Json({"plugin", "install", Package("alice", "alice").string()})["signer_name"], "alice");
  std::string alice = nlohmann::json::parse(ReadFile(installed() / "berth-plugin.sig"))["key"];
  std::string by_alice = ReadFile(installed() / "berth-plugin.sig");

  fs::path unsigned_copy = Package("unsigned", "");
  auto refused = berth_.Run({"plugin", "install", unsigned_copy.string(), "--allow-unsigned"});
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_EQ(refused.stderr_data, "error: plugin 'echo' 1.0.0 at " + installed().string() + " was installed signed by alice (" + alice +
                                     "); this package is unsigned: use --force to replace it anyway\n");
  fs::path by_mallory = Package("mallory", "mallory");
  std::string mallory = nlohmann::json::parse(ReadFile(by_mallory / "berth-plugin.sig"))["key"];
  refused = berth_.Run({"plugin", "install", by_mallory.string()});
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_EQ(refused.stderr_data, "error: plugin 'echo' 1.0.0 at " + installed().string() + " was installed signed by alice (" + alice +
                                     "); this package is signed by mallory (" + mallory + "): use --force to replace it anyway\n");
  EXPECT_EQ(ReadFile(installed() / "berth-plugin.sig"), by_alice);
  EXPECT_EQ(nlohmann::json::parse(ReadFile(record()))["plugins"][0]["signer"], alice);

  // The same signer again is a plain reinstall; --force is the way to change hands.
  EXPECT_EQ(berth_.Json({"plugin", "install", Package("alice-again", "alice").string()})["signer_name"], "alice");
  EXPECT_EQ(berth_.Json({"plugin", "install", by_mallory.string(), "--force"})["signer_name"], "mallory");
  EXPECT_EQ(nlohmann::json::parse(ReadFile(record()))["plugins"][0]["signer"], mallory);
}

// A library built for another machine is refused at install, before
// anything is copied, with both machines named; dlopen would only have said
// "cannot open shared object file".
TEST_F(PluginSigningE2eTest, AForeignArchitectureLibraryIsRefusedBeforeAnythingIsCopied) {
  fs::path package = Package("foreign", "");
  fs::path library = package / "libberth-echo.so";
  const uint16_t foreign = MakeForeignArchitecture(package, "libberth-echo.so");
  const uint16_t aarch64 = kElfAarch64;
  berth_.Json({"plugin", "sign", package.string(), "--key", Key("alice").string()});

  auto refused = berth_.Run({"plugin", "install", package.string()});
  EXPECT_EQ(refused.exit_code, 4) << Describe(refused);
  const std::string here = foreign == aarch64 ? "x86_64" : "aarch64";
  const std::string there = foreign == aarch64 ? "aarch64" : "x86_64";
  EXPECT_EQ(refused.stderr_data, "error: plugin " + library.string() + ": built for " + there + ", but this machine runs " + here +
                                     " (install the plugin's " + here + " build)\n");
  EXPECT_FALSE(fs::exists(installed()));
  EXPECT_FALSE(fs::exists(record()));
}

// Installing a name berth already finds elsewhere would leave two plugins
// of one name, and berth refuses both: the install is refused instead.
TEST_F(PluginSigningE2eTest, ANameAlreadyOnThePluginPathIsRefusedAtInstall) {
  TempDir path_dir("berth-plugin-path");
  fs::copy(kFixtures / "echo" / "echo", path_dir.path() / "echo", fs::copy_options::recursive);
  berth_.SetEnv("BERTH_PLUGIN_PATH", path_dir.path().string());
  auto refused = berth_.Run({"plugin", "install", Package("alice", "alice").string()});
  EXPECT_EQ(refused.exit_code, 4) << Describe(refused);
  EXPECT_EQ(refused.stderr_data, "error: plugin 'echo' is also at " + (path_dir.path() / "echo").string() +
                                     " (BERTH_PLUGIN_PATH); berth refuses a plugin name found in two places, so remove that one first\n");
  EXPECT_FALSE(fs::exists(installed()));
  EXPECT_EQ(berth_.Run({"echo", "say", "hi"}).exit_code, 0) << "the plugin already there still works";
}

// A misspelt key in the user's config is not silently ignored.
TEST_F(PluginSigningE2eTest, AnUnknownKeyInTheUsersConfigIsNamedWithTheNearestKnownOne) {
  WriteFileAtomic(config(), "trusted_plugin_keys:\n  - name: alice\n    file: " + (keys_ / "alice.pub").string() + "\n");
  auto refused = berth_.Run({"plugin", "install", Package("alice", "alice").string()});
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_NE(refused.stderr_data.find("warning: " + config().string() +
                                     ":1: unknown key 'trusted_plugin_keys', ignored (did you mean 'trusted-plugin-keys'?)\n"),
            std::string::npos)
      << refused.stderr_data;
}

// A package at a URL installs only with the sha256 its publisher printed,
// streamed through the hash before anything is unpacked.
TEST_F(PluginSigningE2eTest, APackageFromAUrlInstallsOnlyWithItsSha256) {
  fs::path package = Package("good", "alice");
  TempDir served("berth-served-packages");
  MustRun({"tar", "-czf", (served.path() / "echo-1.0.0.tar.gz").string(), "-C", package.parent_path().string(), "echo"});
  const std::string sha256 = Sha256FileHex(served.path() / "echo-1.0.0.tar.gz");
  BackgroundServer server({"/usr/bin/python3", BERTH_SOURCE_DIR "/tests/interop/asap/asap_http_server.py", "--keys", served.path().string(),
                           "--exit-on-stdin-eof"});
  const std::string url = server.ready()["keys_url"].get<std::string>() + "echo-1.0.0.tar.gz";

  auto refused = berth_.Run({"plugin", "install", url});
  EXPECT_EQ(refused.exit_code, 2) << Describe(refused);
  EXPECT_EQ(refused.stderr_data, "error: " + url + ": a package from a URL needs --sha256 HEX (the 64 hex digits its publisher printed)\n");
  const std::string wrong(64, '0');
  refused = berth_.Run({"plugin", "install", url, "--sha256", wrong});
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_EQ(refused.stderr_data, "error: " + url + ": sha256 " + sha256 + ", not the " + wrong + " given with --sha256\n");
  EXPECT_FALSE(fs::exists(installed()));
  refused = berth_.Run({"plugin", "install", "http://198.51.100.7/echo.tar.gz", "--sha256", sha256});
  EXPECT_EQ(refused.exit_code, 2) << "plain http off this machine is refused before any connection: " << Describe(refused);

  auto installed_json = berth_.Json({"plugin", "install", url, "--sha256", sha256});
  EXPECT_EQ(installed_json["signer_name"], "alice");
  EXPECT_EQ(installed_json["artifact"]["url"], url);
  EXPECT_EQ(berth_.Run({"echo", "say", "hi"}).exit_code, 0);
}

}  // namespace
}  // namespace berth::testing
