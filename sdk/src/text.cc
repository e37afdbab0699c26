#include "berth/util/text.h"

#include <algorithm>
#include <vector>

namespace berth {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> Nearest(const std::string& typed, const std::set<std::string>& candidates,
                                   size_t max_distance) {
  std::optional<std::string> best;
  size_t best_distance = max_distance + 1;
  for (const auto& candidate : candidates) {
    size_t distance = EditDistance(typed, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

namespace {

// Length of the escape sequence starting at text[pos] == ESC (ECMA-48).
size_t EscapeLength(std::string_view text, size_t pos) {
  size_t i = pos + 1;
  if (i >= text.size()) return 1;
  char kind = text[i++];
  if (kind == '[') {  // CSI: parameters, intermediates, one final byte.
    while (i < text.size() && text[i] >= 0x20 && text[i] <= 0x3f) ++i;
    if (i < text.size() && text[i] >= 0x40 && text[i] <= 0x7e) ++i;
    return i - pos;
  }
  if (kind == ']' || kind == 'P' || kind == 'X' || kind == '^' || kind == '_') {  // OSC, DCS, SOS, PM, APC: up to BEL or ST.
    while (i < text.size() && text[i] != '\a' && !(text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '\\')) ++i;
    if (i < text.size()) i += text[i] == '\a' ? 1 : 2;
    return i - pos;
  }
  // Other escapes: intermediates, then one final byte.
  i = pos + 1;
  while (i < text.size() && text[i] >= 0x20 && text[i] <= 0x2f) ++i;
  if (i < text.size() && text[i] >= 0x30 && text[i] <= 0x7e) ++i;
  return i - pos;
}

// Length of the valid UTF-8 sequence at text[pos] (a byte >= 0x80), or 0.
size_t Utf8Length(std::string_view text, size_t pos) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(pos);
  size_t length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length == 0 || pos + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xc0) != 0x80) return 0;
  }
  if (lead == 0xe0 && byte(pos + 1) < 0xa0) return 0;   // Overlong.
  if (lead == 0xed && byte(pos + 1) >= 0xa0) return 0;  // Surrogates.
  if (lead == 0xf0 && byte(pos + 1) < 0x90) return 0;   // Overlong.
  if (lead == 0xf4 && byte(pos + 1) >= 0x90) return 0;  // Past U+10FFFF.
  return length;
}

}  // namespace

std::optional<size_t> FirstInvalidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t length = Utf8Length(text, i);
    if (length == 0) return i;
    i += length;
  }
  return std::nullopt;
}

std::string StripControl(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0x1b) {
      i += EscapeLength(text, i);
    } else if (c == '\t' || c == '\n' || c == '\r') {
      out += ' ';
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      ++i;
    } else if (c < 0x80) {
      out += char(c);
      ++i;
    } else if (size_t length = Utf8Length(text, i); length == 0) {
      out += '?';
      ++i;
    } else {
      bool c1 = c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0;  // U+0080..U+009F.
      if (!c1) out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

std::string DidYouMean(const std::string& typed, const std::set<std::string>& candidates) {
  std::optional<std::string> nearest = Nearest(typed, candidates);
  return nearest ? " (did you mean '" + *nearest + "'?)" : "";
}

std::string JsonPointerToken(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace berth
