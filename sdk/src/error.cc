#include "berth/error.h"

namespace berth {

const char* ErrorCodeName(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kFailure: return "failure";
    case ErrorCode::kUsage: return "usage";
    case ErrorCode::kInvalidInput: return "invalid-input";
    case ErrorCode::kPlugin: return "plugin";
    case ErrorCode::kVerification: return "verification";
    case ErrorCode::kNotFound: return "not-found";
    case ErrorCode::kAuth: return "auth";
    case ErrorCode::kDeploy: return "deploy";
    case ErrorCode::kInterrupted: return "interrupted";
  }
  return "unknown";
}

}  // namespace berth
