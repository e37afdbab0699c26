// What the k8s plugin's tests share: one Kubernetes API stand-in per test
// suite, and the error a callable throws.
#ifndef BERTH_PLUGINS_K8S_K8S_TEST_SUPPORT_H_
#define BERTH_PLUGINS_K8S_K8S_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include "berth/error.h"
#include "kube_standin.h"

namespace berth::k8s {

template <typename Fn>
Error ErrorOf(Fn fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e;
  }
  return Error(ErrorCode::kOk, "no error");
}

// Started before a suite's first test and stopped after its last.
class StandinSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { standin_ = new testing::KubeStandin(); }
  static void TearDownTestSuite() {
    delete standin_;
    standin_ = nullptr;
  }
  inline static testing::KubeStandin* standin_ = nullptr;
};

}  // namespace berth::k8s

#endif  // BERTH_PLUGINS_K8S_K8S_TEST_SUPPORT_H_
