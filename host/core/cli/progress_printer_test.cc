#include "core/cli/progress_printer.h"

#include <gtest/gtest.h>

#include <sstream>

namespace berth::host {
namespace {

oci::Descriptor Blob(int64_t size) {
  oci::Descriptor blob;
  blob.digest = Digest::Of("layer");
  blob.size = size;
  return blob;
}

TEST(ProgressFormatTest, BytesRatesAndLines) {
  EXPECT_EQ(oci::FormatBytes(0), "0 B");
  EXPECT_EQ(oci::FormatBytes(1023), "1023 B");
  EXPECT_EQ(oci::FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(oci::FormatBytes(48ll << 20), "48.0 MiB");
  EXPECT_EQ(oci::FormatBytes((5ll << 30) / 4), "1.25 GiB");
  EXPECT_EQ(oci::FormatRate(8ll << 20, 2.0), "4.0 MiB/s");
  EXPECT_EQ(oci::FormatRate(100, 0), "-");
  const Digest digest = Digest::Of("layer");
  const std::string short_digest = "sha256:" + digest.hex().substr(0, 12);
  EXPECT_EQ(oci::FormatBlobProgress(digest, 12ll << 20, 48ll << 20, 1.5), short_digest + "  12.0 MiB / 48.0 MiB  25%  8.0 MiB/s");
  EXPECT_EQ(oci::FormatBlobProgress(digest, 0, 0, 0), short_digest + "  0 B / 0 B  100%  -");
  EXPECT_EQ(oci::FormatBlobProgress(digest, 2ll << 20, 48ll << 20, 0.2), short_digest + "  2.0 MiB / 48.0 MiB  4%  -");
  EXPECT_EQ(oci::FormatBlobDone("r:5000/a:1", digest, oci::BlobOutcome::kUploaded, 48ll << 20, 6.0),
            "r:5000/a:1: " + short_digest + " copied, 48.0 MiB in 6.0 s (8.0 MiB/s)");
  EXPECT_EQ(oci::FormatBlobDone("r:5000/a:1", digest, oci::BlobOutcome::kExisted, 10, 0), "r:5000/a:1: " + short_digest + " already there");
  EXPECT_EQ(oci::FormatBlobDone("r:5000/a:1", digest, oci::BlobOutcome::kMounted, 10, 0), "r:5000/a:1: " + short_digest + " mounted");
}

TEST(ProgressPrinterTest, WithoutATerminalOnlyFinishedBlobsGetALine) {
  std::ostringstream out;
  {
    ProgressPrinter printer(out, false);
    printer.BlobBytes(Blob(2048), 1024);
    printer.BlobBytes(Blob(2048), 1024);
    EXPECT_EQ(out.str(), "");
    printer.BlobDone("r:5000/a:1", Blob(2048), oci::BlobOutcome::kUploaded);
    printer.BlobDone("r:6000/b:1", Blob(2048), oci::BlobOutcome::kExisted);
  }
  std::string text = out.str();
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
  EXPECT_EQ(text.find("\033"), std::string::npos) << text;
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
  EXPECT_EQ(text.find("r:5000/a:1: sha256:"), 0u) << text;
  EXPECT_NE(text.find(" copied, 2.0 KiB in "), std::string::npos) << text;
  EXPECT_NE(text.find("r:6000/b:1: sha256:"), std::string::npos) << text;
}

TEST(ProgressPrinterTest, OnATerminalTheStatusLineIsRedrawnAndClearedBeforeEachFinishedLine) {
  std::ostringstream out;
  {
    ProgressPrinter printer(out, true);
    printer.BlobBytes(Blob(4096), 1024);  // First bytes draw at once.
    EXPECT_NE(out.str().find("\r\033[Ksha256:"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("1.0 KiB / 4.0 KiB  25%"), std::string::npos) << out.str();
    printer.BlobBytes(Blob(4096), 3072);
    printer.BlobDone("r:5000/a:1", Blob(4096), oci::BlobOutcome::kUploaded);
  }
  std::string text = out.str();
  size_t done = text.find("r:5000/a:1: sha256:");
  ASSERT_NE(done, std::string::npos) << text;
  EXPECT_EQ(text.substr(done - 4, 4), "\r\033[K") << text;  // The status line was cleared first.
  EXPECT_EQ(text.back(), '\n') << text;                     // Nothing in flight: no status line left behind.
}

}  // namespace
}  // namespace berth::host
