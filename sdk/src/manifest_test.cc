#include "berth/manifest.h"

#include <gtest/gtest.h>

#include "berth/util/fs.h"

namespace berth {
namespace {

nlohmann::json ValidManifest() {
  return {{"schema", 2},           {"name", "demo"},      {"version", "1.0.0"},
          {"abi_major", 2},      {"abi_minor", 0},     {"library", "libberth-demo.so"},
          {"sha256", "00"},        {"provides", {{{"kind", "secret-store"}, {"name", "file"}, {"summary", "s"}}}},
          {"commands", {{{"path", "demo run"}, {"summary", "runs"}}}}};
}

TEST(ManifestTest, RoundTrips) {
  auto manifest = PluginManifest::FromJson(ValidManifest(), "m.json");
  EXPECT_EQ(manifest.name, "demo");
  ASSERT_EQ(manifest.provides.size(), 1u);
  EXPECT_EQ(manifest.provides[0].kind, ProvidedKind::kSecretStore);
  EXPECT_EQ(manifest.commands[0].path, "demo run");
  EXPECT_EQ(manifest.ToJson(), PluginManifest::FromJson(manifest.ToJson(), "m.json").ToJson());
}

TEST(ManifestTest, NamesTheFileAndTheProblem) {
  TempDir dir;
  auto file = dir.path() / "berth-plugin.json";
  WriteFileAtomic(file, "{ not json");
  try {
    PluginManifest::Load(file);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("plugin manifest " + file.string() + ": not valid JSON (parse error at line 1", 0), 0u)
        << e.what();
  }
  auto json = ValidManifest();
  json.erase("sha256");
  EXPECT_THROW(PluginManifest::FromJson(json, "m.json"), Error);
  json = ValidManifest();
  json["name"] = "Bad Name";
  EXPECT_THROW(PluginManifest::FromJson(json, "m.json"), Error);
  json = ValidManifest();
  json["library"] = "../evil.so";
  EXPECT_THROW(PluginManifest::FromJson(json, "m.json"), Error);
}

// A manifest of berth 0.1's C++ boundary says what to do, not just "unsupported".
TEST(ManifestTest, SchemaOneSaysTheBoundaryChanged) {
  auto json = ValidManifest();
  json["schema"] = 1;
  try {
    PluginManifest::FromJson(json, "m.json");
    ADD_FAILURE() << "a schema 1 manifest was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("built for berth's plugin ABI 1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("rebuild it against the installed berth SDK"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace berth

namespace berth {
namespace {

// Found by tests/fuzz/fuzz_plugin_manifest: fields of the wrong JSON type
// escaped FromJson as nlohmann exceptions, which discovery does not catch.
TEST(ManifestTest, WrongFieldTypesAreRefusalsNotJsonExceptions) {
  const std::vector<std::pair<std::string, nlohmann::json>> cases = {
      {"description", nlohmann::json::array()}, {"schema", "1"},        {"provides", 5},
      {"provides", nlohmann::json::array({7})}, {"commands", {{"a", 1}}}, {"abi_major", 4294967297},
      {"abi_minor", -1}, {"built_with", 7}};
  for (const auto& [field, value] : cases) {
    auto json = ValidManifest();
    json[field] = value;
    try {
      PluginManifest::FromJson(json, "m.json");
      ADD_FAILURE() << field << " = " << value << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kPlugin);
      EXPECT_EQ(std::string(e.what()).rfind("plugin manifest m.json: ", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace berth
