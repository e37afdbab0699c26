// Runs the built berth binary in an isolated home (HOME, XDG dirs, working
// directory all private), so tests never see or touch the user's plugins.
#ifndef BERTH_TESTS_E2E_BERTH_RUNNER_H_
#define BERTH_TESTS_E2E_BERTH_RUNNER_H_

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "berth/util/fs.h"
#include "berth/util/process.h"

namespace berth::testing {

class BerthRunner {
 public:
  BerthRunner();
  const std::filesystem::path& home() const { return home_.path(); }
  std::filesystem::path work_dir() const { return home_.path() / "work"; }
  void SetEnv(const std::string& name, const std::string& value) { env_[name] = value; }
  // BERTH_TRUST_PROJECT=1 for every later run, as CI would set it: for tests
  // of something else whose berth.yaml names a stand-in's endpoint, a
  // kubeconfig or a program. Trust itself is tested with untrusted projects
  // (hostile_project_e2e_test.cc), so this is never the default.
  void TrustProjects() { env_["BERTH_TRUST_PROJECT"] = "1"; }
  const std::map<std::string, std::string>& env() const { return env_; }
  // Lets `host` ("127.0.0.1:PORT") get `platform`'s credentials ("github",
  // "google") from a berth.yaml setting, as the user allows it: a
  // credential-hosts entry in their own config file (docs/security.md).
  // For tests whose berth.yaml points such a setting at a stand-in. The
  // rest of the config file is kept.
  void AllowCredentialHost(const std::string& platform, const std::string& host);
  // Takes every allowance back out of the config file.
  void ForgetCredentialHosts();
  std::filesystem::path UserConfigFile() const { return home_.path() / "config" / "berth" / "config.yaml"; }

  ProcessResult Run(const std::vector<std::string>& args, const std::string& stdin_data = "") const;
  // Runs `prefix` (e.g. /usr/bin/time -v) with the berth command line after it.
  ProcessResult RunUnder(const std::vector<std::string>& prefix, const std::vector<std::string>& args) const;
  // Runs with -o json, expects exit 0 and parses stdout.
  nlohmann::json Json(const std::vector<std::string>& args) const;
  // Runs git in work_dir() with a fixed identity, failing the test if git fails.
  void Git(const std::vector<std::string>& args) const;
  // Writes `bin`/docker-credential-NAME, a helper speaking the docker
  // credential-helper protocol (secrets on stdin/stdout only) that keeps one
  // credential in home()/helper-store.json, which it returns. With `argv_log`,
  // it also appends its command line there.
  std::filesystem::path WriteCredentialHelper(const std::filesystem::path& bin, const std::string& name,
                                              const std::filesystem::path& argv_log = {}) const;

 private:
  void WriteCredentialHosts();

  TempDir home_;
  std::map<std::string, std::string> env_;
  std::map<std::string, std::vector<std::string>> credential_hosts_;
  std::string credential_hosts_block_;  // As last written into the config file.
};

// "exit=N stdout=... stderr=..." for assertion messages.
std::string Describe(const ProcessResult& result);

}  // namespace berth::testing

#endif  // BERTH_TESTS_E2E_BERTH_RUNNER_H_
