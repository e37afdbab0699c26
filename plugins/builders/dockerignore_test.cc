// Docker's documented .dockerignore semantics
// (docs.docker.com/build/concepts/context/#dockerignore-files).
#include "dockerignore.h"

#include <gtest/gtest.h>

#include "berth/error.h"

namespace berth::builders {
namespace {

TEST(DockerIgnoreTest, PatternsAreAnchoredAtTheContextRoot) {
  DockerIgnore ignore = DockerIgnore::Parse("*.key\n/secrets\n");
  EXPECT_TRUE(ignore.Excludes("cosign.key"));
  EXPECT_FALSE(ignore.Excludes("dir/cosign.key"));  // Unlike .gitignore.
  EXPECT_TRUE(ignore.Excludes("secrets"));
  EXPECT_FALSE(ignore.Excludes("app/secrets"));
}

TEST(DockerIgnoreTest, ADirectoryPatternExcludesItsContents) {
  DockerIgnore ignore = DockerIgnore::Parse("node_modules\ntemp?/\n");
  EXPECT_TRUE(ignore.Excludes("node_modules/a/b.js"));
  EXPECT_TRUE(ignore.Excludes("temp1/x"));
  EXPECT_FALSE(ignore.Excludes("temp12/x"));  // `?` is one character.
}

TEST(DockerIgnoreTest, DocumentedExamples) {
  // The example .dockerignore of Docker's documentation.
  DockerIgnore ignore = DockerIgnore::Parse("# comment\n*/temp*\n*/*/temp*\ntemp?\n");
  EXPECT_TRUE(ignore.Excludes("somedir/temporary.txt"));
  EXPECT_TRUE(ignore.Excludes("somedir/temp"));
  EXPECT_TRUE(ignore.Excludes("somedir/subdir/temporary.txt"));
  EXPECT_TRUE(ignore.Excludes("tempa"));
  EXPECT_FALSE(ignore.Excludes("temporary.txt"));  // `*/temp*` needs one directory.
  EXPECT_FALSE(ignore.Excludes("# comment"));
}

TEST(DockerIgnoreTest, DoubleStarMatchesAnyNumberOfDirectories) {
  DockerIgnore ignore = DockerIgnore::Parse("**/*.go\nlogs/**\n");
  EXPECT_TRUE(ignore.Excludes("main.go"));  // Zero directories.
  EXPECT_TRUE(ignore.Excludes("a/b/c/main.go"));
  EXPECT_FALSE(ignore.Excludes("main.gox"));
  EXPECT_TRUE(ignore.Excludes("logs/today/x.log"));
  EXPECT_FALSE(ignore.Excludes("logs2/x.log"));
}

TEST(DockerIgnoreTest, StarDoesNotCrossASlash) {
  DockerIgnore ignore = DockerIgnore::Parse("a*b\n");
  EXPECT_TRUE(ignore.Excludes("axyzb"));
  EXPECT_FALSE(ignore.Excludes("ax/yb"));
}

TEST(DockerIgnoreTest, ExceptionsAndTheLastMatchingLineWins) {
  // Docker's documentation: all markdown files but README.md, and then
  // README-secret.md again.
  DockerIgnore ignore = DockerIgnore::Parse("*.md\n!README*.md\nREADME-secret.md\n");
  EXPECT_TRUE(ignore.HasExceptions());
  EXPECT_TRUE(ignore.Excludes("CHANGES.md"));
  EXPECT_FALSE(ignore.Excludes("README.md"));
  EXPECT_TRUE(ignore.Excludes("README-secret.md"));
  // The other order: the exception comes last and wins.
  DockerIgnore reordered = DockerIgnore::Parse("*.md\nREADME-secret.md\n!README*.md\n");
  EXPECT_FALSE(reordered.Excludes("README-secret.md"));
}

TEST(DockerIgnoreTest, AnExceptionInsideAnExcludedDirectory) {
  DockerIgnore ignore = DockerIgnore::Parse("config\n!config/public.yaml\n");
  EXPECT_TRUE(ignore.Excludes("config"));
  EXPECT_TRUE(ignore.Excludes("config/private.yaml"));
  EXPECT_FALSE(ignore.Excludes("config/public.yaml"));
}

TEST(DockerIgnoreTest, PatternsAreCleanedLikeFilepathClean) {
  DockerIgnore ignore = DockerIgnore::Parse("  ./a/../b//c/  \n/.env\n");
  EXPECT_TRUE(ignore.Excludes("b/c"));
  EXPECT_TRUE(ignore.Excludes("b/c/d"));
  EXPECT_TRUE(ignore.Excludes(".env"));
  EXPECT_FALSE(ignore.Excludes(".env.local"));
}

TEST(DockerIgnoreTest, CharacterClassesAndEscapes) {
  DockerIgnore ignore = DockerIgnore::Parse("file[0-9].txt\nx[!a]y\nliteral\\*star\nmy.file+(1)\n");
  EXPECT_TRUE(ignore.Excludes("file7.txt"));
  EXPECT_FALSE(ignore.Excludes("filex.txt"));
  EXPECT_TRUE(ignore.Excludes("xby"));
  EXPECT_FALSE(ignore.Excludes("xay"));
  EXPECT_TRUE(ignore.Excludes("literal*star"));
  EXPECT_FALSE(ignore.Excludes("literalXstar"));
  EXPECT_TRUE(ignore.Excludes("my.file+(1)"));
  EXPECT_FALSE(ignore.Excludes("myXfile+(1)"));  // `.` is literal.
}

TEST(DockerIgnoreTest, CommentsOnlyAtTheStartOfALine) {
  DockerIgnore ignore = DockerIgnore::Parse("#.env\n \n!\n");
  EXPECT_TRUE(ignore.empty());
  EXPECT_FALSE(ignore.Excludes(".env"));
}

TEST(DockerIgnoreTest, ABadPatternNamesItsLine) {
  try {
    DockerIgnore::Parse("ok\nbad[\n", "/ctx/.dockerignore");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_STREQ(error.what(), "/ctx/.dockerignore line 2: bad pattern 'bad['");
  }
}

}  // namespace
}  // namespace berth::builders
