// The plugin's side of the C boundary: the berth_plugin struct the entry
// point returns, implemented over the C++ Registrar. Compiled into every
// plugin with the plugin's own compiler, so nothing of C++ reaches the host.
#include <istream>
#include <sstream>
#include <streambuf>

#include "berth/abi/buffer.h"
#include "berth/abi/codec.h"
#include "berth/abi/host_link.h"
#include "berth/abi/objects.h"
#include "berth/output.h"
#include "berth/plugin.h"
#include "berth/version.h"

#define BERTH_RUNTIME_STRINGIFY_INNER(x) #x
#define BERTH_RUNTIME_STRINGIFY(x) BERTH_RUNTIME_STRINGIFY_INNER(x)
#if defined(__clang__)
#define BERTH_RUNTIME_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define BERTH_RUNTIME_COMPILER \
  "gcc " BERTH_RUNTIME_STRINGIFY(__GNUC__) "." BERTH_RUNTIME_STRINGIFY(__GNUC_MINOR__) "." BERTH_RUNTIME_STRINGIFY(__GNUC_PATCHLEVEL__)
#else
#define BERTH_RUNTIME_COMPILER "unknown compiler"
#endif
#if defined(_LIBCPP_VERSION)
#define BERTH_RUNTIME_STDLIB "libc++ " BERTH_RUNTIME_STRINGIFY(_LIBCPP_VERSION)
#elif defined(_GLIBCXX_RELEASE)
#define BERTH_RUNTIME_STDLIB "libstdc++ " BERTH_RUNTIME_STRINGIFY(_GLIBCXX_RELEASE)
#else
#define BERTH_RUNTIME_STDLIB "unknown standard library"
#endif

namespace berth::abi {
namespace {

struct Instance {
  Registrar registrar;
  HostServices services;
};

RegisterFn g_register = nullptr;

// Results go to the host as JSON; text written to stream() goes first, so
// the order of a command's output is kept.
class ForwardingOutput : public Output {
 public:
  ForwardingOutput(OutputFormat format, bool color) : format_(format), color_(color) {}
  // Text written before an exception still reaches the user; a failure to
  // send it then has nowhere to go.
  ~ForwardingOutput() override {
    try {
      FlushText();
    } catch (...) {
    }
  }
  OutputFormat format() const override { return format_; }
  bool color() const override { return color_; }
  std::ostream& stream() override { return text_; }
  void Emit(const nlohmann::json& data, const Table& table) override {
    Send({{"data", data}, {"table", {{"columns", table.columns}, {"rows", table.rows}}}});
  }
  void Emit(const nlohmann::json& data) override { Send({{"data", data}}); }
  void Line(std::string_view text) override { Send({{"line", text}}); }
  void FlushText() {
    std::string text = text_.str();
    if (text.empty()) return;
    text_.str("");
    SendRaw({{"text", text}});
  }

 private:
  void Send(const nlohmann::json& message) {
    FlushText();
    SendRaw(message);
  }
  static void SendRaw(const nlohmann::json& message) {
    const berth_host_api* host = Host();
    std::string text = message.dump();
    berth_buffer error{};
    int32_t status = host->emit(host->host, text.data(), text.size(), &error);
    std::string reason = Take(error);
    if (status != BERTH_STATUS_OK) throw Error(ErrorCodeOf(status), "writing the result failed: " + reason);
  }

  OutputFormat format_;
  bool color_;
  std::ostringstream text_;
};

// The command's standard input, read through the host.
class HostInput : public std::streambuf {
 protected:
  int_type underflow() override {
    const berth_host_api* host = Host();
    int64_t count = host->read_input(host->host, buffer_, sizeof(buffer_));
    if (count <= 0) return traits_type::eof();
    setg(buffer_, buffer_, buffer_ + count);
    return traits_type::to_int_type(buffer_[0]);
  }

 private:
  char buffer_[4096];
};

OutputFormat FormatNamed(const std::string& name) {
  if (name == "json") return OutputFormat::kJson;
  if (name == "yaml") return OutputFormat::kYaml;
  return OutputFormat::kTable;
}

int32_t Open(const berth_host_api* host, void** instance, berth_buffer* error) {
  return AnswerStatus(
      [&] {
        if (host == nullptr || host->struct_size < offsetof(berth_host_api, call) + sizeof(host->call)) {
          throw Error(ErrorCode::kPlugin, "the host's service table is too old for this plugin");
        }
        SetHost(host);
        auto created = std::make_unique<Instance>();
        if (g_register == nullptr) throw Error(ErrorCode::kPlugin, "no registration function");
        g_register(created->registrar);
        *instance = created.release();
      },
      error);
}

int32_t Describe(void* instance, berth_buffer* description, berth_buffer* error) {
  return Answer(
      [&] {
        const Registrar& registrar = static_cast<Instance*>(instance)->registrar;
        nlohmann::json commands = nlohmann::json::array();
        for (const auto& command : registrar.commands()) commands.push_back(command.spec);
        return nlohmann::json{
            {"description", registrar.description()}, {"provides", registrar.provisions()}, {"commands", commands}};
      },
      description, error);
}

template <typename Interface>
std::unique_ptr<Interface> Make(const Factory<Interface>* factory, const char* kind, const std::string& name,
                                const nlohmann::json& settings) {
  if (factory == nullptr) throw Error(ErrorCode::kPlugin, std::string("provides no ") + kind + " '" + name + "'");
  return (*factory)(settings).value();
}

int32_t Create(void* instance, const char* kind_text, const char* name_text, const char* settings_text, size_t settings_size,
               berth_object* out, berth_buffer* error) {
  return AnswerStatus(
      [&] {
        auto* self = static_cast<Instance*>(instance);
        std::string kind = kind_text ? kind_text : "";
        std::string name = name_text ? name_text : "";
        nlohmann::json settings = ParseJson(settings_text, settings_size, "settings of " + kind + " " + name);
        const Registrar& registrar = self->registrar;
        auto parsed = ParseProvidedKind(kind);
        if (!parsed) throw Error(ErrorCode::kPlugin, "unknown kind '" + kind + "'");
        switch (*parsed) {
          case ProvidedKind::kSecretStore:
            *out = ExportSecretStore(Make(registrar.FindSecretStore(name), kind_text, name, settings));
            break;
          case ProvidedKind::kTarget:
            *out = ExportTarget(Make(registrar.FindTarget(name), kind_text, name, settings));
            break;
          case ProvidedKind::kSigner:
            *out = ExportSigner(Make(registrar.FindSigner(name), kind_text, name, settings), &self->services);
            break;
          case ProvidedKind::kCredentialProvider:
            *out = ExportCredentialProvider(Make(registrar.FindCredentialProvider(name), kind_text, name, settings));
            break;
          case ProvidedKind::kRegistry:
            *out = ExportRegistry(Make(registrar.FindRegistry(name), kind_text, name, settings));
            break;
          case ProvidedKind::kBuilder:
            *out = ExportBuilder(Make(registrar.FindBuilder(name), kind_text, name, settings));
            break;
        }
      },
      error);
}

int32_t RunCommand(void* instance, const char* path, const char* request_text, size_t request_size, int32_t* exit_code,
                   berth_buffer* error) {
  return AnswerStatus(
      [&] {
        auto* self = static_cast<Instance*>(instance);
        const RegisteredCommand* command = nullptr;
        for (const auto& candidate : self->registrar.commands()) {
          if (path != nullptr && candidate.spec.path == path) command = &candidate;
        }
        if (command == nullptr) throw Error(ErrorCode::kPlugin, std::string("has no command '") + (path ? path : "") + "'");
        nlohmann::json request = ParseJson(request_text, request_size, "command request");
        std::map<std::string, std::vector<std::string>> values;
        const nlohmann::json arguments = request.value("args", nlohmann::json::object());
        for (const auto& [name, list] : arguments.items()) {
          values[name] = list.get<std::vector<std::string>>();
        }
        Args args(std::move(values));
        ForwardingOutput output(FormatNamed(request.value("format", "table")), request.value("color", false));
        HostInput input_buffer;
        std::istream input(&input_buffer);
        CommandContext context{args, output, self->services, input, request.value("interactive", false)};
        Result<int> result = command->run(context);
        output.FlushText();
        *exit_code = result.value();
      },
      error);
}

void Close(void* instance) { delete static_cast<Instance*>(instance); }

}  // namespace

const berth_plugin* PluginEntry(const char* name, const char* version, RegisterFn register_fn) noexcept {
  g_register = register_fn;
  static const berth_plugin plugin = {
      BERTH_ABI_MAJOR, sizeof(berth_plugin), BERTH_ABI_MINOR, 0, name, version, BERTH_SDK_VERSION,
      BERTH_RUNTIME_COMPILER ", " BERTH_RUNTIME_STDLIB,
      &Open, &Describe, &Create, &RunCommand, &Close,
  };
  return &plugin;
}

}  // namespace berth::abi
