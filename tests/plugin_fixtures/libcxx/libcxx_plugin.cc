// A plugin built with clang++ against libc++ (tests/plugin_fixtures/
// CMakeLists.txt), loaded by the gcc/libstdc++ host: it shows that no C++
// object crosses the boundary. It uses what C++ plugins use: std::string,
// std::map, std::function, exceptions, the Registrar, SecretValue.
#include <map>
#include <stdexcept>
#include <vector>

#include "berth/output.h"
#include "berth/plugin.h"
#include "berth/secret_store.h"

namespace {

// Secrets kept in memory for the life of the process: enough to show a
// SecretStore made with libc++ working through the host.
class MemoryStore : public berth::SecretStore {
 public:
  berth::Status Set(const std::string& environment, const std::string& name, const berth::SecretValue& value) noexcept override {
    return berth::Capture([&] { values_[environment + "/" + name] = value; });
  }
  berth::Result<std::vector<std::string>> List(const std::string& environment) noexcept override {
    return berth::CaptureResult([&] {
      std::vector<std::string> names;
      for (const auto& [key, unused] : values_) {
        if (key.rfind(environment + "/", 0) == 0) names.push_back(key.substr(environment.size() + 1));
      }
      return names;
    });
  }
  berth::Status Delete(const std::string& environment, const std::string& name) noexcept override {
    return berth::Capture([&] { values_.erase(environment + "/" + name); });
  }
  berth::Result<std::vector<berth::SecretDiffEntry>> Diff(const std::string&,
                                                          const std::map<std::string, berth::SecretValue>&) noexcept override {
    return std::vector<berth::SecretDiffEntry>{};
  }

 private:
  std::map<std::string, berth::SecretValue> values_;
};

void Register(berth::Registrar& registrar) {
  registrar.SetDescription("Test fixture: built with clang and libc++");
  registrar.AddSecretStore("libcxx-memory", "Secrets in memory", [](const nlohmann::json&) { return std::make_unique<MemoryStore>(); });
  registrar.AddCommand(berth::CommandSpec{.path = "libcxx info", .summary = "Say which standard library built this plugin"},
                       [](berth::CommandContext& context) {
#if defined(_LIBCPP_VERSION)
                         std::string library = "libc++";
#else
                         std::string library = "not libc++";
#endif
                         context.output.Emit({{"standard_library", library}});
                         return 0;
                       });
  registrar.AddCommand(berth::CommandSpec{.path = "libcxx fail", .summary = "Throw a standard exception"},
                       [](berth::CommandContext&) -> int {
                         std::vector<int> empty;
                         return empty.at(3);
                       });
}

}  // namespace

BERTH_PLUGIN("libcxx", "1.0.0", Register)
