#include "core/registry/registry_flags.h"

#include "core/host.h"
#include "core/registry/registry_router.h"

namespace berth::host {

std::vector<OptionSpec> RegistryFlagOptions() {
  using Kind = OptionSpec::Kind;
  return {
      {.name = "plain-http", .kind = Kind::kList, .help = "Talk plain HTTP to this registry (repeatable)", .value_name = "HOST"},
      {.name = "insecure-registry", .kind = Kind::kList, .help = "Skip TLS verification for this registry only (repeatable)",
       .value_name = "HOST"},
      {.name = "ca-file", .kind = Kind::kList, .help = "Trust this CA bundle for a registry", .value_name = "HOST=FILE"},
      {.name = "client-cert", .kind = Kind::kList, .help = "TLS client certificate for a registry", .value_name = "HOST=CERT,KEY"},
  };
}

void ApplyRegistryFlagOptions(Host& host, const Args& args) {
  oci::RegistryConfig& config = host.plugins->registries().config();
  for (const auto& name : args.GetAll("plain-http")) config.SetPlainHttp(name);
  for (const auto& name : args.GetAll("insecure-registry")) config.SetInsecure(name);
  for (const auto& pair : args.GetAll("ca-file")) {
    size_t equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) throw Error(ErrorCode::kUsage, "--ca-file expects HOST=FILE, got '" + pair + "'");
    config.SetCaFile(pair.substr(0, equals), pair.substr(equals + 1));
  }
  for (const auto& pair : args.GetAll("client-cert")) {
    size_t equals = pair.find('='), comma = pair.find(',', equals);
    if (equals == std::string::npos || comma == std::string::npos) {
      throw Error(ErrorCode::kUsage, "--client-cert expects HOST=CERT,KEY, got '" + pair + "'");
    }
    config.SetClientCert(pair.substr(0, equals), pair.substr(equals + 1, comma - equals - 1), pair.substr(comma + 1));
  }
}

std::vector<OptionSpec> WithRegistryFlags(std::vector<OptionSpec> options) {
  for (const auto& flag : RegistryFlagOptions()) options.push_back(flag);
  return options;
}

}  // namespace berth::host
