// What a call throws, as text: most refusal tests compare the whole message.
#ifndef BERTH_TESTS_SUPPORT_ERROR_MESSAGE_H_
#define BERTH_TESTS_SUPPORT_ERROR_MESSAGE_H_

#include <functional>
#include <string>

#include "berth/error.h"

namespace berth::testing {

// The message of the Error `fn` throws ("" when it throws none); its code
// goes to `code` when given.
inline std::string ErrorMessageOf(const std::function<void()>& fn, ErrorCode* code = nullptr) {
  try {
    fn();
  } catch (const Error& e) {
    if (code) *code = e.code();
    return e.what();
  }
  return "";
}

}  // namespace berth::testing

#endif  // BERTH_TESTS_SUPPORT_ERROR_MESSAGE_H_
