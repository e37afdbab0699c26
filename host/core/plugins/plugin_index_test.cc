#include "core/plugins/plugin_index.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "berth/error.h"

namespace berth::host {
namespace {

const std::string kDigest = "@sha256:" + std::string(64, 'a');

std::string Document(const nlohmann::json& versions, const std::string& name = "echo") {
  return nlohmann::json{{"schema", "berth.plugin-index.v1"},
                        {"serial", 3},
                        {"plugins", {{{"name", name}, {"description", "says things"}, {"versions", versions}}}}}
      .dump();
}

std::string ErrorOf(const std::string& bytes) {
  try {
    ParsePluginIndex(bytes, "index.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(PluginIndexTest, ParsesPluginsVersionsAndSerial) {
  PluginIndexDocument index = ParsePluginIndex(
      Document({{{"version", "1.0.0"}, {"artifact", "r.example/p/echo:1.0.0" + kDigest}, {"abi_majors", {2}}}}), "index.json");
  EXPECT_EQ(index.serial, 3);
  ASSERT_NE(index.Find("echo"), nullptr);
  EXPECT_EQ(index.Find("echo")->description, "says things");
  EXPECT_EQ(index.Find("echo")->versions[0].abi_majors, std::vector<int>{2});
  EXPECT_EQ(index.Find("other"), nullptr);
}

TEST(PluginIndexTest, RefusesWhatCannotBeTrustedOrUsedNamingTheField) {
  EXPECT_EQ(ErrorOf("[]"), "index.json: not JSON (a berth plugin index)");
  EXPECT_EQ(ErrorOf(R"({"schema": "other"})"), "index.json: 'schema' is not berth.plugin-index.v1");
  // A tag can be moved under a signed index.
  EXPECT_EQ(ErrorOf(Document({{{"version", "1.0.0"}, {"artifact", "r.example/p/echo:1.0.0"}}})),
            "index.json: plugins[0].versions[0]: 'artifact' r.example/p/echo:1.0.0 has no @sha256: digest");
  EXPECT_EQ(ErrorOf(Document({{{"artifact", "r.example/p/echo" + kDigest}}})), "index.json: plugins[0].versions[0]: 'version' is missing");
  EXPECT_EQ(ErrorOf(Document({{{"version", "1.0.0"}, {"artifact", "r.example/p/echo" + kDigest}},
                              {{"version", "1.0.0"}, {"artifact", "r.example/p/echo" + kDigest}}})),
            "index.json: plugins[0]: version 1.0.0 is listed twice");
  EXPECT_EQ(ErrorOf(Document(nlohmann::json::array(), "../evil")), "index.json: plugins[0]: '../evil' is not a plugin name");
  EXPECT_EQ(ErrorOf(Document({{{"version", "1.0.0"}, {"artifact", "r.example/p/echo" + kDigest}, {"abi_majors", "2"}}})),
            "index.json: plugins[0].versions[0]: 'abi_majors' must be a list of numbers");
}

TEST(PluginIndexTest, NewestIsTheHighestReleaseThisAbiLoads) {
  IndexedPlugin plugin{"echo", "", {{"1.9.0", "a", {2}}, {"1.10.0", "b", {2}}, {"2.0.0-rc.1", "c", {2}}, {"3.0.0", "d", {3}}, {"0.5.0", "e", {}}}};
  ASSERT_NE(NewestVersion(plugin, 2), nullptr);
  EXPECT_EQ(NewestVersion(plugin, 2)->version, "1.10.0");
  EXPECT_EQ(NewestVersion(plugin, 3)->version, "3.0.0");
  EXPECT_EQ(NewestVersion(plugin, 4)->version, "0.5.0") << "a version that does not say its ABI may be tried";
  EXPECT_EQ(FindVersion(plugin, "2.0.0-rc.1")->artifact, "c");
  EXPECT_EQ(FindVersion(plugin, "9.9.9"), nullptr);
}

TEST(PluginIndexTest, SerializesStablyAndReadsBack) {
  PluginIndexDocument index;
  index.serial = 4;
  index.FindOrAdd("zeta").versions = {{"1.0.0", "r.example/z" + kDigest, {}}};
  index.FindOrAdd("alpha").versions = {{"1.0.0", "r.example/a" + kDigest, {2}}, {"1.10.0", "r.example/a" + kDigest, {2}}};
  std::string bytes = SerializePluginIndex(index);
  PluginIndexDocument read = ParsePluginIndex(bytes, "built");
  EXPECT_EQ(read.plugins[0].name, "alpha");
  EXPECT_EQ(read.plugins[0].versions[0].version, "1.10.0");
  EXPECT_EQ(SerializePluginIndex(read), bytes);
}

TEST(PluginIndexTest, AnIndexStatementIsNotAPackageStatement) {
  EXPECT_EQ(PluginIndexStatement("{}").rfind("berth-plugin-index-signature/v1\n", 0), 0u);
  EXPECT_NE(PluginIndexStatement("{}"), PluginIndexStatement("{} "));
}

}  // namespace
}  // namespace berth::host
