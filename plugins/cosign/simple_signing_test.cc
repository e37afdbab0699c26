#include "simple_signing.h"

#include <gtest/gtest.h>

#include "berth/error.h"
#include "berth/util/digest.h"
#include "test_util.h"

namespace berth::cosign {
namespace {

using testing::ReadTestData;

const std::string kDigest = "sha256:4c1c50d0ffc614f90b93b07d778028dc765548e823f676fb027f61d281ac380d";

std::string MalformedMessage(const std::string& bytes) {
  try {
    ParsePayload(bytes);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kVerification);
    return e.what();
  }
  return "parsed";
}

TEST(SimpleSigningTest, ReproducesThePayloadCosignPushedByteForByte) {
  std::string payload = BuildPayload("index.docker.io/chihjenhuang/cosign1", kDigest, {});
  EXPECT_EQ(payload, ReadTestData("cosign-v1.13.1-push/payload.json"));
  EXPECT_EQ(Digest::Of(payload).str(), "sha256:b671489ededd1a180bd87235bba00fd83354f9c7d13b71d9f8b66a8e52965ebc");
}

TEST(SimpleSigningTest, AnnotationsGoIntoOptionalSortedByKey) {
  EXPECT_EQ(BuildPayload("127.0.0.1:5000/team/app", kDigest, {{"env", "prod"}, {"commit", "abc123"}}),
            R"({"critical":{"identity":{"docker-reference":"127.0.0.1:5000/team/app"},"image":{"docker-manifest-digest":")" + kDigest +
                R"("},"type":"cosign container image signature"},"optional":{"commit":"abc123","env":"prod"}})");
}

TEST(SimpleSigningTest, EscapesStringsTheWayGoDoes) {
  EXPECT_EQ(GoJsonQuote("a<b>&c"), R"("a\u003cb\u003e\u0026c")");
  EXPECT_EQ(GoJsonQuote("q\"b\\s/"), R"("q\"b\\s/")");
  EXPECT_EQ(GoJsonQuote("\n\r\t\b\f\x01\x1f\x7f"), "\"\\n\\r\\t\\b\\f\\u0001\\u001f\x7f\"");
  EXPECT_EQ(GoJsonQuote("caf\xC3\xA9 \xE2\x80\xA8 \xF0\x9F\x9A\x80"), "\"caf\xC3\xA9 \\u2028 \xF0\x9F\x9A\x80\"");
  EXPECT_EQ(GoJsonQuote("bad \xC3 \xED\xA0\x80 \xFF"), R"("bad \ufffd \ufffd\ufffd\ufffd \ufffd")");
}

TEST(SimpleSigningTest, ParsesWhatItBuilds) {
  auto parsed = ParsePayload(BuildPayload("reg/app", kDigest, {{"k", "v"}}));
  EXPECT_EQ(parsed.docker_reference, "reg/app");
  EXPECT_EQ(parsed.docker_manifest_digest, kDigest);
  EXPECT_EQ(parsed.optional, nlohmann::json({{"k", "v"}}));
  EXPECT_TRUE(ParsePayload(ReadTestData("cosign-v1.13.1-push/payload.json")).optional.is_null());
}

TEST(SimpleSigningTest, MalformedPayloadsSayWhat) {
  EXPECT_EQ(MalformedMessage("{"), "malformed payload: not JSON");
  EXPECT_EQ(MalformedMessage("[]"), "malformed payload: not a JSON object");
  EXPECT_EQ(MalformedMessage("{}"), "malformed payload: no \"critical\" object");
  EXPECT_EQ(MalformedMessage(R"({"critical":{"type":"atomic container signature"}})"),
            "malformed payload: critical.type is \"atomic container signature\", not \"cosign container image signature\"");
  EXPECT_EQ(MalformedMessage(R"({"critical":{"type":"cosign container image signature"}})"),
            "malformed payload: no critical.image.docker-manifest-digest");
  EXPECT_EQ(MalformedMessage(R"({"critical":{"type":"cosign container image signature","image":{"docker-manifest-digest":"latest"}}})"),
            "malformed payload: critical.image.docker-manifest-digest \"latest\" is not a digest");
  EXPECT_EQ(MalformedMessage(R"({"critical":{"type":"cosign container image signature","image":{"docker-manifest-digest":")" + kDigest +
                             R"("}}})"),
            "malformed payload: no critical.identity.docker-reference");
  std::string bad_optional = BuildPayload("r", kDigest, {});
  bad_optional.replace(bad_optional.find("null"), 4, "[1]");
  EXPECT_EQ(MalformedMessage(bad_optional), "malformed payload: \"optional\" is neither an object nor null");
}

TEST(SimpleSigningTest, AnnotationChecks) {
  auto payload = ParsePayload(BuildPayload("r", kDigest, {{"env", "prod"}}));
  EXPECT_EQ(AnnotationMismatch(payload, {}), "");
  EXPECT_EQ(AnnotationMismatch(payload, {{"env", "prod"}}), "");
  EXPECT_EQ(AnnotationMismatch(payload, {{"env", "dev"}}), "annotation env is \"prod\", not \"dev\"");
  EXPECT_EQ(AnnotationMismatch(payload, {{"team", "a"}}), "annotation team=a is not in the payload");
  EXPECT_EQ(AnnotationMismatch(ParsePayload(BuildPayload("r", kDigest, {})), {{"env", "prod"}}),
            "annotation env=prod is not in the payload");
  EXPECT_EQ(ParseAnnotation("a=b=c"), std::make_pair(std::string("a"), std::string("b=c")));
  EXPECT_EQ(ParseAnnotation("empty="), std::make_pair(std::string("empty"), std::string("")));
  EXPECT_THROW(ParseAnnotation("novalue"), Error);
  EXPECT_THROW(ParseAnnotation("=x"), Error);
}

}  // namespace
}  // namespace berth::cosign
