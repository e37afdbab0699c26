// Runs child processes (credential helpers, atlas, builders) with pipes.
//
// Secrets go to a child through stdin or a PrivateTempFile, never argv: argv
// is visible to every user of the machine through /proc.
#ifndef BERTH_UTIL_PROCESS_H_
#define BERTH_UTIL_PROCESS_H_

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth {

struct ProcessOptions {
  std::string stdin_data;                       // Written to the child's stdin, then closed.
  std::map<std::string, std::string> env_set;   // Added to (or replacing in) the inherited environment.
  std::vector<std::string> env_unset;
  std::optional<std::filesystem::path> cwd;
  std::optional<std::chrono::milliseconds> timeout;
  bool inherit_stderr = false;                  // Let the child's stderr through to ours.
};

struct ProcessResult {
  int exit_code = -1;    // -1 when killed by a signal or timed out.
  bool timed_out = false;
  std::string stdout_data;
  std::string stderr_data;
};

// Throws Error(kFailure) when the program cannot be started at all.
ProcessResult RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// Searches PATH; nullopt when absent.
std::optional<std::filesystem::path> FindProgram(const std::string& name);

}  // namespace berth

#endif  // BERTH_UTIL_PROCESS_H_
