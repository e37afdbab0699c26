// Starts a test peer (tests/peers/registry/*.py: the real docker-registry in
// plain, tls-basic or token mode, the fault and tamper proxies), reads its
// one JSON ready line, and stops it by PID when the test ends. The peer also
// stops when its stdin closes, so a crashed test leaves nothing behind.
#ifndef BERTH_TESTS_SUPPORT_TEST_PEER_H_
#define BERTH_TESTS_SUPPORT_TEST_PEER_H_

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace berth::testing {

class TestPeer {
 public:
  // `script` is relative to tests/peers/registry ("registry_peer.py").
  // Throws std::runtime_error when the peer exits before its ready line.
  TestPeer(const std::string& script, std::vector<std::string> args);
  ~TestPeer();
  TestPeer(const TestPeer&) = delete;
  TestPeer& operator=(const TestPeer&) = delete;

  const nlohmann::json& ready() const { return ready_; }
  std::string host() const { return ready_["host"].get<std::string>(); }
  // GET <url> (stats endpoints), parsed; plain HTTP on loopback only.
  static nlohmann::json GetJson(const std::string& url);

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  nlohmann::json ready_;
};

// registry_peer.py --mode plain|tls-basic|token [args].
std::unique_ptr<TestPeer> StartRegistry(const std::string& mode, std::vector<std::string> args = {});

// fault_proxy.py in front of `upstream` injecting no faults, only a wait of
// `delay_ms` before it forwards each request whose method is in `methods`
// (comma separated): a slow link, so a test can act while berth is mid-transfer.
std::unique_ptr<TestPeer> StartSlowProxy(const std::string& upstream, int delay_ms, const std::string& methods);

// The repository's source directory (scripts, peers).
std::string SourceDir();

}  // namespace berth::testing

#endif  // BERTH_TESTS_SUPPORT_TEST_PEER_H_
