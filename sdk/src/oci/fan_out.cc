#include "berth/oci/fan_out.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "berth/oci/parallel.h"
#include "berth/oci/progress.h"
#include "berth/util/log.h"

namespace berth::oci {
namespace {

constexpr size_t kPipeCapacity = 1u << 20;  // Per destination and blob in flight.
constexpr size_t kReadSize = 256u << 10;

class PipeBlobReader : public BlobReader {
 public:
  explicit PipeBlobReader(std::shared_ptr<BoundedPipe> pipe) : pipe_(std::move(pipe)) {}
  // A destination that gave up on this stream (to start over, or failed)
  // must not hold the others back: the writer then skips its pipe.
  ~PipeBlobReader() override { pipe_->Fail(std::make_exception_ptr(Error(ErrorCode::kFailure, "destination stopped reading"))); }
  // The source's reader verified the bytes before their last ones reached
  // the pipe, and the pipe closes only after that reader's final 0.
  size_t Read(char* buffer, size_t size) override { return pipe_->Read(buffer, size); }

 private:
  std::shared_ptr<BoundedPipe> pipe_;
};

// One blob's bytes, read once from the source and handed to every
// destination that asks for them.
class BlobTee {
 public:
  BlobTee(ImageSource& source, const Descriptor& blob, size_t destinations)
      : source_(source), blob_(blob), slots_(destinations) {}

  // Destination i's first Open(): a reader on its own pipe. nullptr on a
  // later one (it starts over and reads the source itself).
  std::unique_ptr<BlobReader> Subscribe(size_t i) {
    std::lock_guard<std::mutex> lock(mutex_);
    Slot& slot = slots_[i];
    if (slot.opened) return nullptr;
    slot.opened = true;
    if (streaming_) return nullptr;  // Too late to join (cannot happen: Run waits for everyone).
    slot.pipe = std::make_shared<BoundedPipe>(kPipeCapacity);
    slot.decided = true;
    changed_.notify_all();
    return std::make_unique<PipeBlobReader>(slot.pipe);
  }

  // Destination i is done with the blob, whatever the outcome.
  void Finish(size_t i) {
    std::lock_guard<std::mutex> lock(mutex_);
    Slot& slot = slots_[i];
    slot.decided = true;
    // Unblocks the writer if this destination stopped reading early.
    if (slot.pipe) slot.pipe->Fail(std::make_exception_ptr(Error(ErrorCode::kFailure, "destination stopped reading")));
    changed_.notify_all();
  }

  // On the coordinating thread: waits until each destination asked for the
  // bytes or finished without them, then streams the source to those that
  // asked. Returns the bytes read (0 when nobody needed them).
  int64_t Run() {
    std::vector<std::shared_ptr<BoundedPipe>> pipes;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] {
        for (const auto& slot : slots_) {
          if (!slot.decided) return false;
        }
        return true;
      });
      streaming_ = true;
      for (const auto& slot : slots_) {
        if (slot.pipe) pipes.push_back(slot.pipe);
      }
    }
    if (pipes.empty()) return -1;
    std::vector<bool> live(pipes.size(), true);
    int64_t total = 0;
    try {
      std::unique_ptr<BlobReader> reader = source_.Blob(blob_)->Open();
      std::vector<char> buffer(kReadSize);
      while (size_t n = reader->Read(buffer.data(), buffer.size())) {
        total += int64_t(n);
        bool any = false;
        for (size_t k = 0; k < pipes.size(); ++k) {
          if (!live[k]) continue;
          try {
            pipes[k]->Write(buffer.data(), n);
            any = true;
          } catch (...) {
            live[k] = false;  // That destination failed; the others go on.
          }
        }
        if (!any) return total;
      }
      for (auto& pipe : pipes) pipe->CloseWrite();
    } catch (...) {
      // The source failed (a digest mismatch, a download error): every
      // destination still reading gets this error.
      for (auto& pipe : pipes) pipe->Fail(std::current_exception());
    }
    return total;
  }

 private:
  struct Slot {
    bool opened = false;
    bool decided = false;
    std::shared_ptr<BoundedPipe> pipe;
  };
  ImageSource& source_;
  const Descriptor& blob_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Slot> slots_;
  bool streaming_ = false;
};

class TeeBlobSource : public BlobSource {
 public:
  TeeBlobSource(BlobTee& tee, size_t index, ImageSource& source, Descriptor blob, std::atomic<int>& rereads)
      : tee_(tee), index_(index), source_(source), blob_(std::move(blob)), rereads_(rereads) {}
  std::unique_ptr<BlobReader> Open() override {
    if (auto reader = tee_.Subscribe(index_)) return reader;
    ++rereads_;
    log::Info("blob {}: reading it again for a destination that starts its upload over", blob_.digest.str());
    return source_.Blob(blob_)->Open();
  }

 private:
  BlobTee& tee_;
  size_t index_;
  ImageSource& source_;
  Descriptor blob_;
  std::atomic<int>& rereads_;
};

// What one destination sees as its source: the real one, except that blob
// bytes come from the tee.
class TeeSource : public ImageSource {
 public:
  TeeSource(ImageSource& source, BlobTee& tee, size_t index, std::atomic<int>& rereads)
      : source_(source), tee_(tee), index_(index), rereads_(rereads) {}
  std::string Describe() const override { return source_.Describe(); }
  Manifest TopManifest() override { return source_.TopManifest(); }
  Manifest ChildManifest(const Descriptor& descriptor) override { return source_.ChildManifest(descriptor); }
  std::unique_ptr<BlobSource> Blob(const Descriptor& descriptor) override {
    return std::make_unique<TeeBlobSource>(tee_, index_, source_, descriptor, rereads_);
  }
  std::string SmallBlob(const Descriptor& descriptor) override { return source_.SmallBlob(descriptor); }
  // Registry sinks mount from a source on their own registry.
  RegistryClient* client() override { return source_.client(); }
  std::string repository() const override { return source_.repository(); }

 private:
  ImageSource& source_;
  BlobTee& tee_;
  size_t index_;
  std::atomic<int>& rereads_;
};

struct Destination {
  ImageSink* sink = nullptr;
  std::atomic<bool> failed{false};
  std::mutex mutex;
  ErrorCode code = ErrorCode::kOk;
  std::string error;
  BlobTally tally;

  void Fail(ErrorCode error_code, const std::string& message) {
    std::lock_guard<std::mutex> lock(mutex);
    if (failed) return;
    code = error_code;
    error = message;
    failed = true;
    log::Debug("{}: dropped from the copy: {}", sink->Describe(), message);
  }
};

// Runs fn and turns what it throws into the destination's failure.
template <typename Fn>
void Guarded(Destination& destination, Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    destination.Fail(e.code(), e.what());
  } catch (const std::exception& e) {
    destination.Fail(ErrorCode::kFailure, destination.sink->Describe() + ": " + e.what());
  }
}

}  // namespace

nlohmann::json DestinationResult::ToJson() const {
  nlohmann::json data = {{"destination", destination},
                         {"status", ok ? "ok" : "failed"},
                         {"blobs", {{"uploaded", copy.blobs_uploaded}, {"mounted", copy.blobs_mounted}, {"skipped", copy.blobs_skipped}}},
                         {"bytesUploaded", copy.bytes_uploaded}};
  if (ok) {
    data["digest"] = copy.top.digest.str();
  } else {
    data["error"] = error;
    data["exitCode"] = int(code);
  }
  return data;
}

std::string DestinationResult::ErrorLine() const {
  // "127.0.0.1:5000/team/app:1.0" and "oci:dir:tag" are named without their tag.
  std::string name = destination.substr(0, destination.find('@'));
  size_t colon = name.rfind(':'), slash = name.rfind('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash) && colon > name.find(':')) name.resize(colon);
  if (error.find(name) != std::string::npos) return error;
  return destination + ": " + error;
}

bool FanOutResult::ok() const {
  for (const auto& destination : destinations) {
    if (!destination.ok) return false;
  }
  return true;
}

ErrorCode FanOutResult::exit_code() const {
  std::optional<ErrorCode> code;
  for (const auto& destination : destinations) {
    if (destination.ok) continue;
    if (code && *code != destination.code) return ErrorCode::kFailure;
    code = destination.code;
  }
  return code.value_or(ErrorCode::kOk);
}

nlohmann::json FanOutResult::ToJson() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& destination : destinations) list.push_back(destination.ToJson());
  return {{"digest", top.digest.str()},
          {"mediaType", top.media_type},
          {"size", top.size},
          {"platforms", platforms},
          {"manifests", manifests},
          {"destinations", list},
          {"blobsRead", blobs_read},
          {"bytesRead", bytes_read},
          {"blobsReread", blobs_reread}};
}

FanOutResult CopyImageToMany(ImageSource& original, const std::vector<ImageSink*>& sinks, const CopyOptions& options) {
  std::unique_ptr<ImageSource> observed = options.observer ? ObserveSource(original, *options.observer) : nullptr;
  ImageSource& source = observed ? *observed : original;
  bool all_take_index = true, any_takes_index = false;
  for (ImageSink* sink : sinks) {
    all_take_index = all_take_index && sink->AcceptsIndex();
    any_takes_index = any_takes_index || sink->AcceptsIndex();
  }
  if (any_takes_index && !all_take_index && !options.platform && source.TopManifest().is_index) {
    throw Error(ErrorCode::kUsage, source.Describe() + " is an index and not every destination takes one: pick an image with --platform");
  }
  CopyPlan plan = PlanCopy(source, all_take_index, options);

  std::vector<Destination> destinations(sinks.size());
  for (size_t i = 0; i < sinks.size(); ++i) destinations[i].sink = sinks[i];
  std::atomic<int> blobs_read{0}, rereads{0};
  std::atomic<int64_t> bytes_read{0};

  ForEachBounded(plan.blobs.size(), options.concurrency, [&](size_t b) {
    const auto& [blob, is_config] = plan.blobs[b];
    std::vector<size_t> live;
    for (size_t i = 0; i < destinations.size(); ++i) {
      if (!destinations[i].failed) live.push_back(i);
    }
    if (live.empty()) return;
    BlobTee tee(source, blob, live.size());
    std::vector<std::thread> threads;
    for (size_t k = 0; k < live.size(); ++k) {
      // Named captures: clang 14 (the fuzz build) cannot capture structured bindings.
      threads.emplace_back([&, k, &blob = blob, is_config = is_config] {
        Destination& destination = destinations[live[k]];
        Guarded(destination, [&] {
          TeeSource view(source, tee, k, rereads);
          BlobOutcome outcome = destination.sink->PutBlob(blob, view, is_config);
          destination.tally.Record(destination.sink->Describe(), blob, outcome);
          if (options.observer) options.observer->BlobDone(destination.sink->Describe(), blob, outcome);
        });
        tee.Finish(k);
      });
    }
    int64_t read = tee.Run();
    for (auto& thread : threads) thread.join();
    if (read >= 0) {
      ++blobs_read;
      bytes_read += read;
    }
  });

  // Each destination with all its blobs gets its manifests, independently.
  ForEachBounded(destinations.size(), int(destinations.size()), [&](size_t i) {
    Destination& destination = destinations[i];
    if (destination.failed) return;
    Guarded(destination, [&] { CommitPlan(*destination.sink, plan); });
  });

  FanOutResult result;
  result.top = plan.top.AsDescriptor();
  result.platforms = plan.platforms;
  result.manifests = int(plan.children.size()) + 1;
  result.blobs_read = blobs_read;
  result.bytes_read = bytes_read;
  result.blobs_reread = rereads;
  for (auto& destination : destinations) {
    DestinationResult one;
    one.destination = destination.sink->Describe();
    one.ok = !destination.failed;
    one.code = destination.code;
    one.error = destination.error;
    one.copy.top = result.top;
    one.copy.platforms = plan.platforms;
    one.copy.manifests = result.manifests;
    destination.tally.CopyTo(one.copy);
    result.destinations.push_back(std::move(one));
  }
  return result;
}

}  // namespace berth::oci
