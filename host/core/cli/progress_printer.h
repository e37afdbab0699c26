// Progress of push/pull/copy on stderr (never stdout, which carries -o
// json): on a terminal one status line redrawn in place with each blob in
// flight (bytes / total, rate) plus a line per finished blob; otherwise only
// the line per finished blob. Off with -q.
#ifndef BERTH_HOST_CORE_CLI_PROGRESS_PRINTER_H_
#define BERTH_HOST_CORE_CLI_PROGRESS_PRINTER_H_

#include <chrono>
#include <map>
#include <mutex>
#include <ostream>
#include <string>

#include "berth/oci/progress.h"

namespace berth::host {

class ProgressPrinter : public oci::CopyObserver {
 public:
  ProgressPrinter(std::ostream& out, bool terminal);
  ~ProgressPrinter() override;  // Clears the status line.
  void BlobBytes(const oci::Descriptor& blob, int64_t bytes) override;
  void BlobDone(const std::string& destination, const oci::Descriptor& blob, oci::BlobOutcome outcome) override;

 private:
  using Clock = std::chrono::steady_clock;
  struct InFlight {
    int64_t done = 0;
    int64_t total = 0;
    Clock::time_point start;
  };
  void Redraw(bool force);  // Under mutex_.
  void ClearStatus();       // Under mutex_.

  std::ostream& out_;
  const bool terminal_;
  std::mutex mutex_;
  std::map<std::string, InFlight> blobs_;  // By digest.
  Clock::time_point last_draw_{};
  bool status_shown_ = false;
};

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_CLI_PROGRESS_PRINTER_H_
