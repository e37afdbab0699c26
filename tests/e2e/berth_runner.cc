#include "berth_runner.h"

#include <gtest/gtest.h>

namespace berth::testing {

BerthRunner::BerthRunner() : home_("berth-e2e") {
  std::filesystem::create_directories(work_dir());
  env_["HOME"] = home_.path().string();
  env_["XDG_DATA_HOME"] = (home_.path() / "data").string();
  env_["XDG_CONFIG_HOME"] = (home_.path() / "config").string();
  env_["DOCKER_CONFIG"] = (home_.path() / "docker").string();
  env_["XDG_STATE_HOME"] = (home_.path() / "state").string();
  env_["XDG_CACHE_HOME"] = (home_.path() / "cache").string();
  env_["BERTH_PLUGIN_PATH"] = "";
  env_["NO_COLOR"] = "1";
  // Never the user's cluster or cloud logins: a test names what it uses.
  env_["KUBECONFIG"] = (home_.path() / ".kube" / "config").string();
  for (const char* name : {"KUBERNETES_SERVICE_HOST", "GITHUB_TOKEN", "GH_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS",
                           "CLOUDSDK_CONFIG", "GCE_METADATA_HOST", "ARTIFACTORY_USER", "ARTIFACTORY_TOKEN"}) {
    env_[name] = "";
  }
  // Projects start untrusted, as on a fresh machine, whatever the shell running
  // the tests says: a test that needs trust asks for it (TrustProjects).
  env_["BERTH_TRUST_PROJECT"] = "";
}

void BerthRunner::AllowCredentialHost(const std::string& platform, const std::string& host) {
  credential_hosts_[platform].push_back(host);
  WriteCredentialHosts();
}

void BerthRunner::ForgetCredentialHosts() {
  credential_hosts_.clear();
  WriteCredentialHosts();
}

void BerthRunner::WriteCredentialHosts() {
  std::string text;
  if (std::filesystem::exists(UserConfigFile())) text = ReadFile(UserConfigFile());
  if (!text.empty() && text.back() != '\n') text += '\n';
  if (size_t at = credential_hosts_block_.empty() ? std::string::npos : text.find(credential_hosts_block_); at != std::string::npos) {
    text.erase(at, credential_hosts_block_.size());
  }
  credential_hosts_block_.clear();
  if (!credential_hosts_.empty()) {
    credential_hosts_block_ = "credential-hosts:\n";
    for (const auto& [platform, hosts] : credential_hosts_) {
      credential_hosts_block_ += "  " + platform + ":\n";
      for (const auto& host : hosts) credential_hosts_block_ += "    - \"" + host + "\"\n";
    }
  }
  CreateDirectories(UserConfigFile().parent_path(), 0700);
  WriteFileAtomic(UserConfigFile(), text + credential_hosts_block_, 0600);
}

ProcessResult BerthRunner::Run(const std::vector<std::string>& args, const std::string& stdin_data) const {
  std::vector<std::string> argv = {BERTH_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.env_set = env_;
  options.cwd = work_dir();
  options.stdin_data = stdin_data;
  options.timeout = std::chrono::seconds(120);
  return RunProcess(argv, options);
}

ProcessResult BerthRunner::RunUnder(const std::vector<std::string>& prefix, const std::vector<std::string>& args) const {
  std::vector<std::string> argv = prefix;
  argv.push_back(BERTH_BINARY);
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.env_set = env_;
  options.cwd = work_dir();
  options.timeout = std::chrono::seconds(120);
  return RunProcess(argv, options);
}

nlohmann::json BerthRunner::Json(const std::vector<std::string>& args) const {
  std::vector<std::string> with_json = args;
  with_json.insert(with_json.end(), {"-o", "json"});
  ProcessResult result = Run(with_json);
  EXPECT_EQ(result.exit_code, 0) << Describe(result);
  try {
    return nlohmann::json::parse(result.stdout_data);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON: " << Describe(result);
    return nullptr;
  }
}

void BerthRunner::Git(const std::vector<std::string>& args) const {
  ProcessOptions options;
  options.cwd = work_dir();
  options.env_set = {{"GIT_AUTHOR_NAME", "t"}, {"GIT_AUTHOR_EMAIL", "t@example.invalid"}, {"GIT_COMMITTER_NAME", "t"},
                     {"GIT_COMMITTER_EMAIL", "t@example.invalid"}, {"HOME", home().string()}};
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult result = RunProcess(argv, options);
  EXPECT_EQ(result.exit_code, 0) << "git: " << result.stderr_data;
}

std::filesystem::path BerthRunner::WriteCredentialHelper(const std::filesystem::path& bin, const std::string& name,
                                                        const std::filesystem::path& argv_log) const {
  std::filesystem::path store = home() / "helper-store.json";
  std::string log = argv_log.empty() ? "" : "printf '%s\\n' \"$0 $*\" >> '" + argv_log.string() + "'\n";
  WriteFileAtomic(bin / ("docker-credential-" + name),
                  "#!/bin/sh\n# docker-credential-* protocol stand-in for a test.\n" + log + "case \"$1\" in\n"
                  "  store) umask 077; cat > '" + store.string() + "' ;;\n"
                  "  get) read url; if [ -f '" + store.string() + "' ]; then cat '" + store.string() +
                      "'; else echo 'credentials not found in native keychain'; exit 1; fi ;;\n"
                  "  erase) rm -f '" + store.string() + "' ;;\n"
                  "esac\n",
                  0755);
  return store;
}

std::string Describe(const ProcessResult& result) {
  return "exit=" + std::to_string(result.exit_code) + "\nstdout=" + result.stdout_data + "\nstderr=" + result.stderr_data;
}

}  // namespace berth::testing
