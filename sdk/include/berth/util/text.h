// Small text helpers shared by the host and plugins.
#ifndef BERTH_UTIL_TEXT_H_
#define BERTH_UTIL_TEXT_H_

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace berth {

// Text a server sent (a registry's error message, a Warning header, an API's
// error detail) made safe to print: escape sequences (CSI "ESC [ ... m",
// OSC "ESC ] ... BEL" which can retitle a terminal or plant a hyperlink, and
// the other ESC forms) are removed whole; other C0 controls, DEL and the C1
// controls U+0080..U+009F (which terminals also obey) are dropped; tab, CR
// and LF become spaces, so the result is one line; bytes that are not UTF-8
// become '?'. Everything else, including non-ASCII letters, is kept.
std::string StripControl(std::string_view text);

// The offset of the first byte that does not begin a valid UTF-8 sequence
// (overlong forms and surrogates included), or nullopt for valid UTF-8: for
// files whose values later become JSON, which holds only UTF-8.
std::optional<size_t> FirstInvalidUtf8(std::string_view text);

// Levenshtein distance: how "did you mean ...?" suggestions pick the nearest
// command, field or setting name.
size_t EditDistance(const std::string& a, const std::string& b);

// The candidate nearest to `typed` if it is at most `max_distance` edits away;
// a tie goes to the first candidate in order.
std::optional<std::string> Nearest(const std::string& typed, const std::set<std::string>& candidates,
                                   size_t max_distance = 2);

// " (did you mean 'x'?)" naming the nearest candidate, or "" when none is near:
// the tail of every "unknown field/setting" message.
std::string DidYouMean(const std::string& typed, const std::set<std::string>& candidates);

// A key as one token of a JSON pointer (RFC 6901): "~" is "~0", "/" is "~1".
std::string JsonPointerToken(std::string_view key);

// The items of any range of strings, `separator` between them.
template <typename Strings>
std::string Join(const Strings& items, std::string_view separator) {
  std::string joined;
  for (const auto& item : items) {
    if (!joined.empty()) joined += separator;
    joined += item;
  }
  return joined;
}

}  // namespace berth

#endif  // BERTH_UTIL_TEXT_H_
