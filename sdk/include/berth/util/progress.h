// Progress a person watches: one line per step of a long operation
// ("applied deployment shop", "Waiting for URL to be healthy: HTTP 503"),
// on stderr, never stdout (which carries results and -o json). Shown unless
// the user asked for quiet (-q); redacted like every line berth prints.
// In a plugin the host writes it (the "progress" service).
#ifndef BERTH_UTIL_PROGRESS_H_
#define BERTH_UTIL_PROGRESS_H_

#include <string_view>

namespace berth {

void ReportProgress(std::string_view line);

}  // namespace berth

#endif  // BERTH_UTIL_PROGRESS_H_
