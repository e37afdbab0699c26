// berth: a thin main over the host core library (host/core).
#include <sys/prctl.h>

#include "core/host.h"
#include "core/plugins/own_plugins.h"

int main(int argc, char** argv) {
  // berth holds registry passwords, tokens and keys in memory: no core file
  // may write them to disk, and other processes of the same user may not
  // ptrace it or read its /proc/PID/mem (issue 14).
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  return berth::host::Main(argc, argv, berth::host::BerthOwnPlugins());
}
