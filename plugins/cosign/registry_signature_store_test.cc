#include "registry_signature_store.h"

#include <gtest/gtest.h>

namespace berth::cosign {
namespace {

// go-containerregistry's Repository.Name(), which cosign writes as docker-reference.
TEST(RegistrySignatureStoreTest, PayloadNamesRepositoriesAsCosignDoes) {
  EXPECT_EQ(CosignRepositoryName("docker.io", "library/ubuntu"), "index.docker.io/library/ubuntu");
  EXPECT_EQ(CosignRepositoryName("127.0.0.1:5000", "team/app"), "127.0.0.1:5000/team/app");
  EXPECT_EQ(CosignRepositoryName("ghcr.io", "org/app"), "ghcr.io/org/app");
}

}  // namespace
}  // namespace berth::cosign
