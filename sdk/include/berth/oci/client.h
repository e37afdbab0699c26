// The OCI distribution client: one registry host, any of its repositories.
// Every plugin that serves a registry reuses it; only credentials and a few
// conventions differ per platform (berth/registry.h).
//
// All methods throw berth::Error with one line naming the operation, the
// registry, the repository and what failed:
//   push 127.0.0.1:5000/team/app: blob upload sha256:ab12cd34ef56… failed: 401 UNAUTHORIZED (authentication required)
// Exit codes: kAuth for 401/403, kNotFound for 404, kVerification for a
// digest that does not match, kFailure otherwise.
#ifndef BERTH_OCI_CLIENT_H_
#define BERTH_OCI_CLIENT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "berth/http/client.h"
#include "berth/oci/blob_stream.h"
#include "berth/oci/credentials.h"
#include "berth/oci/manifest.h"
#include "berth/oci/settings.h"
#include "berth/oci/upload_state.h"

namespace berth::oci {

class Authenticator;

// Token scopes ("repository:team/app:pull,push").
std::string PullScope(const std::string& repository);
std::string PushScope(const std::string& repository);
std::string DeleteScope(const std::string& repository);

// "sha256:ab12cd34ef56…" for messages.
std::string ShortDigest(const Digest& digest);

// A failure that may pass when tried again later: the network, or a
// registry that was busy (408, 429, 5xx) on every attempt.
class TransientError : public Error {
 public:
  using Error::Error;
};

enum class BlobOutcome { kExisted, kMounted, kUploaded };

struct ClientOptions {
  std::string registry;         // As in references: "127.0.0.1:5000", "docker.io".
  RegistrySettings settings;
  CredentialFn credentials;     // Empty: anonymous.
  // TLS settings for other hosts the client talks to (a token realm, a
  // redirect target); the registry's own come from `settings`.
  std::function<http::TlsSettings(const std::string& host)> other_hosts_tls;
  // Chunked uploads record where they stand here and a later run resumes
  // them (berth/oci/upload_state.h). Null: nothing is recorded.
  std::shared_ptr<const UploadStateStore> upload_state;
};

class RegistryClient {
 public:
  explicit RegistryClient(ClientOptions options);
  ~RegistryClient();
  RegistryClient(const RegistryClient&) = delete;
  RegistryClient& operator=(const RegistryClient&) = delete;

  const std::string& registry() const { return options_.registry; }
  const RegistrySettings& settings() const { return options_.settings; }
  // "https://host" (or http:// with plain-http).
  std::string BaseUrl() const;

  // Blobs whose upload resumed an earlier run's, and the bytes that did not
  // have to travel again; for a command's report.
  int resumed_blobs() const { return resumed_blobs_; }
  int64_t resumed_bytes() const { return resumed_bytes_; }

  // login: checks `credential` against the registry (Basic, or its token
  // service). Returns a refresh token when the token service offers one, to
  // be stored instead of the password. Throws Error(kAuth) when refused.
  std::optional<SecretValue> Login(const Credential& credential);

  // `scopes` defaults to pull on the repository; a push passes its own so
  // that one token serves the whole upload.
  std::optional<Descriptor> StatBlob(const std::string& verb, const std::string& repository, const Digest& digest,
                                     std::vector<std::string> scopes = {});
  // Streams the blob into sink, verifying size and digest while it streams
  // (the sink has seen every byte when the mismatch is reported, so it must
  // not publish before FetchBlob returns). A dropped connection resumes with
  // a Range request.
  void FetchBlob(const std::string& verb, const std::string& repository, const Descriptor& blob,
                 const std::function<void(const char* data, size_t size)>& sink);
  // A small blob (a config) into memory, verified; refuses more than max_size.
  std::string FetchSmallBlob(const std::string& verb, const std::string& repository, const Descriptor& blob,
                             size_t max_size = 16u << 20);
  // Skips a blob the repository has; mounts it from `mount_from` (a
  // repository of this registry) when given; else uploads from source,
  // monolithic or in chunks as the settings say. A chunked upload an earlier
  // run left open (options.upload_state) is resumed where the registry says
  // it stands, or started over when the registry no longer knows it.
  BlobOutcome PushBlob(const std::string& verb, const std::string& repository, const Descriptor& blob, BlobSource& source,
                       const std::optional<std::string>& mount_from = std::nullopt);

  // By tag or digest. Verified against the digest asked for, or the one the
  // registry sent.
  Manifest GetManifest(const std::string& verb, const std::string& repository, const std::string& identifier);
  // The same, nullopt on 404: one request where HeadManifest + GetManifest is two.
  std::optional<Manifest> GetManifestIfExists(const std::string& verb, const std::string& repository,
                                              const std::string& identifier);
  std::optional<Descriptor> HeadManifest(const std::string& verb, const std::string& repository, const std::string& identifier);
  // Stores manifest.bytes as they are; returns the digest the registry confirmed.
  Digest PutManifest(const std::string& verb, const std::string& repository, const std::string& identifier,
                     const Manifest& manifest);
  void DeleteManifest(const std::string& verb, const std::string& repository, const Digest& digest);
  // Proves that this run may push to `repository` without pushing anything:
  // opens a blob upload session and cancels it. Throws Error(kAuth) when
  // the registry refuses, as a push would.
  void CheckPushAccess(const std::string& verb, const std::string& repository);
  // Every tag, following Link pagination; page_size 0 lets the registry choose.
  std::vector<std::string> ListTags(const std::string& verb, const std::string& repository, int page_size = 0);
  // Manifests whose subject is `digest`: the referrers API, else the
  // "sha256-<hex>" tag fallback. Filtered by artifact_type when not empty.
  std::vector<Descriptor> Referrers(const std::string& verb, const std::string& repository, const Digest& digest,
                                    const std::string& artifact_type = "");
  // Stores `referrer` (a manifest with a subject) under its digest and makes
  // Referrers(subject) list it. A registry with the referrers API says it
  // indexed the subject with an OCI-Subject header; on one without, the
  // referrer's descriptor joins the index under the subject's
  // "sha256-<hex>" tag, beside every entry already there (read, add, write:
  // two writers at the same moment can lose one entry, which storing it
  // again repairs). The blobs it names must already be in the repository.
  // Returns that tag, or "" when the referrers API took it.
  std::string PutReferrer(const std::string& verb, const std::string& repository, const Manifest& referrer);

  // What one request is for, so that failures say so.
  struct Call {
    std::string verb;
    std::string repository;
    std::string what;
    std::vector<std::string> scopes;
    int attempts = 0;  // 0: the retry policy's.
  };
  // Sends with authentication and retries; returns the final answer, whatever
  // its status. `progress` (bytes received so far) resets the retry budget
  // when a retried download made headway.
  http::Response Execute(const Call& call, const std::function<http::Request()>& build,
                         const std::function<uint64_t()>& progress = {});
  [[noreturn]] void Fail(const Call& call, const http::Response& response) const;
  [[noreturn]] void Fail(const Call& call, ErrorCode code, const std::string& detail, bool transient = false) const;

 private:
  std::optional<Manifest> FetchManifest(const std::string& verb, const std::string& repository, const std::string& identifier,
                                        bool missing_ok);
  void UploadMonolithic(const Call& call, const std::string& location, const Descriptor& blob, BlobSource& source);
  // From byte `start` (earlier bytes are read and hashed, not sent).
  void UploadChunked(const Call& call, std::string location, int64_t min_chunk, const Descriptor& blob, BlobSource& source,
                     int64_t start = 0);
  bool TryResume(const Call& call, const std::string& repository, const Descriptor& blob, BlobSource& source);
  std::pair<std::string, int64_t> StartUpload(const Call& call, const std::string& repository);
  std::string Url(const std::string& path) const { return BaseUrl() + path; }
  // Credentials are bound to the registry's origin (scheme, host, port): a
  // URL the registry hands back (an upload Location, a Link) that points
  // anywhere else is refused, naming both, rather than sent our Authorization.
  void RequireOwnOrigin(const Call& call, const std::string& url, const std::string& what) const;
  // Checks a Docker-Content-Digest header against `bytes` in the header's
  // own algorithm; an algorithm berth cannot compute is refused, not skipped.
  void CheckContentDigest(const Call& call, const std::string& header, std::string_view bytes) const;

  ClientOptions options_;
  std::unique_ptr<http::Client> http_;
  std::unique_ptr<Authenticator> auth_;
  std::atomic<int> resumed_blobs_{0};
  std::atomic<int64_t> resumed_bytes_{0};
};

// Turns an error answer into "401 UNAUTHORIZED (authentication required)".
std::string DescribeErrorResponse(const http::Response& response);

}  // namespace berth::oci

#endif  // BERTH_OCI_CLIENT_H_
