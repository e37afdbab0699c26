#include "berth/abi/buffer.h"

#include <cstring>

namespace berth::abi {
namespace {

// Buffers may hold secrets (a token, a secret value): wiped before freed.
void ReleaseOwned(berth_buffer* buffer) noexcept {
  if (buffer == nullptr || buffer->data == nullptr) return;
  volatile char* bytes = buffer->data;
  for (size_t i = 0; i < buffer->size; ++i) bytes[i] = 0;
  delete[] buffer->data;
  buffer->data = nullptr;
  buffer->size = 0;
}

}  // namespace

void Fill(berth_buffer* buffer, std::string_view text) noexcept {
  if (buffer == nullptr) return;
  buffer->data = new (std::nothrow) char[text.size() + 1];
  if (buffer->data == nullptr) {
    buffer->size = 0;
    buffer->release = nullptr;
    return;
  }
  std::memcpy(buffer->data, text.data(), text.size());
  buffer->data[text.size()] = '\0';
  buffer->size = text.size();
  buffer->release = &ReleaseOwned;
}

std::string Take(berth_buffer& buffer) {
  std::string text;
  if (buffer.data != nullptr) text.assign(buffer.data, buffer.size);
  Release(buffer);
  return text;
}

void Release(berth_buffer& buffer) noexcept {
  if (buffer.release != nullptr) buffer.release(&buffer);
  buffer = berth_buffer{};
}

int32_t StatusCodeOf(ErrorCode code) noexcept { return static_cast<int32_t>(code); }

ErrorCode ErrorCodeOf(int32_t status) noexcept {
  switch (status) {
    case BERTH_STATUS_OK: return ErrorCode::kOk;
    case BERTH_STATUS_USAGE: return ErrorCode::kUsage;
    case BERTH_STATUS_INVALID_INPUT: return ErrorCode::kInvalidInput;
    case BERTH_STATUS_PLUGIN: return ErrorCode::kPlugin;
    case BERTH_STATUS_VERIFICATION: return ErrorCode::kVerification;
    case BERTH_STATUS_NOT_FOUND: return ErrorCode::kNotFound;
    case BERTH_STATUS_AUTH: return ErrorCode::kAuth;
    case BERTH_STATUS_DEPLOY: return ErrorCode::kDeploy;
    case BERTH_STATUS_INTERRUPTED: return ErrorCode::kInterrupted;
    case BERTH_STATUS_UNSUPPORTED: return ErrorCode::kPlugin;
    default: return ErrorCode::kFailure;
  }
}

}  // namespace berth::abi
