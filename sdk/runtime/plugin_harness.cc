#include "berth/testing/plugin_harness.h"

#include <dlfcn.h>

#include <cstring>

#include "berth/abi/buffer.h"
#include "berth/abi/codec.h"
#include "berth/abi/entry_point.h"
#include "berth/abi/objects.h"
#include "berth/oci/registry_service.h"
#include "berth/settings.h"
#include "berth/util/host_services.h"

namespace berth::testing {
namespace {

Error Refused(const std::string& library, const std::string& problem) {
  return Error(ErrorCode::kPlugin, "plugin " + library + ": " + problem);
}

}  // namespace

PluginHarness::PluginHarness(const std::string& library) {
  handle_ = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) throw Refused(library, std::string("not a loadable shared library (") + dlerror() + ")");
  auto entry = reinterpret_cast<berth_plugin_entry_fn>(dlsym(handle_, BERTH_PLUGIN_ENTRY_SYMBOL));
  if (entry == nullptr) throw Refused(library, "no entry point");
  plugin_ = abi::CallEntryPoint(entry);
  if (plugin_ == nullptr || plugin_->abi_major != BERTH_ABI_MAJOR) {
    throw Refused(library, "built for another plugin ABI major than these headers' " + std::to_string(BERTH_ABI_MAJOR));
  }
  host_.struct_size = sizeof(berth_host_api);
  host_.abi_major = BERTH_ABI_MAJOR;
  host_.abi_minor = BERTH_ABI_MINOR;
  host_.host = this;
  host_.log = [](void* host, int32_t level, const char* message, size_t size) {
    Self(host).logs_.emplace_back(level, std::string(message, size));
  };
  host_.log_enabled = [](void*, int32_t) -> int32_t { return 1; };
  host_.add_redaction = [](void* host, const char* secret, size_t size) {
    Self(host).redactions_.emplace_back(secret, size);
  };
  host_.emit = [](void* host, const char* json, size_t size, berth_buffer* error) -> int32_t {
    return abi::AnswerStatus(
        [&] {
          CommandRun* run = Self(host).running_;
          if (run == nullptr) throw Error(ErrorCode::kPlugin, "results outside a command");
          nlohmann::json message = abi::ParseJson(json, size, "result");
          if (message.contains("text")) {
            run->text += message["text"].get<std::string>();
          } else if (message.contains("line")) {
            run->results.push_back({{"line", message["line"]}});
          } else {
            run->results.push_back(message.value("data", nlohmann::json()));
          }
        },
        error);
  };
  host_.read_input = [](void* host, char* buffer, size_t size) -> int64_t {
    PluginHarness& self = Self(host);
    size_t count = std::min(size, self.input_.size() - self.input_offset_);
    std::memcpy(buffer, self.input_.data() + self.input_offset_, count);
    self.input_offset_ += count;
    return static_cast<int64_t>(count);
  };
  // Objects of this same plugin: what a plugin would get from itself.
  host_.open = [](void* host, const char* kind, const char* name, const char* settings, size_t settings_size,
                  berth_object* out, berth_buffer* error) -> int32_t {
    PluginHarness& self = Self(host);
    return self.plugin_->create(self.instance_, kind, name, settings, settings_size, out, error);
  };
  // http.request, process.run, url.parse, progress and the registry
  // services are served by berth's own implementations (libberth-sdk,
  // through their C functions), so a plugin's tests make the requests and
  // start the programs berth would, against servers the test starts.
  // Registries get the user's registries.yaml and docker credentials; no
  // registry plugin routes them here.
  host_.call = [](void*, const char* service, const char* request, size_t request_size, berth_buffer* reply,
                  berth_buffer* error) -> int32_t {
    if (service != nullptr && (std::strncmp(service, "oci.", 4) == 0 || std::strncmp(service, "registry.", 9) == 0)) {
      return berth_registry_request(service, request, request_size, reply, error);
    }
    return berth_sdk_service(service, request, request_size, reply, error);
  };
  berth_buffer error{};
  int32_t status = plugin_->open(&host_, &instance_, &error);
  std::string message = abi::Take(error);
  if (status != BERTH_STATUS_OK) throw Refused(library, "registration failed: " + message);
  berth_buffer description{};
  status = plugin_->describe(instance_, &description, &error);
  std::string text = abi::Take(description);
  message = abi::Take(error);
  if (status != BERTH_STATUS_OK) throw Refused(library, "describing itself failed: " + message);
  description_ = abi::ParseJson(text.data(), text.size(), "description");
}

PluginHarness::~PluginHarness() {
  if (instance_ != nullptr) plugin_->close(instance_);
  // The library stays mapped: objects a test still holds may point into it.
}

CommandRun PluginHarness::Run(const std::string& path, const std::map<std::string, std::vector<std::string>>& args,
                              const std::string& input, const std::string& format) {
  CommandRun run;
  nlohmann::json arguments = nlohmann::json::object();
  for (const auto& [name, values] : args) arguments[name] = values;
  std::string request = nlohmann::json{{"args", arguments}, {"interactive", false}, {"format", format}, {"color", false}}.dump();
  input_ = input;
  input_offset_ = 0;
  running_ = &run;
  int32_t exit_code = 0;
  berth_buffer error{};
  int32_t status = plugin_->run_command(instance_, path.c_str(), request.data(), request.size(), &exit_code, &error);
  running_ = nullptr;
  run.error = abi::Take(error);
  run.exit_code = status == BERTH_STATUS_OK ? exit_code : status;
  return run;
}

// Settings are checked against the declared schema as berth would check
// them, so the factory sees what it would see under berth.
berth_object PluginHarness::Create(const char* kind, const std::string& name, const nlohmann::json& settings) {
  nlohmann::json schema;
  for (const auto& provision : description_.value("provides", nlohmann::json::array())) {
    if (provision.value("kind", "") == kind && provision.value("name", "") == name) {
      schema = provision.value("settings", nlohmann::json());
    }
  }
  SettingsOrigin origin;
  origin.owner = std::string("the ") + name + " " + kind;
  std::string text = CheckSettings(schema, settings.is_null() ? nlohmann::json::object() : settings, origin).dump();
  berth_object object{};
  berth_buffer error{};
  int32_t status = plugin_->create(instance_, kind, name.c_str(), text.data(), text.size(), &object, &error);
  std::string message = abi::Take(error);
  if (status != BERTH_STATUS_OK) throw Error(abi::ErrorCodeOf(status), message);
  return object;
}

std::unique_ptr<SecretStore> PluginHarness::OpenSecretStore(const std::string& name, const nlohmann::json& settings) {
  return abi::ImportSecretStore(Create("secret-store", name, settings), plugin_->name);
}
std::unique_ptr<Target> PluginHarness::OpenTarget(const std::string& name, const nlohmann::json& settings) {
  return abi::ImportTarget(Create("target", name, settings), plugin_->name);
}
std::unique_ptr<Signer> PluginHarness::OpenSigner(const std::string& name, const nlohmann::json& settings) {
  return abi::ImportSigner(Create("signer", name, settings), plugin_->name);
}
std::unique_ptr<CredentialProvider> PluginHarness::OpenCredentialProvider(const std::string& name,
                                                                          const nlohmann::json& settings) {
  return abi::ImportCredentialProvider(Create("credential", name, settings), plugin_->name);
}

}  // namespace berth::testing
