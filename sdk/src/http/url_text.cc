// The URL helpers that are plain text work (no parser): compiled into the
// host and into plugins alike.
#include <cctype>

#include "berth/http/url.h"

namespace berth::http {

std::string AddQuery(std::string_view url, std::string_view name, std::string_view value) {
  std::string text(url);
  text += text.find('?') == std::string::npos ? '?' : '&';
  if (text.back() == '&' && text[text.size() - 2] == '?') text.pop_back();
  text += std::string(name) + "=" + UrlEncode(value);
  return text;
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string UrlScheme(std::string_view text) {
  size_t colon = text.find("://");
  return colon == std::string_view::npos ? "" : std::string(text.substr(0, colon));
}

}  // namespace berth::http
