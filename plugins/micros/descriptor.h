// Micros service descriptors: rendering one from a template or from berth.yaml
// settings, and checking one before atlas sees it, with file:line:column for
// every problem.
#ifndef BERTH_PLUGINS_MICROS_DESCRIPTOR_H_
#define BERTH_PLUGINS_MICROS_DESCRIPTOR_H_

#include <string>
#include <string_view>
#include <vector>

#include "micros_settings.h"

namespace berth::micros {

// What a descriptor is rendered for.
struct DescriptorInputs {
  std::string service;   // The Micros service.
  std::string env;       // The Micros environment.
  std::string image;     // Repository, without tag or digest.
  std::string digest;    // "sha256:..."; may be empty (render previews).
  std::string version;   // The release version; may be empty.
};

// Splits "repo@sha256:<64 hex>" (or a bare "repo") into image and digest.
// Throws Error(kInvalidInput) for a tag or a malformed digest.
void SplitImage(const std::string& reference, DescriptorInputs& inputs);

// "((ssm:/SERVICE/KEY))": how a descriptor refers to a stash entry.
std::string SsmReference(const std::string& service, const std::string& key);

// The stash keys a descriptor refers to for `service` (references to other
// services' stashes are left out), sorted and unique.
std::vector<std::string> StashKeysReferenced(std::string_view text, const std::string& service);

// Replaces {{ service }}, {{ env }}, {{ image }}, {{ digest }},
// {{ reference }} (image@digest), {{ version }}, {{ tag }} (app-<version>)
// and {{ ssm KEY }}. Throws Error(kInvalidInput) "FILE:LINE:COL: ..." for an
// unknown placeholder or one whose value is not known (no --version).
std::string RenderTemplate(std::string_view text, const std::string& file, const DescriptorInputs& inputs);

// The minimal descriptor berth writes when the project has no template.
std::string GenerateDescriptor(const MicrosSettings& settings, const DescriptorInputs& inputs);

struct DescriptorProblem {
  int line = 1;          // 1-based.
  int column = 1;
  bool error = true;     // false: a warning, the descriptor is still usable.
  std::string message;
};

// Everything wrong with a descriptor, in file order: YAML syntax, missing
// name / image (compose or links.binary) / links.healthcheck.uri, malformed
// compose containers, ports, environment, scaling, resources and secret
// references, duplicate keys, unrendered placeholders; warnings for unknown
// top-level fields and a missing scaling block.
std::vector<DescriptorProblem> ValidateDescriptor(std::string_view text);

// "descriptor.yml:12:5: compose.app.image is missing" (warnings say "warning: "
// unless the log line already does).
std::string FormatProblem(const std::string& file, const DescriptorProblem& problem, bool with_severity = true);

bool HasErrors(const std::vector<DescriptorProblem>& problems);

}  // namespace berth::micros

#endif  // BERTH_PLUGINS_MICROS_DESCRIPTOR_H_
