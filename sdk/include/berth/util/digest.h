// Content digests (OCI "algorithm:hex") and streaming SHA-256.
#ifndef BERTH_UTIL_DIGEST_H_
#define BERTH_UTIL_DIGEST_H_

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace berth {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(const void* data, size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  // Lowercase hex; the object can not be updated afterwards.
  std::string FinishHex();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

std::string Sha256Hex(std::string_view data);
std::string Sha256FileHex(const std::filesystem::path& path);

// A validated "sha256:<64 hex>" or "sha512:<128 hex>".
class Digest {
 public:
  // Throws Error(kInvalidInput) naming the text when it is not a digest.
  static Digest Parse(std::string_view text);
  static bool IsValid(std::string_view text);
  static Digest OfSha256Hex(std::string hex);
  static Digest Of(std::string_view data) { return OfSha256Hex(Sha256Hex(data)); }
  // The digest of `data` in the same algorithm as `like` (sha256 or sha512),
  // to check a digest a registry chose against the bytes it sent.
  static Digest OfLike(const Digest& like, std::string_view data);

  const std::string& algorithm() const { return algorithm_; }
  const std::string& hex() const { return hex_; }
  std::string str() const { return algorithm_ + ":" + hex_; }
  bool operator==(const Digest&) const = default;
  auto operator<=>(const Digest&) const = default;

 private:
  Digest(std::string algorithm, std::string hex) : algorithm_(std::move(algorithm)), hex_(std::move(hex)) {}
  std::string algorithm_;
  std::string hex_;
};

}  // namespace berth

#endif  // BERTH_UTIL_DIGEST_H_
