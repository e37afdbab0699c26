#include "descriptor.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "berth/error.h"

namespace berth::micros {
namespace {

const std::string kDigest = "sha256:" + std::string(64, 'a');

DescriptorInputs Inputs() {
  DescriptorInputs inputs;
  inputs.service = "shop-api";
  inputs.env = "stg-west";
  inputs.version = "1.4.2";
  SplitImage("docker.atl-paas.net/team/shop-api@" + kDigest, inputs);
  return inputs;
}

std::vector<std::string> Formatted(std::string_view text) {
  std::vector<std::string> lines;
  for (const auto& problem : ValidateDescriptor(text)) lines.push_back(FormatProblem("sd.yml", problem));
  return lines;
}

const char kGood[] = R"(name: shop-api
description: Shop API
links:
  healthcheck:
    uri: /api/health
compose:
  app:
    image: docker.atl-paas.net/team/shop-api
    tag: app-1.4.2
    ports: ["8080:8080"]
    environment:
      LOG_LEVEL: info
      DB_PASSWORD: ((ssm:/shop-api/DB_PASSWORD))
scaling:
  min: 1
  max: 3
  instance: m5.large
)";

TEST(DescriptorTest, SplitImageNeedsDigestOrBareRepository) {
  DescriptorInputs inputs = Inputs();
  EXPECT_EQ(inputs.image, "docker.atl-paas.net/team/shop-api");
  EXPECT_EQ(inputs.digest, kDigest);
  SplitImage("localhost:5000/web", inputs);
  EXPECT_EQ(inputs.image, "localhost:5000/web");
  EXPECT_EQ(inputs.digest, "");
  EXPECT_THROW(SplitImage("docker.atl-paas.net/web:latest", inputs), Error);
  EXPECT_THROW(SplitImage("docker.atl-paas.net/web@sha256:abc", inputs), Error);
}

TEST(DescriptorTest, RendersEveryPlaceholder) {
  const std::string out = RenderTemplate(
      "name: {{ service }}\nenv: {{env}}\nimage: {{ image }}\ntag: {{ tag }}\nv: {{ version }}\nd: {{ digest }}\n"
      "ref: {{ reference }}\npw: {{ ssm DB_PASSWORD }}\n",
      "t.yml", Inputs());
  EXPECT_EQ(out, "name: shop-api\nenv: stg-west\nimage: docker.atl-paas.net/team/shop-api\ntag: app-1.4.2\nv: 1.4.2\nd: " +
                     kDigest + "\nref: docker.atl-paas.net/team/shop-api@" + kDigest +
                     "\npw: ((ssm:/shop-api/DB_PASSWORD))\n");
}

TEST(DescriptorTest, RenderErrorsNameFileLineAndColumn) {
  auto message = [](std::string_view text, DescriptorInputs inputs) {
    try {
      RenderTemplate(text, "t.yml", inputs);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("name: x\n  tag: {{ bogus }}\n", Inputs()),
            "t.yml:2:8: unknown placeholder {{ bogus }} (service, env, image, digest, reference, version, tag, ssm KEY)");
  EXPECT_EQ(message("a: {{ image\n", Inputs()), "t.yml:1:4: unterminated placeholder (expected }} on the same line)");
  EXPECT_EQ(message("a: {{ ssm bad/key }}\n", Inputs()),
            "t.yml:1:4: {{ ssm KEY }} needs a stash key (letters, digits, '_', '.', '-')");
  EXPECT_EQ(message("a: {{ image x }}\n", Inputs()), "t.yml:1:4: {{ image }} takes no argument");
  DescriptorInputs no_version = Inputs();
  no_version.version.clear();
  EXPECT_EQ(message("a: 1\nb: {{ tag }}\n", no_version), "t.yml:2:4: {{ tag }} needs a version (--version) for the app-<version> tag");
  DescriptorInputs no_digest = Inputs();
  no_digest.digest.clear();
  EXPECT_EQ(message("ref: {{reference}}\n", no_digest),
            "t.yml:1:6: {{ reference }} needs an image by digest (REPOSITORY@sha256:...)");
}

TEST(DescriptorTest, AGoodDescriptorHasNoProblems) { EXPECT_EQ(Formatted(kGood), std::vector<std::string>{}); }

TEST(DescriptorTest, GeneratedDescriptorIsValidAndCarriesTagAndSecrets) {
  MicrosSettings settings = MicrosSettings::Parse(
      nlohmann::json::parse(R"({"env": "stg-west", "secrets": ["DB_PASSWORD", "TLS_KEY"], "environment": {"LOG_LEVEL": "info"},
                                "scaling": {"min": 2, "max": 4}, "organization": "Shop", "notifications_email": "team@example.com"})"),
      "shop-api", "staging");
  const std::string text = GenerateDescriptor(settings, Inputs());
  EXPECT_EQ(Formatted(text), std::vector<std::string>{}) << text;
  YAML::Node root = YAML::Load(text);
  EXPECT_EQ(root["name"].as<std::string>(), "shop-api");
  EXPECT_EQ(root["links"]["healthcheck"]["uri"].as<std::string>(), "/api/health");
  EXPECT_EQ(root["compose"]["app"]["image"].as<std::string>(), "docker.atl-paas.net/team/shop-api");
  EXPECT_EQ(root["compose"]["app"]["tag"].as<std::string>(), "app-1.4.2");
  EXPECT_EQ(root["compose"]["app"]["ports"][0].as<std::string>(), "8080:8080");
  EXPECT_EQ(root["compose"]["app"]["environment"]["DB_PASSWORD"].as<std::string>(), "((ssm:/shop-api/DB_PASSWORD))");
  EXPECT_EQ(root["compose"]["app"]["environment"]["TLS_KEY"].as<std::string>(), "((ssm:/shop-api/TLS_KEY))");
  EXPECT_EQ(root["compose"]["app"]["environment"]["LOG_LEVEL"].as<std::string>(), "info");
  EXPECT_EQ(root["scaling"]["min"].as<int>(), 2);
  EXPECT_EQ(root["scaling"]["max"].as<int>(), 4);
  EXPECT_EQ(root["notifications"]["email"].as<std::string>(), "team@example.com");

  DescriptorInputs no_version = Inputs();
  no_version.version.clear();
  EXPECT_THROW(GenerateDescriptor(settings, no_version), Error);
}

TEST(DescriptorTest, MissingPartsAreReportedWhereTheyBelong) {
  EXPECT_EQ(Formatted("description: nothing else\n"),
            (std::vector<std::string>{"sd.yml:1:1: name is missing",
                                      "sd.yml:1:1: no image: add compose.<container>.image (or the older links.binary)",
                                      "sd.yml:1:1: links.healthcheck.uri is missing (Micros checks it before sending traffic)",
                                      "sd.yml:1:1: warning: scaling is missing; Micros' defaults apply"}));
  EXPECT_EQ(Formatted("name: web\n"
                      "links:\n"
                      "  healthcheck:\n"
                      "    url: /typo\n"
                      "compose:\n"
                      "  app:\n"
                      "    tag: app-1\n"
                      "scaling:\n"
                      "  min: 3\n"
                      "  max: 2\n"),
            (std::vector<std::string>{"sd.yml:3:3: links.healthcheck.uri is missing (Micros checks it before sending traffic)",
                                      "sd.yml:6:3: compose.app.image is missing",
                                      "sd.yml:9:8: scaling.min (3) is greater than scaling.max (2)"}));
}

TEST(DescriptorTest, MalformedFieldsAreReportedAtTheirValue) {
  EXPECT_EQ(Formatted("name: Shop_API\n"
                      "links: {healthcheck: {uri: /h}}\n"
                      "compose:\n"
                      "  app:\n"
                      "    image: docker.atl-paas.net/web:1.0\n"
                      "    tag: app-1\n"
                      "    ports: [\"80:80\", \"http\"]\n"
                      "    environment:\n"
                      "      GOOD: yes\n"
                      "      EMPTY:\n"
                      "      NESTED: {a: b}\n"
                      "      1BAD: x\n"
                      "scaling: {min: one, max: 2}\n"
                      "resources:\n"
                      "  - type: dynamo-db\n"
                      "  - name: only-a-name\n"
                      "oldField: 1\n"),
            (std::vector<std::string>{
                "sd.yml:1:7: name 'Shop_API' is not a Micros service name (lowercase letters, digits and '-')",
                "sd.yml:6:5: compose.app.tag is set but compose.app.image already has a tag or digest",
                "sd.yml:7:22: compose.app.ports entries look like 8080 or \"8080:8080\"",
                "sd.yml:10:7: compose.app.environment.EMPTY has no value",
                "sd.yml:11:15: compose.app.environment.NESTED must be a string, not a list or mapping",
                "sd.yml:12:7: compose.app.environment: invalid variable name '1BAD'",
                "sd.yml:13:16: scaling.min must be a whole number",
                "sd.yml:15:5: resources[0].name is missing",
                "sd.yml:16:5: resources[1].type is missing",
                "sd.yml:17:1: warning: unknown top-level field 'oldField'"}));
}

TEST(DescriptorTest, SyntaxDuplicatesPlaceholdersAndSecretReferences) {
  auto syntax = Formatted("name: web\ncompose: [unclosed\n");
  ASSERT_EQ(syntax.size(), 1u);
  EXPECT_EQ(syntax[0].rfind("sd.yml:3:1: ", 0), 0u) << syntax[0];
  EXPECT_EQ(Formatted(""), std::vector<std::string>{"sd.yml:1:1: the descriptor is empty"});
  EXPECT_EQ(Formatted("- a\n- b\n"), std::vector<std::string>{"sd.yml:1:1: the descriptor must be a mapping (name:, compose:, links: ...)"});

  std::string text = kGood;
  text += "name: again\n";
  text.replace(text.find("tag: app-1.4.2"), 14, "tag: {{ tag }}");
  text.replace(text.find("((ssm:/shop-api/DB_PASSWORD))"), 29, "((ssm:/other/DB_PASSWORD))");
  text += "config:\n  environmentVariables:\n    X: ((ssm:shop-api/NO_SLASH))\n";
  EXPECT_EQ(Formatted(text),
            (std::vector<std::string>{
                "sd.yml:9:10: unrendered placeholder {{ tag }} (render the template first)",
                "sd.yml:9:10: compose.app.tag must be a docker tag (letters, digits, '_', '.', '-')",
                "sd.yml:13:20: warning: secret reference names service 'other', not this descriptor's 'shop-api'",
                "sd.yml:18:1: duplicate key 'name' (first on line 1)",
                "sd.yml:21:8: malformed secret reference '((ssm:shop-api/NO_SLASH))' (expected ((ssm:/SERVICE/KEY)))"}));
}

TEST(DescriptorTest, OlderLinksBinaryFormIsAccepted) {
  EXPECT_EQ(Formatted("name: web\nlinks:\n  healthcheck: {uri: /h}\n  binary:\n    type: docker\n    name: x/web\n    tag: app-1\n"
                      "scaling: {min: 1, max: 1}\n"),
            std::vector<std::string>{});
  EXPECT_EQ(Formatted("name: web\nlinks:\n  healthcheck: {uri: /h}\n  binary:\n    type: docker\nscaling: {min: 1, max: 1}\n"),
            (std::vector<std::string>{"sd.yml:4:3: links.binary.name is missing", "sd.yml:4:3: links.binary.tag is missing"}));
}

}  // namespace
}  // namespace berth::micros
