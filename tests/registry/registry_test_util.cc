#include "registry_test_util.h"

#include <gtest/gtest.h>

#include "berth/util/digest.h"

namespace berth::testing {
namespace fs = std::filesystem;

oci::RegistrySettings FastSettings(bool plain_http) {
  oci::RegistrySettings settings;
  settings.plain_http = plain_http;
  settings.retry.initial_backoff = std::chrono::milliseconds(20);
  settings.retry.max_backoff = std::chrono::milliseconds(200);
  return settings;
}

oci::CredentialFn Basic(const std::string& user, const std::string& password) {
  return [user, password](const std::string&, const std::vector<std::string>&) {
    oci::Credential credential;
    credential.kind = oci::Credential::Kind::kBasic;
    credential.username = user;
    credential.secret = SecretValue(password);
    credential.origin = "the test";
    return credential;
  };
}

std::shared_ptr<oci::RegistryClient> MakeClient(const std::string& host, oci::RegistrySettings settings, oci::CredentialFn credentials) {
  oci::ClientOptions options;
  options.registry = host;
  options.settings = std::move(settings);
  options.credentials = std::move(credentials);
  return std::make_shared<oci::RegistryClient>(std::move(options));
}

oci::CopyResult Copy(const std::shared_ptr<oci::RegistryClient>& client, const std::string& from, const std::string& to,
                     oci::CopyOptions options) {
  oci::ClientFactory clients = [client](const oci::Reference&) { return client; };
  auto source = oci::OpenImageSource(oci::ImageLocation::Parse(from), clients, "copy");
  auto sink = oci::OpenImageSink(oci::ImageLocation::Parse(to), clients, "copy");
  return oci::CopyImage(*source, *sink, options);
}

std::map<std::string, std::string> LayoutBlobs(const fs::path& root) {
  std::map<std::string, std::string> blobs;
  for (const auto& entry : fs::recursive_directory_iterator(root / "blobs")) {
    if (entry.is_regular_file()) blobs[fs::relative(entry.path(), root).string()] = Sha256FileHex(entry.path());
  }
  return blobs;
}

Status ErrorOf(const std::function<void()>& fn) {
  Status status = Capture(fn);
  EXPECT_FALSE(status.ok()) << "expected an error";
  return status;
}

}  // namespace berth::testing
