#include "password.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "berth/error.h"
#include "wiped_string.h"

namespace berth::cosign {
namespace {

constexpr char kCtrlC = 0x03;
constexpr char kCtrlD = 0x04;
constexpr char kBackspace = 0x08;
constexpr char kCtrlU = 0x15;
constexpr char kDelete = 0x7f;

void WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t written = write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    text.remove_prefix(size_t(written));
  }
}

// Puts the terminal back however the read ends.
class RawMode {
 public:
  explicit RawMode(int fd) : fd_(fd) {
    if (tcgetattr(fd_, &saved_) != 0) throw Error(ErrorCode::kFailure, "cannot read the terminal settings");
    termios raw = saved_;
    raw.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    // TCSAFLUSH drops anything typed before the prompt appeared.
    if (tcsetattr(fd_, TCSAFLUSH, &raw) != 0) throw Error(ErrorCode::kFailure, "cannot turn terminal echo off");
  }
  ~RawMode() { tcsetattr(fd_, TCSAFLUSH, &saved_); }
  RawMode(const RawMode&) = delete;
  RawMode& operator=(const RawMode&) = delete;

 private:
  int fd_;
  termios saved_{};
};

void EraseLastCharacter(std::string& line) {
  // Drop UTF-8 continuation bytes with their lead byte.
  while (!line.empty() && (static_cast<unsigned char>(line.back()) & 0xC0) == 0x80) line.pop_back();
  if (!line.empty()) line.pop_back();
}

}  // namespace

SecretValue ReadPasswordFromTerminal(int in_fd, int out_fd, const std::string& prompt) {
  WipedString line;
  line.value().reserve(1024);  // Growing would leave unwiped copies behind.
  {
    RawMode raw(in_fd);
    WriteAll(out_fd, prompt);
    while (true) {
      char c = 0;
      ssize_t got = read(in_fd, &c, 1);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0 || c == '\r' || c == '\n') break;
      if (c == kCtrlC) {
        WriteAll(out_fd, "\n");
        throw Error(ErrorCode::kInterrupted, "interrupted");
      }
      if (c == kCtrlD) {
        if (line.value().empty()) break;
        continue;
      }
      if (c == kDelete || c == kBackspace) {
        EraseLastCharacter(line.value());
        continue;
      }
      if (c == kCtrlU) {
        line = WipedString();
        continue;
      }
      line.value() += c;
    }
  }
  WriteAll(out_fd, "\n");
  return SecretValue(std::move(line.value()));
}

SecretValue GetPassword(const std::string& prompt, bool confirm) {
  if (const char* value = std::getenv(kPasswordEnv)) return SecretValue(value);
  int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(ErrorCode::kAuth, std::string("no password for the key: set ") + kPasswordEnv +
                                      " (it may be empty) or run berth on a terminal");
  }
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  SecretValue first = ReadPasswordFromTerminal(fd, fd, prompt);
  if (!confirm) return first;
  SecretValue second = ReadPasswordFromTerminal(fd, fd, "Enter password for private key again: ");
  if (first.Reveal() != second.Reveal()) throw Error(ErrorCode::kAuth, "the passwords do not match");
  return first;
}

}  // namespace berth::cosign
