// berth-plugin.json, read by the host before it loads any plugin.
#include "berth/manifest.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json json = nlohmann::json::parse(berth::fuzz::AsText(data, size), nullptr, false);
  if (json.is_discarded()) return 0;
  berth::fuzz::Expect([&] {
    auto manifest = berth::PluginManifest::FromJson(json, "/fuzz/berth-plugin.json");
    (void)manifest.ToJson().dump();
  });
  return 0;
}
