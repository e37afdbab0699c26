#include "core/plugins/plugin_crash.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <string>

#include "berth/abi/objects.h"
#include "berth/error.h"

namespace berth::host {
namespace {

// What this thread is doing in plugin code, innermost last. Fixed-size
// arrays, so that the signal handler reads them without allocating.
constexpr int kMaxDepth = 8;
constexpr size_t kMaxText = 96;
struct PluginCall {
  char plugin[kMaxText];
  char operation[kMaxText];
};
thread_local PluginCall t_calls[kMaxDepth];
thread_local int t_depth = 0;

void CopyText(char (&to)[kMaxText], const char* from) {
  strncpy(to, from, kMaxText - 1);
  to[kMaxText - 1] = '\0';
}

void ObserveCall(const std::string& plugin, const char* operation, bool entering) {
  if (!entering) {
    if (t_depth > 0) --t_depth;
    return;
  }
  if (t_depth < kMaxDepth) {
    CopyText(t_calls[t_depth].plugin, plugin.c_str());
    CopyText(t_calls[t_depth].operation, operation ? operation : "");
  }
  ++t_depth;
}

void Write(const char* text) {
  ssize_t ignored = write(STDERR_FILENO, text, strlen(text));
  (void)ignored;
}

const char* SignalName(int signal_number) {
  switch (signal_number) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGABRT: return "SIGABRT";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
  }
  return "a signal";
}

void OnCrash(int signal_number) {
  if (t_depth <= 0) {
    // Not in plugin code: berth's own crash, with the default action (the
    // handler was installed with SA_RESETHAND).
    raise(signal_number);
    return;
  }
  const PluginCall& call = t_calls[(t_depth <= kMaxDepth ? t_depth : kMaxDepth) - 1];
  Write("error: plugin ");
  Write(call.plugin);
  Write(" crashed (");
  Write(SignalName(signal_number));
  Write(") during ");
  Write(call.operation);
  Write("; this is a bug in the plugin, not in berth\n");
  _exit(static_cast<int>(ErrorCode::kPlugin));
}

}  // namespace

void InstallPluginCrashReporter() {
  abi::SetCallObserver(&ObserveCall);
  // A stack overflow in a plugin must still reach the handler.
  static char alternate_stack[64 * 1024];
  stack_t stack{};
  stack.ss_sp = alternate_stack;
  stack.ss_size = sizeof(alternate_stack);
  sigaltstack(&stack, nullptr);
  struct sigaction action {};
  action.sa_handler = &OnCrash;
  action.sa_flags = SA_RESETHAND | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (int signal_number : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL}) sigaction(signal_number, &action, nullptr);
}

}  // namespace berth::host
