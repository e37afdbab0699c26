#include "password.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <future>

#include "berth/error.h"
#include "test_util.h"

namespace berth::cosign {
namespace {

using testing::ScopedEnv;

// A pseudo-terminal: berth reads the slave side as a user's terminal, the
// test types on the master side and sees what the terminal would show.
class TerminalTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(openpty(&master_, &slave_, nullptr, nullptr, nullptr), 0); }
  void TearDown() override {
    close(master_);
    close(slave_);
  }

  // What the terminal shows, until `until` appears (or a second passes).
  std::string Screen(const std::string& until) {
    std::string seen;
    while (seen.find(until) == std::string::npos) {
      pollfd fd{master_, POLLIN, 0};
      if (poll(&fd, 1, 1000) <= 0) break;
      char buffer[256];
      ssize_t got = read(master_, buffer, sizeof(buffer));
      if (got <= 0) break;
      seen.append(buffer, size_t(got));
    }
    return seen;
  }
  void Type(const std::string& keys) { ASSERT_EQ(write(master_, keys.data(), keys.size()), ssize_t(keys.size())); }

  // Runs ReadPasswordFromTerminal, types once the prompt is shown, returns
  // the password and what the screen showed.
  std::pair<std::string, std::string> Enter(const std::string& keys) {
    auto reading = std::async(std::launch::async, [&] { return ReadPasswordFromTerminal(slave_, slave_, "Password: ").Reveal(); });
    std::string screen = Screen("Password: ");
    Type(keys);
    std::string password = reading.get();
    screen += Screen("\n");
    return {password, screen};
  }

  int master_ = -1;
  int slave_ = -1;
};

TEST_F(TerminalTest, ReadsALineWithoutEchoAndRestoresTheTerminal) {
  termios before{};
  ASSERT_EQ(tcgetattr(slave_, &before), 0);
  ASSERT_TRUE(before.c_lflag & ECHO);
  auto [password, screen] = Enter("correct horse\r");
  EXPECT_EQ(password, "correct horse");
  EXPECT_EQ(screen, "Password: \r\n");  // The prompt and the newline; never the password.
  termios after{};
  ASSERT_EQ(tcgetattr(slave_, &after), 0);
  EXPECT_EQ(after.c_lflag, before.c_lflag);
}

TEST_F(TerminalTest, BackspaceAndCtrlUEditTheLine) {
  EXPECT_EQ(Enter("abX\x7f" "c\n").first, "abc");
  EXPECT_EQ(Enter("wrong\x15right\r").first, "right");
  EXPECT_EQ(Enter("p\xC3\xA9\x7f" "e\r").first, "pe");  // A two-byte character is erased whole.
  EXPECT_EQ(Enter("\r").first, "");                       // An empty password is allowed.
}

TEST_F(TerminalTest, CtrlCInterruptsAndRestoresEcho) {
  auto reading = std::async(std::launch::async, [&] { return ReadPasswordFromTerminal(slave_, slave_, "Password: "); });
  Screen("Password: ");
  Type("abc\x03");
  try {
    reading.get();
    FAIL() << "Ctrl-C did not interrupt";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInterrupted);
  }
  termios after{};
  ASSERT_EQ(tcgetattr(slave_, &after), 0);
  EXPECT_TRUE(after.c_lflag & ECHO);
  EXPECT_TRUE(after.c_lflag & ICANON);
}

TEST(PasswordTest, CosignPasswordWinsAndMayBeEmpty) {
  {
    ScopedEnv env(kPasswordEnv, "from-env");
    EXPECT_EQ(GetPassword("p: ", true).Reveal(), "from-env");
  }
  ScopedEnv env(kPasswordEnv, "");
  EXPECT_EQ(GetPassword("p: ", false).Reveal(), "");
}

TEST(PasswordDeathTest, WithoutVariableOrTerminalItRefuses) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        setsid();  // A new session has no controlling terminal.
        unsetenv(kPasswordEnv);
        try {
          GetPassword("p: ", false);
        } catch (const Error& e) {
          fprintf(stderr, "%s\n", e.what());
          _exit(int(e.code()));
        }
        _exit(0);
      },
      ::testing::ExitedWithCode(int(ErrorCode::kAuth)),
      "no password for the key: set COSIGN_PASSWORD \\(it may be empty\\) or run berth on a terminal");
}

}  // namespace
}  // namespace berth::cosign
