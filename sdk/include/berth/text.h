// Small text helpers shared by the host and plugins.
#ifndef BERTH_TEXT_H_
#define BERTH_TEXT_H_

#include <cstddef>
#include <string>

namespace berth {

// Levenshtein distance: how "did you mean ...?" suggestions pick the nearest
// command, field or setting name.
size_t EditDistance(const std::string& a, const std::string& b);

}  // namespace berth

#endif  // BERTH_TEXT_H_
