#include "core/cli/progress_printer.h"

#include "berth/util/redact.h"

namespace berth::host {
namespace {

constexpr auto kRedrawEvery = std::chrono::milliseconds(100);
constexpr size_t kStatusWidth = 150;

}  // namespace

ProgressPrinter::ProgressPrinter(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}

ProgressPrinter::~ProgressPrinter() {
  std::lock_guard<std::mutex> lock(mutex_);
  ClearStatus();
  out_.flush();
}

void ProgressPrinter::BlobBytes(const oci::Descriptor& blob, int64_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto [it, fresh] = blobs_.try_emplace(blob.digest.str());
  if (fresh) {
    it->second.total = blob.size;
    it->second.start = Clock::now();
  }
  it->second.done += bytes;
  if (terminal_) Redraw(false);
}

void ProgressPrinter::BlobDone(const std::string& destination, const oci::Descriptor& blob, oci::BlobOutcome outcome) {
  std::lock_guard<std::mutex> lock(mutex_);
  double seconds = 0;
  // Kept after it is done: other destinations of a fan-out report it too.
  if (auto it = blobs_.find(blob.digest.str()); it != blobs_.end()) {
    seconds = std::chrono::duration<double>(Clock::now() - it->second.start).count();
  }
  ClearStatus();
  out_ << Redact(oci::FormatBlobDone(destination, blob.digest, outcome, blob.size, seconds)) << "\n";
  if (terminal_) Redraw(true);
  out_.flush();
}

void ProgressPrinter::Redraw(bool force) {
  auto now = Clock::now();
  if (!force && now - last_draw_ < kRedrawEvery) return;
  last_draw_ = now;
  std::string line;
  for (const auto& [digest, blob] : blobs_) {
    if (blob.done >= blob.total) continue;
    double seconds = std::chrono::duration<double>(now - blob.start).count();
    line += (line.empty() ? "" : "  |  ") + oci::FormatBlobProgress(Digest::Parse(digest), blob.done, blob.total, seconds);
  }
  if (line.size() > kStatusWidth) line = line.substr(0, kStatusWidth - 3) + "...";
  if (line.empty()) {
    ClearStatus();
    return;
  }
  out_ << "\r\033[K" << line << std::flush;
  status_shown_ = true;
}

void ProgressPrinter::ClearStatus() {
  if (!status_shown_) return;
  out_ << "\r\033[K";
  status_shown_ = false;
}

}  // namespace berth::host
