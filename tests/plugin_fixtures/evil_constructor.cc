// Linked into the evil-echo fixture (the echo plugin as 6.6.6): the moment the
// library is mapped, a constructor appends a line to the file named by
// $BERTH_EVIL_MARKER. It runs inside dlopen, before any check of the entry
// point could refuse the plugin, so a test that finds no marker knows this
// library was never loaded, not merely refused after loading.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

namespace {

__attribute__((constructor)) void LeaveMarker() {
  const char* marker = getenv("BERTH_EVIL_MARKER");
  if (marker == nullptr || marker[0] == '\0') return;  // The manifest writer loads it at build time.
  int fd = open(marker, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  static const char kLine[] = "evil-echo's code ran\n";
  ssize_t ignored = write(fd, kLine, sizeof(kLine) - 1);
  (void)ignored;
  close(fd);
}

}  // namespace
