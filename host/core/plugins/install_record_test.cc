// The installed-plugins record: one entry per plugin directory, and the
// check that refuses a recorded plugin whose manifest or library is not what
// was installed (docs/security-plugins.md).
#include "core/plugins/install_record.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "berth/util/digest.h"
#include "berth/util/fs.h"

namespace berth::host {
namespace {
namespace fs = std::filesystem;

constexpr char kWayOut[] = "review it, then: berth plugin install DIR";

class InstallRecordTest : public ::testing::Test {
 protected:
  void SetUp() override { CreateDirectories(plugin_); }

  InstalledPlugin Entry(const std::string& version) const {
    return {.name = "demo",
            .version = version,
            .path = plugin_,
            .library = "libdemo.so",
            .sha256 = Sha256Hex("library bytes"),
            .manifest_sha256 = Sha256Hex("manifest bytes"),
            .signer = "unsigned",
            .signer_name = "",
            .installed_at = "2026-01-01T00:00:00Z"};
  }

  // The plugin as installed; each test changes one thing.
  PluginFilesNow AsInstalled() {
    return {.manifest_sha256 = Sha256Hex("manifest bytes"), .library = "libdemo.so", .library_sha256 = [this] {
              ++library_reads_;
              return library_sha256_;
            }};
  }

  Status Check(const PluginFilesNow& now) const { return InstallRecord::Read(record_).Check(plugin_, now, kWayOut); }

  TempDir dir_{"berth-install-record"};
  fs::path record_ = dir_.path() / "installed-plugins.json";
  fs::path plugin_ = dir_.path() / "plugins" / "demo";
  std::string library_sha256_ = Sha256Hex("library bytes");
  int library_reads_ = 0;
};

TEST_F(InstallRecordTest, AddsReplacesAndForgetsOneEntryPerDirectory) {
  EXPECT_TRUE(Check(AsInstalled()).ok()) << "not installed by berth: nothing to compare";
  RecordInstall(Entry("1.0.0"), record_);
  RecordInstall(Entry("1.0.1"), record_);
  auto found = InstallRecord::Read(record_).Find(plugin_);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->version, "1.0.1");
  EXPECT_EQ(found->manifest_sha256, Sha256Hex("manifest bytes"));
  nlohmann::json json = nlohmann::json::parse(ReadFile(record_));
  EXPECT_EQ(json["schema"], 2);
  ASSERT_EQ(json["plugins"].size(), 1u);
  EXPECT_EQ(json["plugins"][0]["manifest_sha256"], Sha256Hex("manifest bytes"));
  EXPECT_EQ(json["plugins"][0]["library"], "libdemo.so");
  EXPECT_EQ(json["plugins"][0]["sha256"], Sha256Hex("library bytes"));
  EXPECT_EQ(json["plugins"][0]["signer"], "unsigned");
  EXPECT_EQ(fs::status(record_).permissions() & fs::perms::all, fs::perms(0644));
  EXPECT_TRUE(Check(AsInstalled()).ok());
  // Discovery may name the directory through a symlink; it is the same plugin.
  fs::create_directory_symlink(dir_.path() / "plugins", dir_.path() / "linked");
  ASSERT_TRUE(InstallRecord::Read(record_).Find(dir_.path() / "linked" / "demo"));

  ForgetInstall(plugin_, record_);
  EXPECT_FALSE(InstallRecord::Read(record_).Find(plugin_));
  library_sha256_ = Sha256Hex("other bytes");
  EXPECT_TRUE(Check(AsInstalled()).ok());
}

// A `git pull` that adds libevil.so and points the manifest at it: refused
// by name, before the new library is read at all.
TEST_F(InstallRecordTest, AManifestNamingAnotherLibraryIsRefusedUnread) {
  RecordInstall(Entry("1.0.0"), record_);
  PluginFilesNow now = AsInstalled();
  now.library = "libevil.so";
  now.manifest_sha256 = Sha256Hex("manifest pointing at libevil.so");
  library_sha256_ = Sha256Hex("evil bytes");
  Status refused = Check(now);
  EXPECT_EQ(refused.code(), ErrorCode::kPlugin);
  EXPECT_EQ(refused.message(), "plugin " + plugin_.string() +
                                   ": its manifest names the library libevil.so, not the libdemo.so that was installed (" +
                                   record_.string() + "); " + kWayOut);
  EXPECT_EQ(library_reads_, 0);
}

TEST_F(InstallRecordTest, AChangedLibraryIsRefused) {
  RecordInstall(Entry("1.0.0"), record_);
  library_sha256_ = Sha256Hex("other bytes");
  Status refused = Check(AsInstalled());
  EXPECT_EQ(refused.code(), ErrorCode::kPlugin);
  EXPECT_EQ(refused.message(), "plugin " + (plugin_ / "libdemo.so").string() + ": changed since it was installed (sha256 " +
                                   Sha256Hex("other bytes") + ", recorded " + Sha256Hex("library bytes") + " in " +
                                   record_.string() + "); " + kWayOut);
  // Also when the manifest was edited to agree with it: the library is named.
  PluginFilesNow both = AsInstalled();
  both.manifest_sha256 = Sha256Hex("manifest declaring the other bytes");
  EXPECT_EQ(Check(both).message(), refused.message());
}

TEST_F(InstallRecordTest, AChangedManifestIsRefused) {
  RecordInstall(Entry("1.0.0"), record_);
  PluginFilesNow now = AsInstalled();
  now.manifest_sha256 = Sha256Hex("manifest with another description");
  Status refused = Check(now);
  EXPECT_EQ(refused.code(), ErrorCode::kPlugin);
  EXPECT_EQ(refused.message(), "plugin " + (plugin_ / "berth-plugin.json").string() + ": changed since it was installed (sha256 " +
                                   Sha256Hex("manifest with another description") + ", recorded " +
                                   Sha256Hex("manifest bytes") + " in " + record_.string() + "); " + kWayOut);
}

TEST_F(InstallRecordTest, AMissingLibraryIsRefused) {
  RecordInstall(Entry("1.0.0"), record_);
  PluginFilesNow now = AsInstalled();
  now.library_sha256 = []() -> std::string { throw Error(ErrorCode::kInvalidInput, "cannot read it"); };
  EXPECT_EQ(Check(now).message(), "plugin " + (plugin_ / "libdemo.so").string() +
                                      ": library is missing or unreadable (recorded in " + record_.string() + "); " + kWayOut);
}

// Entries berth wrote before it recorded the manifest bind only the library:
// such a plugin is refused until installed again, since its manifest (which
// also declares which settings need project trust) could have changed.
TEST_F(InstallRecordTest, AnEntryOfAnEarlierBerthMustBeInstalledAgain) {
  WriteFileAtomic(record_, R"({"schema": 1, "plugins": [{"name": "demo", "version": "1.0.0", "path": ")" + plugin_.string() +
                               R"(", "library": "libdemo.so", "sha256": ")" + Sha256Hex("library bytes") +
                               R"(", "signer": "unsigned", "signer_name": "", "installed_at": "2025-01-01T00:00:00Z"}]})");
  Status refused = Check(AsInstalled());
  EXPECT_EQ(refused.code(), ErrorCode::kPlugin);
  EXPECT_EQ(refused.message(), "plugin " + plugin_.string() + ": installed by an earlier berth, whose record (" + record_.string() +
                                   ") does not bind its manifest; " + kWayOut);
  // Installing again writes a whole entry, and the record's schema.
  RecordInstall(Entry("1.0.0"), record_);
  EXPECT_TRUE(Check(AsInstalled()).ok());
  EXPECT_EQ(nlohmann::json::parse(ReadFile(record_))["schema"], 2);
}

}  // namespace
}  // namespace berth::host
