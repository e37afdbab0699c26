// Runs a program on a pseudo-terminal, as if a person typed at it: for
// password prompts, which must read the terminal with echo off.
#ifndef BERTH_TESTS_E2E_TERMINAL_SESSION_H_
#define BERTH_TESTS_E2E_TERMINAL_SESSION_H_

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace berth::testing {

class TerminalSession {
 public:
  // Starts argv in a new session whose controlling terminal is the pty;
  // env entries are added to (or replace) the inherited environment.
  TerminalSession(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                  const std::filesystem::path& cwd);
  ~TerminalSession();
  TerminalSession(const TerminalSession&) = delete;
  TerminalSession& operator=(const TerminalSession&) = delete;

  // Reads output until text appears; false after the timeout or at EOF.
  bool Expect(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void Type(const std::string& keys);
  // Reads the rest and waits for the exit code (-1 on a signal).
  int Wait();
  // Everything the terminal showed so far.
  const std::string& transcript() const { return transcript_; }

 private:
  bool ReadSome(int timeout_ms);
  int master_ = -1;
  pid_t pid_ = -1;
  std::string transcript_;
};

// Runs argv without any controlling terminal (a new session, stdin from
// /dev/null), the way CI runs berth; returns exit code and stderr.
std::pair<int, std::string> RunWithoutTerminal(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                                               const std::filesystem::path& cwd);

}  // namespace berth::testing

#endif  // BERTH_TESTS_E2E_TERMINAL_SESSION_H_
