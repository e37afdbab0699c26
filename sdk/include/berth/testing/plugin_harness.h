// Loads a plugin library into a test, in-process, and plays the host: its
// own berth_host_api table captures results and logs and feeds input, so a
// plugin's tests run its factories and commands without the berth binary.
//
//   berth::testing::PluginHarness harness(BERTH_PLUGIN_LIBRARY);
//   auto run = harness.Run("team-vault count", {{"environment", {"dev"}}});
//   EXPECT_EQ(run.exit_code, 0);
//   EXPECT_EQ(run.results[0]["secrets"], 0);
//   auto store = harness.OpenSecretStore("team-vault", {{"dir", dir}});
//
// Compiled into the test with the plugin's own compiler (like the SDK's
// plugin runtime). It serves the host services "http.request", the
// registry services ("oci.*", "registry.client-options",
// "registry.credential") with berth's own implementations, C functions of
// libberth-sdk, which the test links (berth_add_plugin_test does): the
// registries get the user's registries.yaml and docker credentials, and no
// registry plugin routes them. Every other service answers UNSUPPORTED.
#ifndef BERTH_TESTING_PLUGIN_HARNESS_H_
#define BERTH_TESTING_PLUGIN_HARNESS_H_

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "berth/abi/berth_plugin_api.h"
#include "berth/credential_provider.h"
#include "berth/secret_store.h"
#include "berth/signer.h"
#include "berth/target.h"

namespace berth::testing {

struct CommandRun {
  int exit_code = 0;             // The command's exit code, or the error's.
  std::string error;             // The error message when the command failed.
  std::vector<nlohmann::json> results;  // Each Emit's data ({"line": ...} for Line).
  std::string text;              // What was written to output.stream().
};

class PluginHarness {
 public:
  // dlopens the library, checks its ABI major and opens it; throws Error
  // naming the file on any failure.
  explicit PluginHarness(const std::string& library);
  ~PluginHarness();
  PluginHarness(const PluginHarness&) = delete;
  PluginHarness& operator=(const PluginHarness&) = delete;

  // What the plugin registered: {"description", "provides", "commands"}.
  const nlohmann::json& description() const { return description_; }

  // Runs a command as `berth PATH ...` would, with parsed arguments.
  CommandRun Run(const std::string& path, const std::map<std::string, std::vector<std::string>>& args = {},
                 const std::string& input = "", const std::string& format = "json");

  std::unique_ptr<SecretStore> OpenSecretStore(const std::string& name, const nlohmann::json& settings = {});
  std::unique_ptr<Target> OpenTarget(const std::string& name, const nlohmann::json& settings = {});
  std::unique_ptr<Signer> OpenSigner(const std::string& name, const nlohmann::json& settings = {});
  std::unique_ptr<CredentialProvider> OpenCredentialProvider(const std::string& name, const nlohmann::json& settings = {});

  // Log lines the plugin wrote (level and text), and secrets it registered.
  const std::vector<std::pair<int, std::string>>& logs() const { return logs_; }
  const std::vector<std::string>& redactions() const { return redactions_; }

 private:
  berth_object Create(const char* kind, const std::string& name, const nlohmann::json& settings);
  static PluginHarness& Self(void* host) { return *static_cast<PluginHarness*>(host); }

  void* handle_ = nullptr;
  const berth_plugin* plugin_ = nullptr;
  void* instance_ = nullptr;
  berth_host_api host_{};
  nlohmann::json description_;
  std::vector<std::pair<int, std::string>> logs_;
  std::vector<std::string> redactions_;
  CommandRun* running_ = nullptr;
  std::string input_;
  size_t input_offset_ = 0;
};

}  // namespace berth::testing

#endif  // BERTH_TESTING_PLUGIN_HARNESS_H_
