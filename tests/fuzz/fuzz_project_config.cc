// berth.yaml, the project file every project command reads.
#include "core/config/project_config.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(berth::fuzz::AsText(data, size));
  berth::fuzz::Expect([&] {
    auto config = berth::host::ProjectConfig::Parse(text, "/fuzz/project/berth.yaml");
    for (const auto& [name, environment] : config.environments) (void)config.Environment(name);
  });
  berth::fuzz::Expect([&] { (void)berth::host::ParseDuration(text); });
  return 0;
}
