#include "berth_runner.h"

#include <gtest/gtest.h>

namespace berth::testing {

BerthRunner::BerthRunner() : home_("berth-e2e") {
  std::filesystem::create_directories(work_dir());
  env_["HOME"] = home_.path().string();
  env_["XDG_DATA_HOME"] = (home_.path() / "data").string();
  env_["XDG_CONFIG_HOME"] = (home_.path() / "config").string();
  env_["DOCKER_CONFIG"] = (home_.path() / "docker").string();
  env_["BERTH_PLUGIN_PATH"] = "";
  env_["NO_COLOR"] = "1";
}

ProcessResult BerthRunner::Run(const std::vector<std::string>& args, const std::string& stdin_data) const {
  std::vector<std::string> argv = {BERTH_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.env_set = env_;
  options.cwd = work_dir();
  options.stdin_data = stdin_data;
  options.timeout = std::chrono::seconds(120);
  return RunProcess(argv, options);
}

ProcessResult BerthRunner::RunUnder(const std::vector<std::string>& prefix, const std::vector<std::string>& args) const {
  std::vector<std::string> argv = prefix;
  argv.push_back(BERTH_BINARY);
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.env_set = env_;
  options.cwd = work_dir();
  options.timeout = std::chrono::seconds(120);
  return RunProcess(argv, options);
}

nlohmann::json BerthRunner::Json(const std::vector<std::string>& args) const {
  std::vector<std::string> with_json = args;
  with_json.insert(with_json.end(), {"-o", "json"});
  ProcessResult result = Run(with_json);
  EXPECT_EQ(result.exit_code, 0) << Describe(result);
  try {
    return nlohmann::json::parse(result.stdout_data);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON: " << Describe(result);
    return nullptr;
  }
}

std::string Describe(const ProcessResult& result) {
  return "exit=" + std::to_string(result.exit_code) + "\nstdout=" + result.stdout_data + "\nstderr=" + result.stderr_data;
}

}  // namespace berth::testing
