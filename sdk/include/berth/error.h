// Errors and statuses shared by the host, the SDK and plugins.
//
// Inside one side of the plugin boundary code throws berth::Error. Across the
// boundary only Status and Result travel: every interface method is noexcept,
// and Capture() turns an exception into a Status inside the plugin's own code,
// so no exception ever unwinds from a plugin into the host.
#ifndef BERTH_ERROR_H_
#define BERTH_ERROR_H_

#include <exception>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace berth {

// The process exit codes; docs/commands.md documents them for users and CI.
enum class ErrorCode : int {
  kOk = 0,
  kFailure = 1,        // The operation failed (network, remote error, I/O).
  kUsage = 2,          // Unknown command, bad or missing option.
  kInvalidInput = 3,   // A file, reference or setting the user gave is malformed.
  kPlugin = 4,         // A plugin is missing, refused, or failed to register.
  kVerification = 5,   // A digest or signature did not verify.
  kNotFound = 6,       // What was asked for does not exist.
  kAuth = 7,           // Credentials missing or refused.
  kDeploy = 8,         // A deploy or health check failed.
  kInterrupted = 130,  // Ctrl-C or SIGTERM.
};

const char* ErrorCodeName(ErrorCode code) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  explicit Error(const std::string& message) : Error(ErrorCode::kFailure, message) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const noexcept { return code_ == ErrorCode::kOk; }
  ErrorCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }

  // Rethrows on the caller's side of the boundary.
  void ThrowIfError() const {
    if (!ok()) throw Error(code_, message_);
  }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design.
  Result(Status status) : value_(std::move(status)) {}  // NOLINT
  bool ok() const noexcept { return std::holds_alternative<T>(value_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(value_); }
  T& value() & { return Get(); }
  // By value: `for (auto& x : F().value())` must not dangle.
  T value() && { return std::move(Get()); }
  const T& value() const& { return const_cast<Result*>(this)->Get(); }

 private:
  T& Get() {
    if (!ok()) std::get<Status>(value_).ThrowIfError();
    return std::get<T>(value_);
  }
  std::variant<T, Status> value_;
};

// Must be called inside a catch block. Inline, so that in a plugin it runs in
// the plugin's own code.
inline Status StatusFromCurrentException() noexcept {
  try {
    throw;
  } catch (const Error& e) {
    return Status(e.code(), e.what());
  } catch (const std::bad_alloc&) {
    return Status(ErrorCode::kFailure, "out of memory");
  } catch (const std::exception& e) {
    return Status(ErrorCode::kFailure, e.what());
  } catch (...) {
    return Status(ErrorCode::kFailure, "unknown exception");
  }
}

// Runs fn and turns any exception into a Status.
template <typename Fn>
Status Capture(Fn&& fn) noexcept {
  try {
    if constexpr (std::is_same_v<std::invoke_result_t<Fn>, Status>) {
      return fn();
    } else {
      fn();
      return Status::Ok();
    }
  } catch (...) {
    return StatusFromCurrentException();
  }
}

// Runs fn returning T and turns any exception into an error Result<T>.
template <typename Fn, typename T = std::invoke_result_t<Fn>>
Result<T> CaptureResult(Fn&& fn) noexcept {
  try {
    return Result<T>(fn());
  } catch (...) {
    return Result<T>(StatusFromCurrentException());
  }
}

}  // namespace berth

#endif  // BERTH_ERROR_H_
