#pragma once
// Dynamic batching: requests for one model that arrive close together are
// decoded in one Translator call. A worker thread takes the oldest request,
// waits until `max_batch` sentences with the same decoding options are queued
// or `wait_ms` have passed since that request arrived, then decodes them
// together (a request larger than max_batch is split over several calls).
// Because a Translator's output for a sentence does not depend on its batch
// mates, every client gets what decoding its request alone would give.
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
#include "s2s/serve/translator.h"

namespace s2s::serve {

using Clock = std::chrono::steady_clock;

struct BatchingOptions {
  std::int64_t max_batch = 32;     // sentences per Translator call
  std::int64_t wait_ms = 5;        // longest a request waits for batch mates
  std::int64_t max_queued = 4096;  // sentences waiting; beyond it requests get 503
  int threads = 0;                 // OpenMP threads the decoding thread uses (0: the default)
};

class DynamicBatcher {
 public:
  DynamicBatcher(std::shared_ptr<Translator> translator, BatchingOptions options, Metrics* metrics = nullptr);
  ~DynamicBatcher();  // stop()
  DynamicBatcher(const DynamicBatcher&) = delete;
  DynamicBatcher& operator=(const DynamicBatcher&) = delete;

  // Decodes `inputs`, blocking until done. Throws HttpError: 504 when
  // `deadline` passes first, 503 when the queue is full or the batcher is
  // stopping, 400 for an s2s::Error from the translator, 500 for other failures.
  std::vector<Result> translate(const std::vector<std::string>& inputs, const DecodeOptions& options,
                                Clock::time_point deadline);

  // Sentences waiting for a batch.
  std::int64_t queued_sentences() const;
  // Finishes the queued work, then joins the worker. Idempotent.
  void stop();

  Translator& translator() { return *translator_; }

 private:
  struct Job;
  struct Slice;
  void worker_loop();
  std::vector<Slice> take_batch(std::unique_lock<std::mutex>& lock);
  void run_batch(const std::vector<Slice>& batch);
  void run_slices(const std::vector<Slice>& batch);

  std::shared_ptr<Translator> translator_;
  BatchingOptions options_;
  Metrics* metrics_;

  mutable std::mutex mutex_;
  std::condition_variable work_cv_;  // worker: new job or stop
  std::condition_variable done_cv_;  // clients: a job finished
  std::deque<std::shared_ptr<Job>> queue_;
  std::int64_t queued_ = 0;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace s2s::serve
