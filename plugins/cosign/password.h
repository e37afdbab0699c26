// The password of an encrypted key: COSIGN_PASSWORD when it is set (even to
// the empty string, as cosign allows), else a prompt on the controlling
// terminal with echo off. Never from argv, which every local user can read.
#ifndef BERTH_PLUGINS_COSIGN_PASSWORD_H_
#define BERTH_PLUGINS_COSIGN_PASSWORD_H_

#include <string>

#include "berth/secret.h"

namespace berth::cosign {

inline constexpr const char* kPasswordEnv = "COSIGN_PASSWORD";

// confirm: ask twice and insist both answers match (for a new key).
// Throws Error(kAuth) when there is neither the variable nor a terminal.
SecretValue GetPassword(const std::string& prompt, bool confirm);

// One line from a terminal with echo and signals off, so that Ctrl-C is seen
// here and the terminal is always restored. Backspace and Ctrl-U edit the
// line; Ctrl-C throws Error(kInterrupted). The prompt goes to out_fd.
SecretValue ReadPasswordFromTerminal(int in_fd, int out_fd, const std::string& prompt);

}  // namespace berth::cosign

#endif  // BERTH_PLUGINS_COSIGN_PASSWORD_H_
