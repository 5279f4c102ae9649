#include "s2s/serve/batcher.h"

#include <algorithm>
#include <exception>
#include <new>

#include "s2s/core/error.h"
#include "s2s/core/parallel.h"
#include "s2s/serve/request.h"

namespace s2s::serve {

struct DynamicBatcher::Job {
  std::vector<std::string> inputs;
  DecodeOptions options;
  Clock::time_point enqueued;
  std::size_t next = 0;  // first input not yet taken into a batch
  std::size_t done = 0;  // inputs decoded
  std::vector<Result> results;
  int error_status = 0;
  std::string error;
  bool cancelled = false;  // the client stopped waiting
  bool finished = false;
};

struct DynamicBatcher::Slice {
  std::shared_ptr<Job> job;
  std::size_t begin, end;
};

DynamicBatcher::DynamicBatcher(std::shared_ptr<Translator> translator, BatchingOptions options, Metrics* metrics)
    : translator_(std::move(translator)), options_(options), metrics_(metrics) {
  S2S_CHECK(translator_, "serve: a batcher needs a translator");
  S2S_CHECK(options_.max_batch >= 1, "serve: --max-batch must be at least 1, got ", options_.max_batch);
  S2S_CHECK(options_.wait_ms >= 0, "serve: --batch-wait-ms must be at least 0, got ", options_.wait_ms);
  worker_ = std::thread([this] { worker_loop(); });
}

DynamicBatcher::~DynamicBatcher() { stop(); }

void DynamicBatcher::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

std::int64_t DynamicBatcher::queued_sentences() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queued_;
}

std::vector<Result> DynamicBatcher::translate(const std::vector<std::string>& inputs, const DecodeOptions& options,
                                              Clock::time_point deadline) {
  auto job = std::make_shared<Job>();
  job->inputs = inputs;
  job->options = options;
  job->enqueued = Clock::now();
  job->results.resize(inputs.size());
  std::unique_lock<std::mutex> lock(mutex_);
  if (stopping_) throw HttpError(503, "the server is shutting down");
  auto n = static_cast<std::int64_t>(inputs.size());
  if (queued_ + n > options_.max_queued)
    throw HttpError(503, "the server is busy: " + std::to_string(queued_) + " sentences are queued (limit " +
                             std::to_string(options_.max_queued) + "); retry later");
  if (inputs.empty()) return {};
  queue_.push_back(job);
  queued_ += n;
  work_cv_.notify_one();
  if (!done_cv_.wait_until(lock, deadline, [&] { return job->finished; })) {
    job->cancelled = true;  // the worker skips what it has not started
    throw HttpError(504, "translation did not finish in time (the server's --timeout-ms)");
  }
  if (job->error_status) throw HttpError(job->error_status, job->error);
  return std::move(job->results);
}

void DynamicBatcher::worker_loop() {
  // OpenMP's thread count is per thread: set it where decoding runs.
  if (options_.threads > 0) set_num_threads(options_.threads);
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping with nothing left
    std::vector<Slice> batch = take_batch(lock);
    if (batch.empty()) continue;
    lock.unlock();
    run_batch(batch);
    lock.lock();
  }
}

// Called with the lock held; may wait on work_cv_ for batch mates.
std::vector<DynamicBatcher::Slice> DynamicBatcher::take_batch(std::unique_lock<std::mutex>& lock) {
  auto drop_cancelled = [&] {
    for (auto it = queue_.begin(); it != queue_.end();) {
      if ((*it)->cancelled) {
        queued_ -= static_cast<std::int64_t>((*it)->inputs.size() - (*it)->next);
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
  };
  auto max_batch = static_cast<std::size_t>(options_.max_batch);
  auto matching = [&](const DecodeOptions& o) {
    std::size_t n = 0;
    for (const auto& j : queue_)
      if (!j->cancelled && j->options == o) n += j->inputs.size() - j->next;
    return n;
  };
  drop_cancelled();
  if (queue_.empty()) return {};
  std::shared_ptr<Job> head = queue_.front();
  Clock::time_point close = head->enqueued + std::chrono::milliseconds(options_.wait_ms);
  while (!stopping_ && !head->cancelled && matching(head->options) < max_batch && Clock::now() < close)
    work_cv_.wait_until(lock, close);
  drop_cancelled();
  if (queue_.empty()) return {};
  const DecodeOptions options = queue_.front()->options;

  std::vector<Slice> batch;
  std::size_t n = 0;
  for (const auto& j : queue_) {
    if (n == max_batch) break;
    if (!(j->options == options)) continue;
    std::size_t take = std::min(j->inputs.size() - j->next, max_batch - n);
    batch.push_back({j, j->next, j->next + take});
    j->next += take;
    n += take;
  }
  queued_ -= static_cast<std::int64_t>(n);
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(), [](const auto& j) { return j->next == j->inputs.size(); }),
               queue_.end());
  return batch;
}

void DynamicBatcher::run_batch(const std::vector<Slice>& batch) {
  if (batch.size() > 1) {
    // One bad request must not fail its batch mates: on an error, decode each
    // request's slice alone so only the culprit gets it.
    try {
      run_slices(batch);
      return;
    } catch (...) {
    }
    for (const Slice& s : batch) {
      try {
        run_slices({s});
      } catch (...) {
      }
    }
    return;
  }
  try {
    run_slices(batch);
  } catch (...) {
  }
}

// Decodes the slices in one call; on failure records the error in every job
// of a single-slice batch and rethrows.
void DynamicBatcher::run_slices(const std::vector<Slice>& batch) {
  std::vector<std::string> inputs;
  for (const Slice& s : batch) inputs.insert(inputs.end(), s.job->inputs.begin() + s.begin, s.job->inputs.begin() + s.end);
  const DecodeOptions& options = batch.front().job->options;
  int status = 0;
  std::string error;
  std::vector<Result> results;
  auto start = Clock::now();
  try {
    results = translator_->translate(inputs, options);
    if (results.size() != inputs.size())
      status = 500, error = "internal error: the translator returned " + std::to_string(results.size()) +
                            " results for " + std::to_string(inputs.size()) + " inputs";
  } catch (const HttpError& e) {
    status = e.status(), error = e.what();
  } catch (const s2s::Error& e) {
    status = 400, error = e.what();
  } catch (const std::bad_alloc&) {
    status = 503, error = "out of memory while translating";
  } catch (const std::exception& e) {
    status = 500, error = std::string("internal error: ") + e.what();
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (status && batch.size() > 1) throw HttpError(status, error);

  // Counted before any request is answered, so a client that has its answer
  // already finds its batch in /metrics.
  if (metrics_ && !status) {
    std::int64_t tokens = 0;
    for (const auto& r : results)
      if (!r.hypotheses.empty()) tokens += static_cast<std::int64_t>(r.hypotheses.front().target_tokens.size());
    metrics_->record_batch(translator_->info().name, static_cast<std::int64_t>(inputs.size()),
                           static_cast<std::int64_t>(batch.size()), tokens, seconds);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::size_t k = 0;
    for (const Slice& s : batch) {
      Job& job = *s.job;
      for (std::size_t i = s.begin; i < s.end; ++i, ++k)
        if (!status) job.results[i] = std::move(results[k]);
      if (status && !job.error_status) job.error_status = status, job.error = error;
      job.done += s.end - s.begin;
      // A failed job answers at once; its other slices are dropped.
      if (job.done == job.inputs.size() || job.error_status) {
        job.finished = true;
        if (job.error_status && job.next < job.inputs.size()) {
          queued_ -= static_cast<std::int64_t>(job.inputs.size() - job.next);
          job.next = job.inputs.size();
          job.cancelled = true;
        }
      }
    }
  }
  done_cv_.notify_all();
  if (status) throw HttpError(status, error);
}

}  // namespace s2s::serve
