#include "atlas_cli.h"

#include <fmt/ranges.h>

#include <cctype>
#include <filesystem>
#include <iterator>

#include "berth/util/log.h"
#include "berth/util/process.h"

namespace berth::micros {
namespace {

// atlas prints "Error: <message>" (plus a usage hint) on stderr.
std::string FailureMessage(const std::string& stderr_text) {
  std::string first;
  size_t pos = 0;
  while (pos < stderr_text.size()) {
    size_t end = stderr_text.find('\n', pos);
    if (end == std::string::npos) end = stderr_text.size();
    std::string line = stderr_text.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind("Error: ", 0) == 0) return line.substr(7);
    if (first.empty() && line.find_first_not_of(" \t\r") != std::string::npos) first = line;
  }
  return first.empty() ? "no message" : first;
}

// berth's credentials for other platforms, which atlas never needs (it has
// its own login): whatever atlas is, it does not get them.
constexpr const char* kNotForAtlas[] = {"GH_TOKEN",          "GITHUB_TOKEN",      "GH_ENTERPRISE_TOKEN",
                                        "GITHUB_ENTERPRISE_TOKEN", "BERTH_GHCR_TOKEN_FILE", "GOOGLE_APPLICATION_CREDENTIALS",
                                        "ARTIFACTORY_TOKEN", "COSIGN_PASSWORD", "ASAP_PRIVATE_KEY"};

}  // namespace

bool SaysNotFound(const std::string& message) {
  std::string lower = message;
  for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("not found") != std::string::npos || lower.find("does not exist") != std::string::npos;
}

std::string CommandWords(const std::vector<std::string>& args) {
  std::string words = "atlas micros";
  for (const auto& arg : args) {
    if (arg.empty() || arg[0] == '-') break;
    words += " " + arg;
  }
  return words;
}

AtlasCli::AtlasCli(std::string program, std::chrono::seconds timeout) : program_(std::move(program)), timeout_(timeout) {}

std::string AtlasCli::Describe() {
  try {
    return std::filesystem::absolute(Program()).lexically_normal().string();
  } catch (const Error&) {
    return program_ + " (not found)";
  }
}

std::string AtlasCli::Program() {
  if (resolved_.empty()) {
    auto found = FindProgram(program_);
    if (!found) {
      throw Error(ErrorCode::kNotFound, "atlas CLI not found: '" + program_ +
                                            "' (install it, or set the environment's target.atlas to its path)");
    }
    resolved_ = found->string();
  }
  return resolved_;
}

Result<nlohmann::json> AtlasCli::Try(const std::vector<std::string>& args, std::optional<std::chrono::seconds> timeout) {
  std::vector<std::string> argv = {Program(), "micros"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--output", "json"});
  log::Info("{}", fmt::join(argv, " "));
  ProcessOptions options;
  options.timeout = timeout.value_or(timeout_);
  options.env_unset.assign(std::begin(kNotForAtlas), std::end(kNotForAtlas));
  auto started = std::chrono::steady_clock::now();
  ProcessResult result = RunProcess(argv, options);
  log::Debug("{} exited {} after {} ms", CommandWords(args), result.exit_code,
             std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
  if (result.timed_out) {
    return Status(ErrorCode::kFailure, "did not finish within " + std::to_string(options.timeout->count() / 1000) + "s");
  }
  if (result.exit_code != 0) {
    log::Debug("{} stderr: {}", CommandWords(args), result.stderr_data);
    return Status(ErrorCode::kFailure, FailureMessage(result.stderr_data));
  }
  try {
    return nlohmann::json::parse(result.stdout_data);
  } catch (const nlohmann::json::parse_error&) {
    throw Error(ErrorCode::kFailure, CommandWords(args) + " answered something that is not JSON (is '" + program_ +
                                         "' the atlas CLI?)");
  }
}

nlohmann::json AtlasCli::Run(const std::vector<std::string>& args, ErrorCode code, std::optional<std::chrono::seconds> timeout) {
  Result<nlohmann::json> result = Try(args, timeout);
  if (!result.ok()) throw Error(code, CommandWords(args) + " failed: " + result.status().message());
  return std::move(result).value();
}

}  // namespace berth::micros
