#include "core/plugins/host_api.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iostream>

#include <functional>
#include <map>

#include "berth/abi/buffer.h"
#include "berth/abi/codec.h"
#include "berth/http/service.h"
#include "berth/oci/registry_service.h"
#include "berth/oci/settings_json.h"
#include "berth/util/fs.h"
#include "berth/util/host_services.h"
#include "berth/util/log.h"
#include "berth/util/redact.h"
#include "core/plugins/plugin_manager.h"

namespace berth::host {
namespace {

HostApi& Self(void* host) { return *static_cast<HostApi*>(host); }

log::Level LevelOf(int32_t level) {
  switch (level) {
    case BERTH_LOG_TRACE: return log::Level::kTrace;
    case BERTH_LOG_DEBUG: return log::Level::kDebug;
    case BERTH_LOG_INFO: return log::Level::kInfo;
    case BERTH_LOG_WARN: return log::Level::kWarn;
    default: return log::Level::kError;
  }
}

void Log(void*, int32_t level, const char* message, size_t size) {
  if (message == nullptr) return;
  try {
    log::Emit(LevelOf(level), std::string_view(message, size));
  } catch (...) {
  }
}

int32_t LogEnabled(void*, int32_t level) { return log::Enabled(LevelOf(level)) ? 1 : 0; }

void AddRedaction(void*, const char* secret, size_t size) {
  if (secret == nullptr || size == 0) return;
  try {
    RegisterSecret(std::string_view(secret, size));
  } catch (...) {
  }
}

int32_t RemoveOnInterrupt(void*, const char* path, size_t size, int32_t is_directory) {
  if (path == nullptr || size == 0) return -1;
  try {
    return internal::RegisterCleanup(std::filesystem::path(std::string(path, size)), is_directory != 0);
  } catch (...) {
    return -1;
  }
}

void KeepOnInterrupt(void*, int32_t slot) { internal::UnregisterCleanup(slot); }

void SetInterruptWindow(void*, int32_t open) {
  if (open != 0) {
    internal::EnterInterruptWindow();
  } else {
    internal::LeaveInterruptWindow();
  }
}

int32_t Emit(void* host, const char* json, size_t size, berth_buffer* error) {
  return abi::AnswerStatus(
      [&] {
        Output* output = Self(host).output();
        if (output == nullptr) throw Error(ErrorCode::kPlugin, "no command is running to take results");
        nlohmann::json message = abi::ParseJson(json, size, "result");
        if (message.contains("line")) {
          output->Line(message["line"].get<std::string>());
        } else if (message.contains("text")) {
          output->stream() << message["text"].get<std::string>();
        } else if (message.contains("table")) {
          Table table;
          table.columns = message["table"].value("columns", std::vector<std::string>{});
          table.rows = message["table"].value("rows", std::vector<std::vector<std::string>>{});
          output->Emit(message.value("data", nlohmann::json()), table);
        } else {
          output->Emit(message.value("data", nlohmann::json()));
        }
      },
      error);
}

// Returns what is there as soon as there is some, as read(2) does, so that a
// plugin reading a line from a terminal or a pipe is not held until `size`
// bytes or the end arrive.
int64_t ReadInput(void* host, char* buffer, size_t size) {
  std::istream* input = Self(host).input();
  if (input == nullptr || buffer == nullptr || size == 0) return 0;
  std::streamsize buffered = input->rdbuf()->in_avail();
  if (buffered > 0) return input->rdbuf()->sgetn(buffer, std::min<std::streamsize>(buffered, std::streamsize(size)));
  if (input == &std::cin) {
    ssize_t count;
    do {
      count = ::read(STDIN_FILENO, buffer, size);
    } while (count < 0 && errno == EINTR);
    return count;
  }
  input->read(buffer, static_cast<std::streamsize>(size));
  std::streamsize count = input->gcount();
  if (count == 0 && input->bad()) return -1;
  return count;
}

int32_t Open(void* host, const char* kind, const char* name, const char* settings, size_t settings_size, berth_object* out,
             berth_buffer* error) {
  return abi::AnswerStatus(
      [&] {
        auto parsed = ParseProvidedKind(kind ? kind : "");
        if (!parsed) throw Error(ErrorCode::kPlugin, std::string("unknown kind '") + (kind ? kind : "") + "'");
        nlohmann::json json = abi::ParseJson(settings, settings_size, "settings");
        *out = Self(host).plugins().CreateObject(*parsed, name ? name : "", json).first;
      },
      error);
}

using Service = std::function<nlohmann::json(HostApi&, const nlohmann::json&)>;

// The registry services run on the host's own clients: the one RegistryRouter
// of the run (routed to the registry plugin claiming the host, with the user's
// registries.yaml, this run's flags and credentials), checked against the
// registry's naming rules, exactly as berth's own push, pull and copy.
Service RegistryService(const char* name) {
  return [name](HostApi& host, const nlohmann::json& request) {
    RegistryRouter& registries = host.plugins().registries();
    oci::ClientFactory clients = [&registries](const oci::Reference& reference) {
      registries.Validate(reference);
      return registries.Client(reference.registry);
    };
    return oci::ServeRegistryService(name, request, clients);
  };
}

const std::map<std::string, Service, std::less<>>& Services() {
  static const std::map<std::string, Service, std::less<>> services = {
      {"oci.manifest.head", RegistryService("oci.manifest.head")},
      {"oci.manifest.get", RegistryService("oci.manifest.get")},
      {"oci.manifest.put", RegistryService("oci.manifest.put")},
      {"oci.blob.get", RegistryService("oci.blob.get")},
      {"oci.blob.put", RegistryService("oci.blob.put")},
      {"oci.referrers", RegistryService("oci.referrers")},
      {"oci.copy", RegistryService("oci.copy")},
      {"registry.client-options",
       [](HostApi& host, const nlohmann::json& request) {
         RegistryRouter& registries = host.plugins().registries();
         std::string reference = request.value("reference", "");
         std::string registry = request.value("host_only", false) ? reference : registries.HostOf(reference);
         return nlohmann::json{{"registry", registry}, {"settings", oci::SettingsToJson(registries.config().For(registry))}};
       }},
      {"project.context", [](HostApi& host, const nlohmann::json& request) { return host.Project(request.value("environment", "")); }},
      // Plugins make HTTP requests with the host's libcurl: Ctrl-C (the
      // interrupt flag) cancels them; a timeout is a failure of its own.
      {"http.request",
       [](HostApi&, const nlohmann::json& request) { return http::ServeHttpRequest(request, InterruptFlag()); }},
      {"process.run", [](HostApi&, const nlohmann::json& request) { return ServeProcessRun(request); }},
      {"url.parse", [](HostApi&, const nlohmann::json& request) { return ServeUrlParse(request); }},
      {"progress", [](HostApi&, const nlohmann::json& request) { return ServeProgress(request); }},
      {"registry.credential",
       [](HostApi& host, const nlohmann::json& request) {
         oci::Credential credential = host.plugins().registries().CredentialFor(
             request.value("registry", ""), request.value("scopes", std::vector<std::string>{}));
         return nlohmann::json{{"credential", credential}};
       }},
  };
  return services;
}

int32_t Call(void* host, const char* service, const char* request, size_t request_size, berth_buffer* reply,
             berth_buffer* error) {
  auto it = Services().find(service ? service : "");
  if (it == Services().end()) {
    abi::Fill(error, std::string("berth offers no service '") + (service ? service : "") + "'");
    return BERTH_STATUS_UNSUPPORTED;
  }
  return abi::Answer([&] { return it->second(Self(host), abi::ParseJson(request, request_size, "request")); }, reply, error);
}

}  // namespace

nlohmann::json HostApi::Project(const std::string& asked) const {
  const std::string& environment = asked.empty() ? environment_ : asked;
  nlohmann::json project = project_source_ ? project_source_(environment) : nlohmann::json{{"present", false}};
  project["environment"] = environment;
  return project;
}

HostApi::HostApi(PluginManager& plugins) : plugins_(plugins) {
  table_ = berth_host_api{};
  table_.struct_size = sizeof(berth_host_api);
  table_.abi_major = BERTH_ABI_MAJOR;
  table_.abi_minor = BERTH_ABI_MINOR;
  table_.host = this;
  table_.log = &Log;
  table_.log_enabled = &LogEnabled;
  table_.add_redaction = &AddRedaction;
  table_.emit = &Emit;
  table_.read_input = &ReadInput;
  table_.open = &Open;
  table_.call = &Call;
  table_.remove_on_interrupt = &RemoveOnInterrupt;
  table_.keep_on_interrupt = &KeepOnInterrupt;
  table_.interrupt_window = &SetInterruptWindow;
}

}  // namespace berth::host
