// RFC 3339 timestamps as the Kubernetes API writes them ("2025-01-02T03:04:05Z",
// optionally with fractional seconds or a numeric offset).
#ifndef BERTH_PLUGINS_K8S_RFC3339_H_
#define BERTH_PLUGINS_K8S_RFC3339_H_

#include <chrono>
#include <optional>
#include <string>

namespace berth::k8s {

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& text);
std::string FormatRfc3339(std::chrono::system_clock::time_point time);

}  // namespace berth::k8s

#endif  // BERTH_PLUGINS_K8S_RFC3339_H_
