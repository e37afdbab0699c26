#include "berth/util/secrets_source.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "berth/error.h"
#include "berth/util/fs.h"
#include "berth/util/jwt.h"

namespace berth {
namespace {

std::string ErrorOf(const std::vector<std::filesystem::path>& files) {
  try {
    LoadSecretsFiles(files);
  } catch (const Error& e) {
    return std::to_string(int(e.code())) + ": " + e.what();
  }
  return "no error";
}

TEST(SecretsSourceTest, EnvFilesAndAsapConfigsTogether) {
  TempDir dir;
  jwt::PrivateKey key = jwt::PrivateKey::GenerateEc();
  nlohmann::json config = {{"issuer", "micros/svc"}, {"kid", "micros/svc/k1"}, {"privateKey", key.Pkcs8Pem().Reveal()}};
  WriteFileAtomic(dir.path() / ".asap-config", config.dump(2), 0600);
  WriteFileAtomic(dir.path() / ".env.local", "AI_GATEWAY_USE_CASE_ID=caid\n", 0600);
  SecretsFromFiles loaded = LoadSecretsFiles({dir.path() / ".env.local", dir.path() / ".asap-config"});
  EXPECT_EQ(loaded.values.size(), 4u);
  EXPECT_EQ(loaded.values.at("AI_GATEWAY_USE_CASE_ID").Reveal(), "caid");
  EXPECT_EQ(loaded.values.at("ASAP_ISSUER").Reveal(), "micros/svc");
  EXPECT_EQ(loaded.values.at("ASAP_PRIVATE_KEY").Reveal(), jwt::MakePkcs8DataUri(key, {{"kid", "micros/svc/k1"}}).Reveal());
  EXPECT_EQ(loaded.file_of.at("ASAP_KEY_ID"), (dir.path() / ".asap-config").string());
  EXPECT_EQ(loaded.file_of.at("AI_GATEWAY_USE_CASE_ID"), (dir.path() / ".env.local").string());
  // One file alone, whatever its name.
  std::filesystem::copy_file(dir.path() / ".asap-config", dir.path() / "keys.json");
  EXPECT_EQ(LoadSecretsFile(dir.path() / "keys.json").at("ASAP_KEY_ID").Reveal(), "micros/svc/k1");
}

TEST(SecretsSourceTest, AKeyInTwoFilesNamesBoth) {
  TempDir dir;
  nlohmann::json config = {{"issuer", "micros/svc"}, {"kid", "micros/svc/k1"},
                           {"privateKey", jwt::PrivateKey::GenerateEc().Pkcs8Pem().Reveal()}};
  WriteFileAtomic(dir.path() / ".asap-config", config.dump(), 0600);
  WriteFileAtomic(dir.path() / ".env.local", "ASAP_PRIVATE_KEY=copied-value-123456\n", 0600);
  EXPECT_EQ(ErrorOf({dir.path() / ".env.local", dir.path() / ".asap-config"}),
            "3: ASAP_PRIVATE_KEY is set by both " + (dir.path() / ".env.local").string() + " and " +
                (dir.path() / ".asap-config").string() + " (keep it in one of them)");
  WriteFileAtomic(dir.path() / "bad.env", "{not json\n", 0600);
  EXPECT_EQ(ErrorOf({dir.path() / "bad.env"}), "3: " + (dir.path() / "bad.env").string() + ": not a JSON object (expected an .asap-config)");
}

}  // namespace
}  // namespace berth
