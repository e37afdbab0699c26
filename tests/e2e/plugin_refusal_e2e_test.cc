// Real broken plugins, each refused with its own one-line message naming the
// file, while a good plugin beside them keeps working.
#include <gtest/gtest.h>

#include "berth/abi/berth_plugin_api.h"
#include "berth/util/fs.h"
#include "berth_runner.h"
#include "fixture_plugins.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;


fs::path Lib(const std::string& fixture, const std::string& name) {
  return kFixtures / fixture / name / ("libberth-" + name + ".so");
}

// Copies a fixture plugin folder into dir/name.
void CopyPlugin(const fs::path& from, const fs::path& dir) {
  fs::create_directories(dir);
  fs::copy(from, dir / from.filename(), fs::copy_options::recursive);
}

class PluginRefusalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    extra_ = std::make_unique<TempDir>("berth-plugins");
    // The bad-sha256 and bad-JSON cases are made here from the good echo plugin.
    CopyPlugin(kFixtures / "echo" / "echo", extra_->path() / "tampered");
    fs::rename(extra_->path() / "tampered" / "echo", extra_->path() / "tampered" / "tampered");
    auto manifest = nlohmann::json::parse(ReadFile(extra_->path() / "tampered" / "tampered" / "berth-plugin.json"));
    manifest["name"] = "tampered";
    WriteFileAtomic(extra_->path() / "tampered" / "tampered" / "berth-plugin.json", manifest.dump());
    std::string library = ReadFile(extra_->path() / "tampered" / "tampered" / "libberth-echo.so");
    library[library.size() / 2] ^= 0x5a;
    WriteFileAtomic(extra_->path() / "tampered" / "tampered" / "libberth-echo.so", library, 0755);
    WriteFileAtomic(extra_->path() / "bad-json" / "bad-json" / "berth-plugin.json", "{\"name\": \"bad-json\",\n  oops\n}");

    std::string path;
    for (const char* fixture : {"echo", "wrong-abi", "old-abi", "throwing", "crashing", "no-entry", "not-a-library"}) {
      path += (path.empty() ? "" : ":") + (kFixtures / fixture).string();
    }
    path += ":" + (extra_->path() / "tampered").string() + ":" + (extra_->path() / "bad-json").string();
    berth_.SetEnv("BERTH_PLUGIN_PATH", path);
  }

  nlohmann::json Listed(const std::string& name, bool load) {
    std::vector<std::string> args = {"plugin", "list"};
    if (load) args.push_back("--load");
    for (const auto& item : berth_.Json(args)) {
      if (item["name"] == name) return item;
    }
    ADD_FAILURE() << "plugin " << name << " not listed";
    return nullptr;
  }

  BerthRunner berth_;
  std::unique_ptr<TempDir> extra_;
};

TEST_F(PluginRefusalTest, EachBrokenPluginHasItsOwnMessage) {
  const std::string major = std::to_string(BERTH_ABI_MAJOR);
  EXPECT_EQ(Listed("wrong-abi", false)["reason"],
            "plugin " + Lib("wrong-abi", "wrong-abi").string() + ": built for plugin ABI " + std::to_string(BERTH_ABI_MAJOR + 998) +
                ", but this berth loads ABI " + major + " (the plugin needs a newer berth)");
  // A plugin of berth 0.1's C++ boundary: refused by its ABI major, with
  // what to do, never loaded.
  EXPECT_EQ(Listed("old-abi", false)["reason"],
            "plugin " + Lib("old-abi", "old-abi").string() + ": built for plugin ABI 1, but this berth loads ABI " + major +
                " (rebuild the plugin against the installed berth SDK)");
  EXPECT_EQ(Listed("no-entry", false)["reason"],
            "plugin " + Lib("no-entry", "no-entry").string() + ": no entry point 'berth_plugin_entry' (not a berth plugin)");
  EXPECT_EQ(Listed("not-a-library", false)["reason"],
            "plugin " + Lib("not-a-library", "not-a-library").string() + ": not a loadable shared library (not an ELF file)");
  auto tampered = Listed("tampered", false);
  EXPECT_EQ(tampered["state"], "refused");
  std::string reason = tampered["reason"];
  EXPECT_EQ(reason.rfind("plugin " + (extra_->path() / "tampered" / "tampered" / "libberth-echo.so").string() + ": sha256 ", 0), 0u)
      << reason;
  EXPECT_NE(reason.find(" does not match the manifest's "), std::string::npos) << reason;
  auto bad_json = Listed("bad-json", false);
  EXPECT_EQ(bad_json["reason"], "plugin manifest " + (extra_->path() / "bad-json" / "bad-json" / "berth-plugin.json").string() +
                                    ": not valid JSON (parse error at line 2, column 3: syntax error while parsing object key - "
                                    "invalid literal; last read: '\"bad-json\",<U+000A>  o'; expected string literal)");
  // A throwing registration is only seen by running it.
  EXPECT_EQ(Listed("throwing", false)["state"], "ok");
  EXPECT_EQ(Listed("throwing", true)["reason"],
            "plugin " + Lib("throwing", "throwing").string() + ": registration failed: cannot read /etc/throwing.conf");
  EXPECT_EQ(Listed("echo", true)["state"], "ok");
}

TEST_F(PluginRefusalTest, GoodPluginsKeepWorkingAndBrokenOnesFailClearly) {
  auto result = berth_.Run({"echo", "say", "hello", "world"});
  EXPECT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_NE(result.stdout_data.find("hello world"), std::string::npos);
  result = berth_.Run({"file-secrets", "where", "dev", "-o", "json"});
  EXPECT_EQ(result.exit_code, 0) << Describe(result);
  // An exception thrown inside a plugin command comes back as an error
  // naming the plugin and the command, not a crash.
  result = berth_.Run({"echo", "fail"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.stderr_data, "error: echo fail: echo failed on purpose\n");
}

TEST_F(PluginRefusalTest, ACrashInAPluginNamesThePluginAndWhatItWasDoing) {
  auto result = berth_.Run({"crashing", "segv"});
  EXPECT_EQ(result.exit_code, 4) << Describe(result);
  EXPECT_EQ(result.stdout_data, "");
  EXPECT_EQ(result.stderr_data,
            "error: plugin crashing crashed (SIGSEGV) during crashing segv; this is a bug in the plugin, not in berth\n");
  result = berth_.Run({"crashing", "abort"});
  EXPECT_EQ(result.exit_code, 4) << Describe(result);
  EXPECT_EQ(result.stderr_data,
            "error: plugin crashing crashed (SIGABRT) during crashing abort; this is a bug in the plugin, not in berth\n");
}

TEST_F(PluginRefusalTest, DuplicateNamesNameBothPaths) {
  TempDir again("berth-dup");
  CopyPlugin(kFixtures / "echo" / "echo", again.path());
  berth_.SetEnv("BERTH_PLUGIN_PATH", (kFixtures / "echo").string() + ":" + again.path().string());
  std::string message = "plugin 'echo' found twice: " + (kFixtures / "echo" / "echo" / "berth-plugin.json").string() + " and " +
                        (again.path() / "echo" / "berth-plugin.json").string();
  EXPECT_EQ(Listed("echo", false)["reason"], message);
  auto result = berth_.Run({"echo", "say", "x"});
  EXPECT_EQ(result.exit_code, 4);
  EXPECT_EQ(result.stderr_data, "error: " + message + "\n");
  // Other plugins are unaffected.
  EXPECT_EQ(berth_.Run({"file-secrets", "where", "dev"}).exit_code, 0);
}

}  // namespace
}  // namespace berth::testing
