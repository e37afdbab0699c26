// Reads .env files (KEY=VALUE per line) into secret values.
//
// Accepted: blank lines and # comments, an optional "export " prefix,
// unquoted values (trailing whitespace trimmed), 'single-quoted' literal
// values, and "double-quoted" values with \n, \t, \\ and \" escapes that may
// span several lines (PEM keys survive intact).
#ifndef BERTH_UTIL_ENV_FILE_H_
#define BERTH_UTIL_ENV_FILE_H_

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "berth/secret.h"

namespace berth {

// Throws Error(kInvalidInput) naming `source` and the line for bad syntax.
std::map<std::string, SecretValue> ParseEnvFile(std::string_view text, const std::string& source);
std::map<std::string, SecretValue> LoadEnvFile(const std::filesystem::path& path);

}  // namespace berth

#endif  // BERTH_UTIL_ENV_FILE_H_
