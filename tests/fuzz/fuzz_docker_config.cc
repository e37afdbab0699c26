// docker config.json (and DOCKER_AUTH_CONFIG, the same format inline): the
// input is the file. PATH points nowhere so no credential helper can run.
#include <cstdlib>

#include "berth/oci/credentials.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool environment = [] {
    const auto dir = berth::fuzz::ScratchDir() / "docker";
    setenv("DOCKER_CONFIG", dir.c_str(), 1);
    setenv("PATH", (berth::fuzz::ScratchDir() / "no-bin").c_str(), 1);
    unsetenv("DOCKER_AUTH_CONFIG");
    unsetenv("REGISTRY_AUTH_FILE");
    unsetenv("XDG_RUNTIME_DIR");
    return true;
  }();
  (void)environment;
  berth::fuzz::WriteBytes(berth::fuzz::ScratchDir() / "docker" / "config.json", berth::fuzz::AsText(data, size));
  berth::oci::CredentialStore store;
  for (const char* registry : {"docker.io", "127.0.0.1:5000", "ghcr.io", "[::1]:5000"}) {
    berth::fuzz::Expect([&] { (void)store.Lookup(registry); });
  }
  return 0;
}
