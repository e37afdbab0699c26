#include "descriptor_images.h"

#include <gtest/gtest.h>

#include <map>

#include "berth/error.h"

namespace berth::micros {
namespace {

const std::string kDigestA = "sha256:" + std::string(64, 'a');
const std::string kDigestB = "sha256:" + std::string(64, 'b');

const char* kRendered =
    "name: shop\n"
    "compose:\n"
    "  app:\n"
    "    image: docker.example/shop/app\n"
    "    tag: app-1.0.1\n"
    "  sidecar:\n"
    "    image: docker.example/shop/proxy\n"
    "    tag: sha256:" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n";

TagResolver Registry(std::map<std::string, std::string> tags) {
  return [tags](const std::string& reference) -> std::optional<std::string> {
    auto found = tags.find(reference);
    if (found == tags.end()) return std::nullopt;
    return found->second;
  };
}

std::string Refusal(const std::string& text, const std::string& digest, const TagResolver& resolve, ErrorCode code) {
  try {
    CheckDescriptorImages(text, "service-descriptor.yml", digest, resolve);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code);
    return e.what();
  }
  return "";
}

TEST(DescriptorImagesTest, FindsComposeContainersAndTheOlderBinaryLink) {
  auto images = DescriptorImages(std::string(kRendered) + "links:\n  binary:\n    type: docker\n    name: docker.example/shop/old\n    tag: v1\n");
  ASSERT_EQ(images.size(), 3u);
  EXPECT_EQ(images[0].field, "compose.app");
  EXPECT_EQ(images[0].image, "docker.example/shop/app");
  EXPECT_EQ(images[0].tag, "app-1.0.1");
  EXPECT_EQ(images[0].line, 5);
  EXPECT_EQ(images[0].column, 10);
  EXPECT_EQ(images[1].tag, kDigestA);
  EXPECT_EQ(images[2].field, "links.binary");
  EXPECT_TRUE(DescriptorImages("not: [yaml").empty());
}

TEST(DescriptorImagesTest, ATagThatNamesTheRecordedDigestPasses) {
  EXPECT_EQ(Refusal(kRendered, kDigestA, Registry({{"docker.example/shop/app:app-1.0.1", kDigestA}}), ErrorCode::kOk), "");
}

TEST(DescriptorImagesTest, ATagThatNamesAnotherImageIsRefusedWithItsPlace) {
  // deploy --image <1.0.2's digest> --version 1.0.1: the descriptor would run app-1.0.1.
  EXPECT_EQ(Refusal(kRendered, kDigestB, Registry({{"docker.example/shop/app:app-1.0.1", kDigestA}}), ErrorCode::kVerification),
            "service-descriptor.yml:5:10: compose.app deploys docker.example/shop/app:app-1.0.1, which names " + kDigestA +
                ", not the recorded " + kDigestB + "; deploy the version whose image that is, or fix the descriptor's tag");
  EXPECT_EQ(Refusal(kRendered, kDigestA, Registry({}), ErrorCode::kNotFound),
            "service-descriptor.yml:5:10: compose.app deploys docker.example/shop/app:app-1.0.1, which its registry does not have");
}

TEST(DescriptorImagesTest, WrittenOutTagsInATemplateAreFlagged) {
  const char* text =
      "compose:\n"
      "  app:\n"
      "    image: {{ image }}\n"
      "    tag: {{ tag }}\n"
      "  proxy:\n"
      "    image: docker.example/shop/proxy\n"
      "    tag: app-1.0.0\r\n";
  auto warnings = HardCodedTags(text, "service-descriptor.yml");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "service-descriptor.yml:7:5: tag is written out (app-1.0.0): every deploy runs that image whatever version is "
                         "asked for; use {{ tag }}");
}

}  // namespace
}  // namespace berth::micros
