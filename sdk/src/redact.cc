#include "berth/util/redact.h"

#include <array>
#include <cctype>
#include <mutex>
#include <set>

namespace berth {
namespace {

// Redact() runs on every log line and error message, including text a
// registry sent (a 60 KB error detail, say). std::regex recursed once per
// character there and overflowed the stack, so every pass below is a plain
// left-to-right scan: each character is looked at a bounded number of times.

constexpr std::string_view kMask = "***";

struct SecretSet {
  std::mutex mutex;
  // Longest first, so a secret that contains another is masked whole.
  std::set<std::string, bool (*)(const std::string&, const std::string&)> values{
      [](const std::string& a, const std::string& b) { return a.size() != b.size() ? a.size() > b.size() : a < b; }};
};

SecretSet& Secrets() {
  static auto* secrets = new SecretSet();  // Never destroyed: logging may run during exit.
  return *secrets;
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }
// What std::regex's \s matched, kept so that the contexts below mask what they did.
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
// Characters of a bearer token or base64 credential.
bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '~' || c == '+' ||
         c == '/' || c == '=' || c == '-';
}
// Characters of one base64url segment of a JWT.
bool IsJwtChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-'; }

// A word starts at `pos` (what \b before a word character means).
bool AtWordStart(std::string_view text, size_t pos) { return pos == 0 || !IsWordChar(text[pos - 1]); }

bool HasAt(std::string_view text, size_t pos, std::string_view word) { return text.substr(pos, word.size()) == word; }

bool HasAtIgnoreCase(std::string_view text, size_t pos, std::string_view word) {
  if (text.size() - pos < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[pos + i])) != word[i]) return false;
  }
  return true;
}

size_t SkipWhile(std::string_view text, size_t pos, bool (*keep)(char)) {
  while (pos < text.size() && keep(text[pos])) ++pos;
  return pos;
}

// Replaces every occurrence of `secret`, one pass.
std::string ReplaceLiteral(std::string_view text, std::string_view secret) {
  std::string out;
  out.reserve(text.size());
  size_t from = 0;
  for (size_t at; (at = text.find(secret, from)) != std::string_view::npos; from = at + secret.size()) {
    out.append(text.substr(from, at - from)).append(kMask);
  }
  out.append(text.substr(from));
  return out;
}

// "Authorization: <anything up to the end of the line>" (and Proxy-Authorization,
// which ends in the same word), any case.
std::string MaskAuthorizationHeaders(std::string_view text) {
  constexpr std::string_view kName = "authorization";
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (HasAtIgnoreCase(text, i, kName)) {
      size_t colon = SkipWhile(text, i + kName.size(), IsSpace);
      if (colon < text.size() && text[colon] == ':') {
        size_t end = SkipWhile(text, colon + 1, IsSpace);
        while (end < text.size() && text[end] != '\r' && text[end] != '\n') ++end;
        out.append(text.substr(i, kName.size())).append(": ").append(kMask);
        i = end;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

// "Bearer <token>" and "Basic <base64>", where the credential has 8 or more
// token characters ("Basic realm=" stays).
std::string MaskSchemeCredentials(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    std::string_view scheme = HasAt(text, i, "Bearer") ? "Bearer" : HasAt(text, i, "Basic") ? "Basic" : "";
    if (!scheme.empty() && AtWordStart(text, i)) {
      size_t start = SkipWhile(text, i + scheme.size(), IsSpace);
      size_t end = SkipWhile(text, start, IsTokenChar);
      if (start > i + scheme.size() && end - start >= 8) {
        out.append(scheme).append(" ").append(kMask);
        i = end;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

// "token": "<value>" in JSON bodies; the value ends at its unescaped closing
// quote, or at the end of the text when the body was cut short.
std::string MaskJsonFields(std::string_view text) {
  static constexpr std::array<std::string_view, 13> kKeys = {
      "token",         "access_token", "refresh_token", "id_token", "password",      "secret",    "identitytoken",
      "registrytoken", "auth",         "Secret",        "private_key", "client_secret", "assertion"};
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '"') {
      size_t value = std::string_view::npos;
      for (std::string_view key : kKeys) {
        size_t after = i + 1 + key.size();
        if (!HasAt(text, i + 1, key) || after >= text.size() || text[after] != '"') continue;
        size_t colon = SkipWhile(text, after + 1, IsSpace);
        if (colon >= text.size() || text[colon] != ':') break;
        size_t quote = SkipWhile(text, colon + 1, IsSpace);
        if (quote < text.size() && text[quote] == '"') value = quote + 1;
        break;
      }
      if (value != std::string_view::npos) {
        size_t end = value;
        while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
        end = std::min(end, text.size());
        out.append(text.substr(i, value - i)).append(kMask);
        i = end;  // The closing quote, if any, is copied next.
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

// token=<value>, password=<value>... in query strings and form bodies.
std::string MaskFormFields(std::string_view text) {
  static constexpr std::array<std::string_view, 7> kKeys = {"access_token=", "refresh_token=", "id_token=",
                                                            "token=",        "password=",      "assertion=",
                                                            "client_secret="};
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (AtWordStart(text, i)) {
      bool masked = false;
      for (std::string_view key : kKeys) {
        if (!HasAt(text, i, key)) continue;
        size_t end = i + key.size();
        while (end < text.size() && text[end] != '&' && !IsSpace(text[end])) ++end;
        if (end > i + key.size()) {
          out.append(key).append(kMask);
          i = end;
          masked = true;
        }
        break;
      }
      if (masked) continue;
    }
    out += text[i++];
  }
  return out;
}

// A JWT (eyJ...header.payload.signature) wherever it appears.
std::string MaskJwts(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (HasAt(text, i, "eyJ") && AtWordStart(text, i)) {
      size_t header_end = SkipWhile(text, i + 3, IsJwtChar);
      bool ok = header_end - i >= 11 && header_end < text.size() && text[header_end] == '.';
      size_t payload_end = ok ? SkipWhile(text, header_end + 1, IsJwtChar) : header_end;
      ok = ok && payload_end - header_end - 1 >= 8 && payload_end < text.size() && text[payload_end] == '.';
      if (ok) {
        out.append(kMask);
        i = SkipWhile(text, payload_end + 1, IsJwtChar);
        continue;
      }
      // Any later start inside this run ends its header at the same place and
      // fails the same way: skip the run, which keeps the scan linear.
      out.append(text.substr(i, header_end - i));
      i = header_end;
      continue;
    }
    out += text[i++];
  }
  return out;
}

}  // namespace

namespace internal {

void RedactInThisModule(std::string_view value) {
  if (value.size() < kMinRedactedSecretLength) return;
  auto& secrets = Secrets();
  std::lock_guard<std::mutex> lock(secrets.mutex);
  secrets.values.emplace(value);
}

}  // namespace internal

bool HoldsRegisteredSecret(std::string_view text) {
  auto& secrets = Secrets();
  std::lock_guard<std::mutex> lock(secrets.mutex);
  for (const std::string& secret : secrets.values) {
    if (text.find(secret) != std::string_view::npos) return true;
  }
  return false;
}

std::string Redact(std::string_view text) {
  std::string result(text);
  {
    auto& secrets = Secrets();
    std::lock_guard<std::mutex> lock(secrets.mutex);
    for (const std::string& secret : secrets.values) {
      if (result.find(secret) != std::string::npos) result = ReplaceLiteral(result, secret);
    }
  }
  result = MaskAuthorizationHeaders(result);
  result = MaskSchemeCredentials(result);
  result = MaskJsonFields(result);
  result = MaskFormFields(result);
  return MaskJwts(result);
}

}  // namespace berth
