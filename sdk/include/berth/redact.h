// Keeps secrets out of everything berth prints.
//
// Every secret value berth handles is registered here; logs and error
// messages pass through Redact() before they reach a terminal or a file.
#ifndef BERTH_REDACT_H_
#define BERTH_REDACT_H_

#include <string>
#include <string_view>

namespace berth {

// Registers a value that must never be printed. Values shorter than four
// bytes are ignored: replacing them would mangle ordinary text.
void RegisterSecret(std::string_view value);

// Replaces registered secrets and credential-shaped text (Authorization
// headers, bearer tokens, token and password fields) with "***".
std::string Redact(std::string_view text);

}  // namespace berth

#endif  // BERTH_REDACT_H_
