#include "berth/secret.h"

#include <openssl/crypto.h>


namespace berth {

SecretValue::SecretValue(std::string value) : value_(std::move(value)) { internal::NotifySecret(value_); }
SecretValue::SecretValue(const SecretValue& other) : value_(other.value_) {}
SecretValue& SecretValue::operator=(const SecretValue& other) {
  if (this != &other) {
    Wipe();
    value_ = other.value_;
  }
  return *this;
}
SecretValue::SecretValue(SecretValue&& other) noexcept : value_(std::move(other.value_)) { other.Wipe(); }
SecretValue& SecretValue::operator=(SecretValue&& other) noexcept {
  if (this != &other) {
    Wipe();
    value_ = std::move(other.value_);
    other.Wipe();
  }
  return *this;
}
SecretValue::~SecretValue() { Wipe(); }

void SecretValue::Wipe() noexcept {
  if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
  value_.clear();
}

}  // namespace berth
