#include "object_diff.h"

#include <gtest/gtest.h>

namespace berth::k8s {
namespace {

TEST(ObjectDiffTest, NamesFieldsByPathAndListItemsByName) {
  auto before = nlohmann::json::parse(R"({
    "metadata": {"name": "web", "resourceVersion": "5", "managedFields": [{}], "labels": {"app.kubernetes.io/version": "1.0"}},
    "spec": {"replicas": 2, "template": {"spec": {"containers": [
      {"name": "web", "image": "a@sha256:1", "env": [{"name": "A", "value": "1"}, {"name": "OLD", "value": "x"}]}]}}},
    "status": {"replicas": 2}})");
  auto after = nlohmann::json::parse(R"({
    "metadata": {"name": "web", "resourceVersion": "6", "labels": {"app.kubernetes.io/version": "2.0"}},
    "spec": {"replicas": 2, "template": {"spec": {"containers": [
      {"name": "web", "image": "a@sha256:2", "env": [{"name": "A", "value": "1"}, {"name": "NEW", "value": "y"}]}]}}}})");
  auto changes = DiffObjects(Comparable(before), Comparable(after));
  EXPECT_EQ(FormatChanges(changes),
            "  ~ metadata.labels[\"app.kubernetes.io/version\"]: \"1.0\" -> \"2.0\"\n"
            "  - spec.template.spec.containers[name=web].env[name=OLD]: {\"name\":\"OLD\",\"value\":\"x\"}\n"
            "  + spec.template.spec.containers[name=web].env[name=NEW]: {\"name\":\"NEW\",\"value\":\"y\"}\n"
            "  ~ spec.template.spec.containers[name=web].image: \"a@sha256:1\" -> \"a@sha256:2\"\n");
  EXPECT_TRUE(DiffObjects(Comparable(before), Comparable(before)).empty());
}

TEST(ObjectDiffTest, UnnamedListsByIndex) {
  auto changes = DiffObjects(nlohmann::json::parse(R"({"args": ["a", "b"]})"), nlohmann::json::parse(R"({"args": ["a", "c", "d"]})"));
  EXPECT_EQ(FormatChanges(changes, ""), "~ args[1]: \"b\" -> \"c\"\n+ args[2]: \"d\"\n");
}

}  // namespace
}  // namespace berth::k8s
