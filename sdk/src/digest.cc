#include "berth/util/digest.h"

#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "berth/error.h"

namespace berth {

struct Sha256::State {
  EVP_MD_CTX* context = nullptr;
  ~State() { EVP_MD_CTX_free(context); }
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
  state_->context = EVP_MD_CTX_new();
  if (state_->context == nullptr || EVP_DigestInit_ex(state_->context, EVP_sha256(), nullptr) != 1) {
    throw Error("cannot initialise SHA-256");
  }
}
Sha256::~Sha256() = default;

void Sha256::Update(const void* data, size_t size) { EVP_DigestUpdate(state_->context, data, size); }

std::string Sha256::FinishHex() {
  unsigned char bytes[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(state_->context, bytes, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[bytes[i] >> 4];
    hex += kHex[bytes[i] & 15];
  }
  return hex;
}

std::string Sha256Hex(std::string_view data) {
  Sha256 sha;
  sha.Update(data);
  return sha.FinishHex();
}

std::string Sha256FileHex(const std::filesystem::path& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(ErrorCode::kInvalidInput, "cannot read " + path.string() + ": " + std::strerror(errno));
  Sha256 sha;
  std::vector<char> buffer(1 << 20);  // Large reads: a few syscalls per plugin library.
  while (true) {
    ssize_t n = read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string reason = std::strerror(errno);
      close(fd);
      throw Error(ErrorCode::kFailure, "error reading " + path.string() + ": " + reason);
    }
    if (n == 0) break;
    sha.Update(buffer.data(), size_t(n));
  }
  close(fd);
  return sha.FinishHex();
}

namespace {

bool IsLowerHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

bool Digest::IsValid(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view algorithm = text.substr(0, colon);
  std::string_view hex = text.substr(colon + 1);
  if (algorithm == "sha256") return hex.size() == 64 && IsLowerHex(hex);
  if (algorithm == "sha512") return hex.size() == 128 && IsLowerHex(hex);
  return false;
}

Digest Digest::Parse(std::string_view text) {
  if (!IsValid(text)) {
    throw Error(ErrorCode::kInvalidInput,
                "invalid digest '" + std::string(text) + "' (expected sha256:<64 lowercase hex> or sha512:<128 hex>)");
  }
  size_t colon = text.find(':');
  return Digest(std::string(text.substr(0, colon)), std::string(text.substr(colon + 1)));
}

Digest Digest::OfSha256Hex(std::string hex) { return Digest("sha256", std::move(hex)); }

Digest Digest::OfLike(const Digest& like, std::string_view data) {
  if (like.algorithm() == "sha256") return Of(data);
  unsigned char bytes[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), bytes, &length, EVP_sha512(), nullptr) != 1) throw Error("cannot compute SHA-512");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[bytes[i] >> 4];
    hex += kHex[bytes[i] & 15];
  }
  return Digest("sha512", std::move(hex));
}

}  // namespace berth
