// Mints (and optionally verifies) ASAP tokens in a loop with the asap
// plugin's own code, on one thread, and prints the rate as JSON. Used by
// bench/asap_tokens.sh beside `openssl speed rsa2048`.
//
//   berth-asap-bench --config .asap-config [--count N] [--audience A] [--verify]
#include <time.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <string>

#include "asap_credentials.h"
#include "asap_minter.h"
#include "asap_verifier.h"
#include "berth/error.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// CPU time of this process: what `openssl speed` counts by default, so the
// two rates compare even on a busy machine.
double CpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

int Run(int argc, char** argv) {
  std::string config = ".asap-config";
  std::string audience = "bench";
  long count = 10000;
  bool verify = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw berth::Error(berth::ErrorCode::kUsage, arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--config") {
      config = next();
    } else if (arg == "--count") {
      count = std::stol(next());
    } else if (arg == "--audience") {
      audience = next();
    } else if (arg == "--verify") {
      verify = true;
    } else {
      throw berth::Error(berth::ErrorCode::kUsage, "unknown argument " + arg);
    }
  }
  berth::asap::AsapCredentials credentials = berth::asap::CredentialsFromConfig(config);
  berth::asap::MintRequest request;
  request.audience = {audience};

  std::string token;
  size_t bytes = 0;
  auto start = Clock::now();
  double cpu_start = CpuSeconds();
  for (long i = 0; i < count; ++i) {
    token = berth::asap::MintAsapTokenUnregistered(credentials, request);
    bytes += token.size();
  }
  double mint_cpu = CpuSeconds() - cpu_start;
  double mint_seconds = Seconds(start);

  nlohmann::json result = {{"tokens", count},
                           {"mint_seconds", mint_seconds},
                           {"mint_per_second", double(count) / mint_seconds},
                           {"mint_cpu_seconds", mint_cpu},
                           {"mint_per_cpu_second", double(count) / mint_cpu},
                           {"token_bytes", bytes / size_t(count)}};
  if (verify) {
    berth::asap::VerifyOptions options;
    options.audience = audience;
    berth::jwt::PublicKey key = credentials.private_key->Public();
    auto resolve = [&](const std::string&) { return berth::asap::ResolvedKey{key, "bench"}; };
    start = Clock::now();
    cpu_start = CpuSeconds();
    for (long i = 0; i < count; ++i) berth::asap::VerifyAsapToken(token, options, resolve);
    double verify_cpu = CpuSeconds() - cpu_start;
    double verify_seconds = Seconds(start);
    result["verify_seconds"] = verify_seconds;
    result["verify_per_second"] = double(count) / verify_seconds;
    result["verify_per_cpu_second"] = double(count) / verify_cpu;
  }
  std::cout << result.dump() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const berth::Error& e) {
    std::cerr << "berth-asap-bench: " << e.what() << "\n";
    return int(e.code());
  } catch (const std::exception& e) {
    std::cerr << "berth-asap-bench: " << e.what() << "\n";
    return 1;
  }
}
