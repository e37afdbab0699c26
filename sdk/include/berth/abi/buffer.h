// berth_buffer and status helpers for C++ code on either side of the
// boundary: every C function either side implements is written with these,
// so that no exception leaves it and every buffer has its release function.
#ifndef BERTH_ABI_BUFFER_H_
#define BERTH_ABI_BUFFER_H_

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "berth/abi/berth_plugin_api.h"
#include "berth/error.h"

namespace berth::abi {

// Copies `text` into a buffer this side allocated; its release frees (and
// wipes) it.
void Fill(berth_buffer* buffer, std::string_view text) noexcept;
// Copies the buffer's contents and releases it. Empty for a null buffer.
std::string Take(berth_buffer& buffer);
// Releases a buffer that is not needed.
void Release(berth_buffer& buffer) noexcept;

int32_t StatusCodeOf(ErrorCode code) noexcept;
ErrorCode ErrorCodeOf(int32_t status) noexcept;

// Runs fn (which returns the reply as JSON) and turns the outcome into a C
// status: the reply's text, or the error's message. Never throws.
template <typename Fn>
int32_t Answer(Fn&& fn, berth_buffer* reply, berth_buffer* error) noexcept {
  try {
    nlohmann::json result = fn();
    if (reply != nullptr) Fill(reply, result.dump());
    return BERTH_STATUS_OK;
  } catch (...) {
    Status status = StatusFromCurrentException();
    if (error != nullptr) Fill(error, status.message());
    return StatusCodeOf(status.code());
  }
}

// The same for calls that reply with nothing but a status.
template <typename Fn>
int32_t AnswerStatus(Fn&& fn, berth_buffer* error) noexcept {
  return Answer([&] { fn(); return nlohmann::json::object(); }, nullptr, error);
}

}  // namespace berth::abi

#endif  // BERTH_ABI_BUFFER_H_
