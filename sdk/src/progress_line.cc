// The host's ReportProgress, and the "progress" service plugins reach it by.
#include <iostream>

#include "berth/error.h"
#include "berth/util/host_services.h"
#include "berth/util/log.h"
#include "berth/util/progress.h"
#include "berth/util/redact.h"

namespace berth {

void ReportProgress(std::string_view line) {
  // -q sets the level to errors only; progress goes with warnings.
  if (!log::Enabled(log::Level::kWarn)) return;
  std::cerr << Redact(line) << std::endl;
}

nlohmann::json ServeProgress(const nlohmann::json& request) {
  if (!request.is_object() || !request.contains("line") || !request["line"].is_string()) {
    throw Error(ErrorCode::kInvalidInput, "progress: the request has no text field 'line'");
  }
  ReportProgress(request["line"].get<std::string>());
  return nlohmann::json::object();
}

}  // namespace berth
