#pragma once
// Dynamic batching: requests for one model that arrive close together are
// decoded in one backend call. A worker thread takes the oldest request,
// waits until `max_batch` sentences with the same decoding options are queued
// or `wait_ms` have passed since that request arrived, then decodes them
// together (a request larger than max_batch is split over several calls).
// Because a backend's output for a sentence does not depend on its batch
// mates, every client gets what decoding its request alone would give.
//
// The queue is bounded by work, not by requests: each sentence costs what
// TranslationBackend::cost says (beam x longest possible output), and a
// request that would take the queued cost past `max_queued_cost` is refused
// at once. A request whose client has gone (deadline passed, connection
// closed) is dropped from the queue, and a decoding call stops between steps
// once every request in it has gone.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "s2s/serve/metrics.h"
#include "s2s/serve/translation_backend.h"

namespace s2s::serve {

using Clock = std::chrono::steady_clock;

struct BatchingOptions {
  std::int64_t max_batch = 32;  // sentences per backend call
  std::int64_t wait_ms = 5;     // longest a request waits for batch mates
  // Work units (TranslationBackend::cost) waiting for a batch; a request
  // that would exceed it gets 503 (413 if it alone exceeds it). The default
  // admits one request at the default per-request limits (64 sentences of
  // 256 output steps at beam 16 is 263,168) and is some tens of seconds of
  // work for a mid-sized model on a few cores.
  std::int64_t max_queued_cost = 300000;
  int threads = 0;  // OpenMP threads the decoding thread uses (0: the default)
};

class DynamicBatcher {
 public:
  DynamicBatcher(std::shared_ptr<TranslationBackend> backend, BatchingOptions options, Metrics* metrics = nullptr);
  ~DynamicBatcher();  // stop()
  DynamicBatcher(const DynamicBatcher&) = delete;
  DynamicBatcher& operator=(const DynamicBatcher&) = delete;

  // Decodes `inputs`, blocking until done. Throws HttpError: 504 when
  // `deadline` passes first, 499 when `client_gone` (polled every few
  // milliseconds while waiting) returns true, 503 (with a Retry-After) when
  // the queue cannot take the request's cost or the batcher is stopping,
  // 413 when the request alone costs more than the queue holds, 400 for an
  // s2s::Error from the backend, 500 for other failures.
  std::vector<Result> translate(const std::vector<std::string>& inputs, const DecodeOptions& options,
                                Clock::time_point deadline, const CancelCheck& client_gone = {});

  // Sentences, and their cost, waiting for a batch.
  std::int64_t queued_sentences() const;
  std::int64_t queued_cost() const;
  // Finishes the queued work, then joins the worker. Idempotent.
  void stop();

  TranslationBackend& backend() { return *backend_; }

 private:
  struct Job;
  struct Slice;
  enum class Outcome { Done, Failed, Cancelled };
  void worker_loop();
  std::vector<Slice> take_batch(std::unique_lock<std::mutex>& lock);
  void run_batch(const std::vector<Slice>& batch);
  Outcome run_slices(const std::vector<Slice>& batch);
  // Takes a job the client no longer waits for out of the queue (lock held).
  void abandon(Job& job, const char* reason);
  // Seconds until the queue has room again at the measured decoding speed (lock held).
  int retry_after_seconds() const;

  std::shared_ptr<TranslationBackend> backend_;
  BatchingOptions options_;
  Metrics* metrics_;

  mutable std::mutex mutex_;
  std::condition_variable work_cv_;  // worker: new job or stop
  std::condition_variable done_cv_;  // clients: a job finished
  std::deque<std::shared_ptr<Job>> queue_;
  std::int64_t queued_ = 0, queued_cost_ = 0;
  std::int64_t decoded_cost_ = 0;  // for Retry-After: cost decoded in decode_seconds_
  double decode_seconds_ = 0;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace s2s::serve
