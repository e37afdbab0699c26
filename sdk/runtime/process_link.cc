// In a plugin, child processes are started by the host ("process.run"): it
// refuses an argv that holds any secret berth knows (the plugin's or
// another's), and its interrupt handling covers the child.
#include <chrono>

#include "berth/abi/host_link.h"
#include "berth/error.h"
#include "berth/util/base64.h"
#include "berth/util/process.h"

namespace berth {
namespace {

std::string Decoded(const nlohmann::json& reply, const char* field) {
  auto data = Base64Decode(reply.value(field, std::string()));
  if (!data) throw Error(ErrorCode::kPlugin, std::string("process.run: the host's ") + field + " is not base64");
  return std::move(*data);
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options) {
  nlohmann::json request = {{"argv", argv}};
  if (!options.stdin_data.empty()) request["stdin_base64"] = Base64Encode(options.stdin_data);
  if (!options.env_set.empty()) request["env_set"] = options.env_set;
  if (!options.env_unset.empty()) request["env_unset"] = options.env_unset;
  if (options.cwd) request["cwd"] = options.cwd->string();
  if (options.timeout) request["timeout_ms"] = options.timeout->count();
  if (options.inherit_stderr) request["inherit_stderr"] = true;
  nlohmann::json reply = abi::CallHost("process.run", request);
  // The request held the child's stdin and environment (secrets, often).
  if (request.contains("stdin_base64")) {
    std::string& text = request["stdin_base64"].get_ref<std::string&>();
    std::fill(text.begin(), text.end(), '\0');
  }
  ProcessResult result;
  result.exit_code = reply.value("exit_code", -1);
  result.timed_out = reply.value("timed_out", false);
  result.stdout_data = Decoded(reply, "stdout_base64");
  result.stderr_data = Decoded(reply, "stderr_base64");
  return result;
}

}  // namespace berth
