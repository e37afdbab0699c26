// The Builder interface: makes the project's image from its build context
// into an OCI image layout, which berth then pushes, signs and records.
// `berth build` and `berth release` call it; the builders plugin provides
// buildx, podman, buildah and berth's own builder, and a company can add its
// own the same way.
//
// With `build.builder: auto` berth asks every installed builder whether it
// can build this request here (its program is on PATH, its daemon answers,
// there is a Dockerfile if it needs one) and takes the usable one that
// prefers itself most; a named builder that cannot build says why.
#ifndef BERTH_BUILDER_H_
#define BERTH_BUILDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "berth/error.h"

namespace berth {

struct BuildRequest {
  std::string service;
  std::string project_dir;              // berth.yaml's folder.
  std::string context;                  // The build context, absolute.
  std::string dockerfile;               // Absolute; empty when the project has none.
  std::vector<std::string> platforms;   // "linux/amd64"; empty: the builder's default.
  std::string output;                   // "oci:DIR:TAG": the layout to write (only this image under TAG).
  int64_t source_date_epoch = 0;        // Timestamps for reproducible builds (SOURCE_DATE_EPOCH).
  bool no_cache = false;                // --no-cache: build every step again, using no cached layer.
};

struct BuilderFit {
  bool usable = false;
  // `auto` takes the usable builder with the highest preference: a daemon
  // builder with a cache above daemonless ones above berth's own.
  int preference = 0;
  std::string problem;                        // Why it is not usable, one line.
  ErrorCode problem_code = ErrorCode::kNotFound;  // kNotFound: a program is missing; kInvalidInput: the project lacks something.
  // It would build without the project's Dockerfile (berth's own builder):
  // `auto` never takes it when the project has one, since what it packs is
  // not what the Dockerfile describes; naming it is a deliberate choice.
  bool ignores_dockerfile = false;
};

struct BuildOutcome {
  std::string digest;  // The manifest digest at output's tag; berth checks it against the layout.
};

class Builder {
 public:
  virtual ~Builder() = default;
  virtual Result<BuilderFit> Check(const BuildRequest& request) noexcept = 0;
  virtual Result<BuildOutcome> Build(const BuildRequest& request) noexcept = 0;
};

}  // namespace berth

#endif  // BERTH_BUILDER_H_
