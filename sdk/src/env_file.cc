#include "berth/util/env_file.h"

#include <sys/stat.h>

#include "berth/error.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"

namespace berth {
namespace {

bool IsNameChar(char c, bool first) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || (!first && (c >= '0' && c <= '9')) ||
         (!first && (c == '.' || c == '-'));
}

}  // namespace

std::map<std::string, SecretValue> ParseEnvFile(std::string_view text, const std::string& source) {
  std::map<std::string, SecretValue> values;
  size_t pos = 0;
  int line = 0;
  auto fail = [&](int at, const std::string& problem) -> Error {
    return Error(ErrorCode::kInvalidInput, source + ":" + std::to_string(at) + ": " + problem);
  };
  while (pos < text.size()) {
    ++line;
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view current = text.substr(pos, end - pos);
    size_t next = end + 1;
    size_t i = current.find_first_not_of(" \t\r");
    if (i == std::string_view::npos || current[i] == '#') {
      pos = next;
      continue;
    }
    if (current.substr(i, 7) == "export ") i = current.find_first_not_of(' ', i + 7);
    size_t name_start = i;
    while (i < current.size() && IsNameChar(current[i], i == name_start)) ++i;
    std::string name(current.substr(name_start, i - name_start));
    if (name.empty()) throw fail(line, "expected NAME=VALUE");
    while (i < current.size() && (current[i] == ' ' || current[i] == '\t')) ++i;
    if (i >= current.size() || current[i] != '=') throw fail(line, "expected '=' after " + name);
    ++i;
    while (i < current.size() && (current[i] == ' ' || current[i] == '\t')) ++i;
    std::string value;
    int start_line = line;
    if (i < current.size() && (current[i] == '"' || current[i] == '\'')) {
      char quote = current[i];
      size_t at = pos + i + 1;
      bool closed = false;
      while (at < text.size()) {
        char c = text[at];
        if (c == quote) {
          closed = true;
          ++at;
          break;
        }
        if (c == '\n') ++line;
        if (quote == '"' && c == '\\' && at + 1 < text.size()) {
          char e = text[++at];
          value += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
        } else {
          value += c;
        }
        ++at;
      }
      if (!closed) throw fail(start_line, "unterminated quoted value for " + name);
      size_t rest_end = text.find('\n', at);
      if (rest_end == std::string_view::npos) rest_end = text.size();
      std::string_view rest = text.substr(at, rest_end - at);
      size_t junk = rest.find_first_not_of(" \t\r");
      if (junk != std::string_view::npos && rest[junk] != '#') throw fail(line, "unexpected text after the quoted value of " + name);
      next = rest_end + 1;
    } else {
      std::string_view raw = current.substr(i);
      size_t comment = raw.find(" #");
      if (comment != std::string_view::npos) raw = raw.substr(0, comment);
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\r')) raw.remove_suffix(1);
      value = std::string(raw);
    }
    values.insert_or_assign(name, SecretValue(std::move(value)));
    pos = next;
  }
  return values;
}

std::map<std::string, SecretValue> LoadEnvFile(const std::filesystem::path& path) {
  // The same warning as for .asap-config: env files hold secret values too.
  struct stat info {};
  if (stat(path.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
    log::Warn("{} holds secrets but is readable by others (mode {:o}); run: chmod 600 {}", path.string(), info.st_mode & 0777,
              path.string());
  }
  SecretValue text(ReadFile(path));
  return ParseEnvFile(text.Reveal(), path.string());
}

}  // namespace berth
