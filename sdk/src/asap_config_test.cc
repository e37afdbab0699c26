#include "berth/util/asap_config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "berth/error.h"

namespace berth::asap {
namespace {

const jwt::PrivateKey& Key() {
  static const jwt::PrivateKey key = jwt::PrivateKey::GenerateRsa(2048);
  return key;
}

std::string ErrorOf(std::string_view text) {
  try {
    ParseAsapConfig(text, ".asap-config");
  } catch (const Error& e) {
    return std::to_string(int(e.code())) + ": " + e.what();
  }
  return "no error";
}

nlohmann::json Config() {
  return {{"issuer", "micros/svc"}, {"kid", "micros/svc/k1"}, {"privateKey", Key().Pkcs8Pem().Reveal()}};
}

TEST(AsapConfigTest, TellsAConfigFromAnEnvFileByItsFirstCharacter) {
  EXPECT_TRUE(IsAsapConfigText("{\"issuer\": \"x\"}"));
  EXPECT_TRUE(IsAsapConfigText("\n  \t{"));
  EXPECT_FALSE(IsAsapConfigText("ASAP_ISSUER=x\n"));
  EXPECT_FALSE(IsAsapConfigText("# {\nA=1\n"));
  EXPECT_FALSE(IsAsapConfigText(""));
}

TEST(AsapConfigTest, MapsToTheVariablesAsapLibrariesRead) {
  nlohmann::json json = Config();
  json["audience"] = {"ai-gateway", "billing"};
  AsapConfig config = ParseAsapConfig(json.dump(), ".asap-config");
  auto variables = AsapEnvironment(config);
  std::vector<std::string> names;
  for (const auto& [name, value] : variables) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"ASAP_AUDIENCE", "ASAP_ISSUER", "ASAP_KEY_ID", "ASAP_PRIVATE_KEY"}));
  EXPECT_EQ(variables.at("ASAP_ISSUER").Reveal(), "micros/svc");
  EXPECT_EQ(variables.at("ASAP_KEY_ID").Reveal(), "micros/svc/k1");
  EXPECT_EQ(variables.at("ASAP_AUDIENCE").Reveal(), "ai-gateway,billing");
  // The key as a one-line data URI carrying its kid, the same key.
  const std::string& uri = variables.at("ASAP_PRIVATE_KEY").Reveal();
  EXPECT_EQ(uri, jwt::MakePkcs8DataUri(Key(), {{"kid", "micros/svc/k1"}}).Reveal());
  EXPECT_EQ(uri.rfind("data:application/pkcs8;kid=micros%2Fsvc%2Fk1;base64,", 0), 0u);
  EXPECT_EQ(jwt::LoadPrivateKey(uri, "uri").Public().Pem(), Key().Public().Pem());

  json.erase("audience");
  json["subject"] = "someone";
  json["keyId"] = json["kid"];
  json.erase("kid");
  variables = AsapEnvironment(ParseAsapConfig(json.dump(), ".asap-config"));
  EXPECT_FALSE(variables.count("ASAP_AUDIENCE"));
  EXPECT_EQ(variables.at("ASAP_SUBJECT").Reveal(), "someone");
  EXPECT_EQ(variables.at("ASAP_KEY_ID").Reveal(), "micros/svc/k1");
}

TEST(AsapConfigTest, MalformedConfigsNameTheFileAndTheFieldNeverTheKey) {
  nlohmann::json json = Config();
  json.erase("kid");
  EXPECT_EQ(ErrorOf(json.dump()), "3: .asap-config: field 'kid' is missing");
  json = Config();
  json["issuer"] = "";
  EXPECT_EQ(ErrorOf(json.dump()), "3: .asap-config: field 'issuer' is missing");
  json = Config();
  json["privateKey"] = 7;
  EXPECT_EQ(ErrorOf(json.dump()), "3: .asap-config: field 'privateKey' must be a string");
  json = Config();
  json["privateKey"] = "not-a-key-but-secret-1234";
  EXPECT_EQ(ErrorOf(json.dump()), "3: .asap-config privateKey: neither a PEM private key nor a data:application/pkcs8 URI");
  json = Config();
  json["audience"] = {1};
  EXPECT_EQ(ErrorOf(json.dump()), "3: .asap-config: field 'audience' must be a string or a list of strings");
  json = Config();
  json["privateKey"] = jwt::MakePkcs8DataUri(Key(), {{"kid", "micros/svc/other"}}).Reveal();
  EXPECT_EQ(ErrorOf(json.dump()),
            "3: .asap-config privateKey: the key id 'micros/svc/k1' differs from the kid 'micros/svc/other' inside the private key's data URI");
  EXPECT_EQ(ErrorOf("{\"issuer\": "), "3: .asap-config: not a JSON object (expected an .asap-config)");
}

}  // namespace
}  // namespace berth::asap
