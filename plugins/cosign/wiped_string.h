// Key material in memory: a string that is overwritten when it goes away.
#ifndef BERTH_PLUGINS_COSIGN_WIPED_STRING_H_
#define BERTH_PLUGINS_COSIGN_WIPED_STRING_H_

#include <openssl/crypto.h>

#include <string>

namespace berth::cosign {

class WipedString {
 public:
  WipedString() = default;
  explicit WipedString(std::string value) : value_(std::move(value)) {}
  WipedString(const WipedString&) = delete;
  WipedString& operator=(const WipedString&) = delete;
  WipedString(WipedString&& other) noexcept : value_(std::move(other.value_)) { other.Wipe(); }
  WipedString& operator=(WipedString&& other) noexcept {
    if (this != &other) {
      Wipe();
      value_ = std::move(other.value_);
      other.Wipe();
    }
    return *this;
  }
  ~WipedString() { Wipe(); }

  std::string& value() { return value_; }
  const std::string& value() const { return value_; }

 private:
  void Wipe() noexcept {
    if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
    value_.clear();
  }
  std::string value_;
};

}  // namespace berth::cosign

#endif  // BERTH_PLUGINS_COSIGN_WIPED_STRING_H_
