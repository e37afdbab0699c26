// Helpers shared by the registry tests: clients for a peer, copies between
// locations, comparing layouts.
#ifndef BERTH_TESTS_REGISTRY_REGISTRY_TEST_UTIL_H_
#define BERTH_TESTS_REGISTRY_REGISTRY_TEST_UTIL_H_

#include <filesystem>
#include <memory>
#include <string>

#include "berth/oci/client.h"
#include "berth/oci/copy.h"
#include "berth/oci/image.h"
#include "test_image.h"
#include "test_peer.h"

namespace berth::testing {

oci::RegistrySettings FastSettings(bool plain_http);
oci::CredentialFn Basic(const std::string& user, const std::string& password);
std::shared_ptr<oci::RegistryClient> MakeClient(const std::string& host, oci::RegistrySettings settings,
                                                oci::CredentialFn credentials = {});
// Copies between location texts with `client` serving every registry reference.
oci::CopyResult Copy(const std::shared_ptr<oci::RegistryClient>& client, const std::string& from, const std::string& to,
                     oci::CopyOptions options = {});
// Every file under blobs/ of a layout, path -> content digest.
std::map<std::string, std::string> LayoutBlobs(const std::filesystem::path& root);
// The error a callable throws (code and message); fails the test if none.
berth::Status ErrorOf(const std::function<void()>& fn);

}  // namespace berth::testing

#endif  // BERTH_TESTS_REGISTRY_REGISTRY_TEST_UTIL_H_
