// A secret value: registered for redaction, wiped when destroyed, and never
// convertible to a string by accident.
#ifndef BERTH_SECRET_H_
#define BERTH_SECRET_H_

#include <string>
#include <string_view>

namespace berth {
namespace internal {
// Registers a new secret for redaction: in the host, with its log and
// message filters; in a plugin, with the host through the C boundary.
void NotifySecret(const std::string& value) noexcept;
}  // namespace internal

class SecretValue {
 public:
  SecretValue() = default;
  explicit SecretValue(std::string value);
  SecretValue(const SecretValue& other);
  SecretValue& operator=(const SecretValue& other);
  SecretValue(SecretValue&& other) noexcept;
  SecretValue& operator=(SecretValue&& other) noexcept;
  ~SecretValue();

  // The only way to read the value; grep for Reveal() to audit every use.
  const std::string& Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  size_t size() const { return value_.size(); }

 private:
  void Wipe() noexcept;
  std::string value_;
};

}  // namespace berth

#endif  // BERTH_SECRET_H_
