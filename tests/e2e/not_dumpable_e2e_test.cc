// berth is not dumpable while it runs (prctl PR_SET_DUMPABLE 0 in main): no
// core file with its secrets, no ptrace or /proc/PID/mem from other processes
// of the same user. The kernel shows it in /proc: the entries of a
// non-dumpable process belong to root, not to the process's user. So berth is
// run as an unprivileged uid (the test runs as root and drops to 12345 in the
// child), blocked reading a password from stdin, and /proc/PID/status's owner
// is read: 12345 without the fix, 0 with it.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "berth/util/fs.h"

namespace berth {
namespace {

constexpr uid_t kUser = 12345;

TEST(NotDumpableE2eTest, ARunningBerthIsNotDumpable) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run berth as another uid";
  TempDir home("berth-dumpable");
  ASSERT_EQ(chown(home.path().c_str(), kUser, kUser), 0);
  int in[2], ready[2];
  ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(ready, O_CLOEXEC), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    if (setgid(kUser) != 0 || setuid(kUser) != 0) _exit(126);
    std::string home_env = "HOME=" + home.path().string();
    char* env[] = {home_env.data(), const_cast<char*>("PATH=/usr/bin:/bin"), nullptr};
    // login reads the password from stdin until EOF: berth waits there.
    execle(BERTH_BINARY, BERTH_BINARY, "login", "127.0.0.1:9", "--username", "u", "--password-stdin", nullptr, env);
    _exit(127);
  }
  close(in[0]);
  // Wait until the child is berth (exec done), then give main's first line time to run.
  std::string exe;
  for (int i = 0; i < 250 && !exe.ends_with("/berth"); ++i) {
    usleep(20000);
    char buffer[4096];
    ssize_t n = readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), buffer, sizeof(buffer));
    exe = n > 0 ? std::string(buffer, size_t(n)) : "";
  }
  usleep(300000);
  struct stat status {};
  int stat_result = stat(("/proc/" + std::to_string(pid) + "/status").c_str(), &status);
  close(in[1]);  // EOF: login goes on and fails to reach 127.0.0.1:9, or we kill it.
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  ASSERT_EQ(stat_result, 0);
  ASSERT_TRUE(exe.ends_with("/berth")) << exe;
  EXPECT_EQ(status.st_uid, 0u) << "berth runs dumpable: /proc/PID belongs to its uid " << status.st_uid;
}

}  // namespace
}  // namespace berth
