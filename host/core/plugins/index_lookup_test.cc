// Looking plugins up in the stored indexes, and the store keeping what was
// verified: a stored copy that changed since is refused.
#include "core/plugins/index_lookup.h"

#include <gtest/gtest.h>

#include "berth/error.h"
#include "berth/util/fs.h"

namespace berth::host {
namespace {
namespace fs = std::filesystem;

const std::string kPin = "@sha256:" + std::string(64, 'b');

std::string Index(const std::string& plugin, const std::vector<std::string>& versions) {
  PluginIndexDocument index;
  for (const std::string& version : versions) index.FindOrAdd(plugin).versions.push_back({version, "r.example/" + plugin + kPin, {2}});
  return SerializePluginIndex(index);
}

class IndexLookupTest : public ::testing::Test {
 protected:
  IndexStore Store() { return IndexStore::Read(dir_.path() / "plugin-indexes.json"); }
  void Add(const std::string& name, const std::string& document) {
    IndexStore store = Store();
    store.Put({.name = name, .source = "/srv/" + name + ".json", .pin = "", .signer = "sha256:k", .signer_name = "k"}, document);
  }
  std::string ErrorOf(const std::string& spec) {
    try {
      ResolveIndexEntry(Store(), *ParseIndexSpec(spec), 2);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }

  TempDir dir_{"berth-index-lookup"};
};

TEST_F(IndexLookupTest, ParsesIndexNameAndVersion) {
  auto spec = ParseIndexSpec("acme/echo@1.2.0-rc.1");
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->index, "acme");
  EXPECT_EQ(spec->name, "echo");
  EXPECT_EQ(spec->version, "1.2.0-rc.1");
  EXPECT_EQ(ParseIndexSpec("echo")->index, "");
  for (const char* other : {"./echo", "a/b/c", "echo@", "ECHO", "r.example:5000/p/echo", "/abs/path"}) {
    EXPECT_FALSE(ParseIndexSpec(other)) << other;
  }
}

TEST_F(IndexLookupTest, FindsTheNewestOrTheVersionAskedFor) {
  Add("acme", Index("echo", {"1.0.0", "1.2.0"}));
  EXPECT_EQ(ResolveIndexEntry(Store(), *ParseIndexSpec("echo"), 2).version.version, "1.2.0");
  IndexEntry pinned = ResolveIndexEntry(Store(), *ParseIndexSpec("acme/echo@1.0.0"), 2);
  EXPECT_EQ(pinned.version.version, "1.0.0");
  EXPECT_EQ(pinned.index.name, "acme");
}

TEST_F(IndexLookupTest, SaysWhatIsMissingInOneLine) {
  EXPECT_EQ(ErrorOf("echo"), "'echo' is not a file here, and no plugin index was added to look it up in (berth plugin index add NAME SOURCE)");
  Add("acme", Index("echo", {"1.0.0"}));
  Add("corp", Index("echo", {"1.1.0"}));
  EXPECT_EQ(ErrorOf("echo"), "plugin 'echo' is in the indexes acme and corp: name one, as corp/echo");
  EXPECT_EQ(ErrorOf("nope/echo"), "no plugin index named 'nope' (see berth plugin index list)");
  EXPECT_EQ(ErrorOf("acme/other"), "no plugin 'other' in the plugin index acme (berth plugin search; berth plugin index update to fetch them again)");
  EXPECT_EQ(ErrorOf("acme/echo@2.0.0"), "acme has no echo 2.0.0; it lists 1.0.0 (ABI 2)");
  EXPECT_EQ(ResolveIndexEntry(Store(), *ParseIndexSpec("corp/echo"), 2).version.version, "1.1.0");
}

TEST_F(IndexLookupTest, AStoredCopyChangedSinceItWasVerifiedIsRefused) {
  Add("acme", Index("echo", {"1.0.0"}));
  const RegisteredIndex index = *Store().Find("acme");
  fs::path copy = dir_.path() / "plugin-indexes" / (index.digest.substr(7) + ".json");
  ASSERT_TRUE(fs::exists(copy));
  WriteFileAtomic(copy, Index("echo", {"1.0.0", "6.6.6"}));
  EXPECT_EQ(ErrorOf("echo"), copy.string() + ": the stored copy of plugin index 'acme' changed since it was verified; run berth plugin index update acme");
}

TEST_F(IndexLookupTest, ReplacingAndRemovingAnIndexDropsItsStoredCopy) {
  Add("acme", Index("echo", {"1.0.0"}));
  std::string first = Store().Find("acme")->digest;
  Add("acme", Index("echo", {"1.0.0", "1.1.0"}));
  EXPECT_FALSE(fs::exists(dir_.path() / "plugin-indexes" / (first.substr(7) + ".json")));
  IndexStore store = Store();
  std::string second = store.Find("acme")->digest;
  store.Remove("acme");
  EXPECT_FALSE(fs::exists(dir_.path() / "plugin-indexes" / (second.substr(7) + ".json")));
  EXPECT_TRUE(Store().indexes().empty());
}

TEST_F(IndexLookupTest, InMemoryChangesNoFile) {
  Add("acme", Index("echo", {"1.0.0"}));
  const std::string before = ReadFile(dir_.path() / "plugin-indexes.json");
  IndexStore store = Store();
  store.KeepInMemory();
  store.Put({.name = "acme", .source = "/srv/acme.json"}, Index("echo", {"1.0.0", "2.0.0"}));
  EXPECT_EQ(ResolveIndexEntry(store, *ParseIndexSpec("echo"), 2).version.version, "2.0.0");
  store.Remove("acme");
  EXPECT_EQ(ReadFile(dir_.path() / "plugin-indexes.json"), before);
  EXPECT_EQ(ResolveIndexEntry(Store(), *ParseIndexSpec("echo"), 2).version.version, "1.0.0");
}

}  // namespace
}  // namespace berth::host
