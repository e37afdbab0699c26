// The "process.run" host service: a plugin's child process, started by the
// host with RunProcess (which refuses an argv holding a registered secret).
#include <chrono>

#include "berth/error.h"
#include "berth/util/base64.h"
#include "berth/util/host_services.h"
#include "berth/util/process.h"

namespace berth {
namespace {

Error Invalid(const std::string& problem) { return Error(ErrorCode::kInvalidInput, "process.run: " + problem); }

template <typename T>
T Field(const nlohmann::json& request, const char* name, T fallback) {
  if (!request.contains(name)) return fallback;
  try {
    return request.at(name).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Invalid(std::string("field '") + name + "' has the wrong type");
  }
}

}  // namespace

nlohmann::json ServeProcessRun(const nlohmann::json& request) {
  if (!request.is_object()) throw Invalid("the request is not a JSON object");
  auto argv = Field(request, "argv", std::vector<std::string>{});
  if (argv.empty() || argv[0].empty()) throw Invalid("argv is empty");
  ProcessOptions options;
  if (request.contains("stdin_base64")) {
    auto data = Base64Decode(Field(request, "stdin_base64", std::string()));
    if (!data) throw Invalid("stdin_base64 is not base64");
    options.stdin_data = std::move(*data);
  }
  options.env_set = Field(request, "env_set", std::map<std::string, std::string>{});
  options.env_unset = Field(request, "env_unset", std::vector<std::string>{});
  if (request.contains("cwd")) options.cwd = Field(request, "cwd", std::string());
  if (request.contains("timeout_ms")) {
    int64_t timeout = Field(request, "timeout_ms", int64_t{0});
    if (timeout <= 0) throw Invalid("timeout_ms must be positive");
    options.timeout = std::chrono::milliseconds(timeout);
  }
  options.inherit_stderr = Field(request, "inherit_stderr", false);
  ProcessResult result = RunProcess(argv, options);
  return {{"exit_code", result.exit_code},
          {"timed_out", result.timed_out},
          {"stdout_base64", Base64Encode(result.stdout_data)},
          {"stderr_base64", Base64Encode(result.stderr_data)}};
}

}  // namespace berth
