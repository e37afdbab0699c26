// A plugin that came with a repository, reviewed and installed on this
// machine, then changed by a `git pull`: a new library the manifest now
// points at, an edited manifest, a replaced library. Each is refused by
// `plugin list`, `plugin info --load` and the plugin's own command, with one
// line naming what changed and how to install it again, and the new
// library's code never runs: evil-echo (tests/plugin_fixtures) leaves a
// marker file from a constructor the moment it is mapped
// (docs/security.md, "A malicious plugin package").
#include <gtest/gtest.h>

#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "berth_runner.h"
#include "fixture_plugins.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

const fs::path kEvilLibrary = kFixtures / "evil-echo" / "evil-echo" / "libberth-evil-echo.so";

class HostilePluginE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    berth_.SetEnv("BERTH_EVIL_MARKER", marker_.string());
    fs::create_directories(upstream_);
    Git(upstream_, {"init", "-q", "-b", "main"});
    WriteFileAtomic(upstream_ / "berth.yaml", "service: cloned\nimage: 127.0.0.1:1/team/cloned\n");
    fs::create_directories(upstream_ / ".berth" / "plugins");
    fs::copy(kFixtures / "echo" / "echo", upstream_ / ".berth" / "plugins" / "echo", fs::copy_options::recursive);
    Commit("a project that brings its own plugin");

    // The user clones it, reviews the plugin and installs it here, in place.
    Git(berth_.work_dir(), {"clone", "-q", upstream_.string(), "."});
    ProcessResult installed = berth_.Run({"plugin", "install", "--project", shipped_.string(), "--allow-unsigned"});
    ASSERT_EQ(installed.exit_code, 0) << Describe(installed);
    ASSERT_EQ(Listed()["state"], "ok");
    ProcessResult ran = berth_.Run({"echo", "say", "reviewed"});
    ASSERT_EQ(ran.exit_code, 0) << Describe(ran);
    // Installing in place leaves the checkout as it was (the manifest is
    // installed byte for byte), so the next pull applies cleanly.
    EXPECT_EQ(GitOutput(berth_.work_dir(), {"status", "--porcelain"}), "");
    installed_manifest_sha256_ = Sha256FileHex(shipped_ / "berth-plugin.json");
  }

  void Git(const fs::path& dir, const std::vector<std::string>& args) const { (void)GitOutput(dir, args); }
  std::string GitOutput(const fs::path& dir, const std::vector<std::string>& args) const {
    ProcessOptions options;
    options.cwd = dir;
    options.env_set = {{"GIT_AUTHOR_NAME", "t"}, {"GIT_AUTHOR_EMAIL", "t@example.invalid"}, {"GIT_COMMITTER_NAME", "t"},
                       {"GIT_COMMITTER_EMAIL", "t@example.invalid"}, {"HOME", berth_.home().string()}};
    std::vector<std::string> argv = {"git"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessResult result = RunProcess(argv, options);
    EXPECT_EQ(result.exit_code, 0) << "git " << ::testing::PrintToString(args) << ": " << result.stderr_data;
    return result.stdout_data;
  }
  void Commit(const std::string& message) {
    Git(upstream_, {"add", "-A"});
    Git(upstream_, {"commit", "-q", "-m", message});
  }
  // Someone commits upstream; the user pulls.
  void Pull(const std::string& message) {
    Commit(message);
    Git(berth_.work_dir(), {"pull", "-q", "--ff-only"});
  }

  fs::path UpstreamPlugin() const { return upstream_ / ".berth" / "plugins" / "echo"; }
  nlohmann::json UpstreamManifest() const { return nlohmann::json::parse(ReadFile(UpstreamPlugin() / "berth-plugin.json")); }
  void WriteUpstreamManifest(const nlohmann::json& manifest) const {
    WriteFileAtomic(UpstreamPlugin() / "berth-plugin.json", manifest.dump(2) + "\n");
  }

  nlohmann::json Listed(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"plugin", "list"};
    args.insert(args.end(), extra.begin(), extra.end());
    for (const auto& item : berth_.Json(args)) {
      if (item["name"] == "echo") return item;
    }
    ADD_FAILURE() << "echo is not listed";
    return nullptr;
  }

  std::string WayOut() const {
    return "review it, then: berth plugin install --project " + shipped_.string() + " (add --allow-unsigned if it has no signature)";
  }

  // Every way a user meets the plugin says why it is refused, and none maps
  // what the pull brought.
  void ExpectRefusedAndNeverRun(const std::string& reason) {
    nlohmann::json listed = Listed();
    EXPECT_EQ(listed["state"], "refused");
    EXPECT_EQ(listed["reason"], reason);
    EXPECT_EQ(Listed({"--load"})["reason"], reason);

    ProcessResult info = berth_.Run({"plugin", "info", "echo", "--load", "-o", "json"});
    EXPECT_EQ(info.exit_code, 4) << Describe(info);
    nlohmann::json described = nlohmann::json::parse(info.stdout_data, nullptr, false);
    EXPECT_EQ(described.is_object() ? described["reason"] : nlohmann::json(), reason) << Describe(info);

    ProcessResult ran = berth_.Run({"echo", "say", "pulled"});
    EXPECT_EQ(ran.exit_code, 4) << Describe(ran);
    EXPECT_EQ(ran.stdout_data, "");
    EXPECT_EQ(ran.stderr_data, "error: " + reason + "\n");
    EXPECT_FALSE(fs::exists(marker_)) << "the pulled library's code ran";
  }

  BerthRunner berth_;
  fs::path upstream_ = berth_.home() / "upstream";
  fs::path shipped_ = berth_.work_dir() / ".berth" / "plugins" / "echo";
  fs::path record_ = berth_.home() / "data" / "berth" / "installed-plugins.json";
  fs::path marker_ = berth_.home() / "evil-echo-ran";
  std::string installed_manifest_sha256_;
};

// The finding of issue 14: a commit adds libevil.so and points the manifest
// at it, a consistent manifest with the new library's sha256. The record
// named the old library, which had not changed, and the manifest check and
// dlopen used the new one: `plugin list` said ok and `info --load` ran it.
TEST_F(HostilePluginE2eTest, AManifestRepointedAtANewLibraryIsRefusedAndItNeverRuns) {
  fs::copy_file(kEvilLibrary, UpstreamPlugin() / kEvilLibrary.filename());
  nlohmann::json manifest = UpstreamManifest();
  manifest["library"] = kEvilLibrary.filename().string();
  manifest["sha256"] = Sha256FileHex(kEvilLibrary);
  WriteUpstreamManifest(manifest);
  Pull("echo: faster");

  ExpectRefusedAndNeverRun("plugin " + shipped_.string() + ": its manifest names the library libberth-evil-echo.so, not the "
                           "libberth-echo.so that was installed (" + record_.string() + "); " + WayOut());

  // The way out is the user's own decision; once taken, the new library is
  // what runs (and the marker shows the fixture would have been noticed).
  ProcessResult reinstalled = berth_.Run({"plugin", "install", "--project", shipped_.string(), "--allow-unsigned"});
  ASSERT_EQ(reinstalled.exit_code, 0) << Describe(reinstalled);
  EXPECT_EQ(Listed()["state"], "ok");
  ProcessResult ran = berth_.Run({"echo", "say", "reinstalled"});
  EXPECT_EQ(ran.exit_code, 0) << Describe(ran);
  EXPECT_TRUE(fs::exists(marker_));
}

// An edit to the manifest alone (here its description; as well its
// commands, or the settings its schema marks as needing project trust).
TEST_F(HostilePluginE2eTest, AnEditedManifestIsRefused) {
  nlohmann::json manifest = UpstreamManifest();
  manifest["description"] = "echoes, now with telemetry";
  WriteUpstreamManifest(manifest);
  Pull("echo: describe it better");

  ExpectRefusedAndNeverRun("plugin " + (shipped_ / "berth-plugin.json").string() + ": changed since it was installed (sha256 " +
                           Sha256FileHex(shipped_ / "berth-plugin.json") + ", recorded " + installed_manifest_sha256_ + " in " +
                           record_.string() + "); " + WayOut());
}

// The library itself replaced, first alone (the manifest check would catch
// that too), then with the manifest's sha256 made to agree: only the record
// knows what was installed.
TEST_F(HostilePluginE2eTest, AReplacedLibraryIsRefusedAndItNeverRuns) {
  const std::string installed = Sha256FileHex(shipped_ / "libberth-echo.so");
  const std::string reason = "plugin " + (shipped_ / "libberth-echo.so").string() + ": changed since it was installed (sha256 " +
                             Sha256FileHex(kEvilLibrary) + ", recorded " + installed + " in " + record_.string() + "); " + WayOut();
  fs::copy_file(kEvilLibrary, UpstreamPlugin() / "libberth-echo.so", fs::copy_options::overwrite_existing);
  Pull("echo: rebuilt");
  ExpectRefusedAndNeverRun(reason);

  nlohmann::json manifest = UpstreamManifest();
  manifest["sha256"] = Sha256FileHex(kEvilLibrary);
  WriteUpstreamManifest(manifest);
  Pull("echo: manifest for the rebuild");
  ExpectRefusedAndNeverRun(reason);
}

}  // namespace
}  // namespace berth::testing
