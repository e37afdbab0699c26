#include "berth/util/process.h"

#include <gtest/gtest.h>

#include "berth/error.h"
#include "berth/util/redact.h"

namespace berth {
namespace {

TEST(ProcessTest, FeedsStdinAndCapturesBothStreams) {
  ProcessOptions options;
  options.stdin_data = std::string(200000, 'x');  // Larger than a pipe buffer.
  options.env_set["BERTH_TEST_VALUE"] = "42";
  auto result = RunProcess({"sh", "-c", "wc -c; echo $BERTH_TEST_VALUE >&2; exit 3"}, options);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.stdout_data, "200000\n");
  EXPECT_EQ(result.stderr_data, "42\n");
}

TEST(ProcessTest, TimesOutAndReportsMissingPrograms) {
  ProcessOptions options;
  options.timeout = std::chrono::milliseconds(200);
  auto result = RunProcess({"sleep", "5"}, options);
  EXPECT_TRUE(result.timed_out);
  EXPECT_THROW(RunProcess({"/nonexistent/berth-program"}), Error);
  EXPECT_FALSE(FindProgram("berth-no-such-program").has_value());
  EXPECT_TRUE(FindProgram("sh").has_value());
}

// argv is world-readable (/proc/PID/cmdline): a registered secret never
// gets there, neither whole nor inside a longer argument.
TEST(ProcessTest, RefusesAnArgvThatHoldsARegisteredSecret) {
  RegisterSecret("process-test-secret-1234");
  try {
    RunProcess({"/bin/echo", "--password=process-test-secret-1234"});
    FAIL() << "the secret reached argv";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(std::string(error.what()),
              "refusing to run echo: argument 1 holds a secret (secrets go to a program on stdin or in a 0600 file)");
  }
  ProcessOptions options;
  options.stdin_data = "process-test-secret-1234";
  EXPECT_EQ(RunProcess({"cat"}, options).stdout_data, "process-test-secret-1234");
}

}  // namespace
}  // namespace berth
