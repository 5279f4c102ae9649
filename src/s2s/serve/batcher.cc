#include "s2s/serve/batcher.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <new>
#include <numeric>

#include "s2s/core/error.h"
#include "s2s/core/parallel.h"
#include "s2s/search/options.h"
#include "s2s/serve/request.h"

namespace s2s::serve {

namespace {

// How often a waiting client thread asks whether its client is still there.
constexpr auto kClientPoll = std::chrono::milliseconds(20);

}  // namespace

struct DynamicBatcher::Job {
  std::vector<std::string> inputs;
  std::vector<std::int64_t> costs;  // per input (TranslationBackend::cost)
  DecodeOptions options;
  Clock::time_point enqueued, deadline;
  std::size_t next = 0;  // first input not yet taken into a batch
  std::size_t done = 0;  // inputs decoded
  std::vector<Result> results;
  int error_status = 0;
  std::string error;
  // Nobody waits for the rest: the client left, or the job failed. Read by
  // the decoding thread's cancel check without the lock.
  std::atomic<bool> cancelled{false};
  bool finished = false;

  std::int64_t cost(std::size_t begin, std::size_t end) const {
    return std::accumulate(costs.begin() + static_cast<std::ptrdiff_t>(begin),
                           costs.begin() + static_cast<std::ptrdiff_t>(end), std::int64_t{0});
  }
  bool abandoned() const { return cancelled.load() || Clock::now() >= deadline; }
};

struct DynamicBatcher::Slice {
  std::shared_ptr<Job> job;
  std::size_t begin, end;
};

DynamicBatcher::DynamicBatcher(std::shared_ptr<TranslationBackend> backend, BatchingOptions options, Metrics* metrics)
    : backend_(std::move(backend)), options_(options), metrics_(metrics) {
  S2S_CHECK(backend_, "serve: a batcher needs a backend");
  S2S_CHECK(options_.max_batch >= 1, "serve: --max-batch must be at least 1, got ", options_.max_batch);
  S2S_CHECK(options_.wait_ms >= 0, "serve: --batch-wait-ms must be at least 0, got ", options_.wait_ms);
  S2S_CHECK(options_.max_queued_cost >= 1, "serve: --max-queued-cost must be at least 1, got ",
            options_.max_queued_cost);
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

std::int64_t DynamicBatcher::queued_cost() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queued_cost_;
}

int DynamicBatcher::retry_after_seconds() const {
  if (decoded_cost_ <= 0 || decode_seconds_ <= 0) return 1;
  const double per_second = static_cast<double>(decoded_cost_) / decode_seconds_;
  return static_cast<int>(std::clamp(std::ceil(static_cast<double>(queued_cost_) / per_second), 1.0, 60.0));
}

void DynamicBatcher::abandon(Job& job, const char* reason) {
  if (job.cancelled.exchange(true)) return;
  // What was not yet taken into a batch leaves the queue now, so the room
  // it held is free for others at once.
  queued_ -= static_cast<std::int64_t>(job.inputs.size() - job.next);
  queued_cost_ -= job.cost(job.next, job.inputs.size());
  job.next = job.inputs.size();
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(), [&](const auto& j) { return j.get() == &job; }),
               queue_.end());
  if (metrics_) metrics_->record_cancelled(backend_->info().name, reason);
}

std::vector<Result> DynamicBatcher::translate(const std::vector<std::string>& inputs, const DecodeOptions& options,
                                              Clock::time_point deadline, const CancelCheck& client_gone) {
  if (inputs.empty()) return {};
  auto job = std::make_shared<Job>();
  job->inputs = inputs;
  job->options = options;
  std::int64_t total = 0;
  for (const std::string& s : inputs) {
    job->costs.push_back(std::max<std::int64_t>(1, backend_->cost(s, options)));
    total += job->costs.back();
  }
  job->enqueued = Clock::now();
  job->deadline = deadline;
  job->results.resize(inputs.size());
  std::unique_lock<std::mutex> lock(mutex_);
  if (stopping_) throw HttpError(503, "the server is shutting down");
  const std::int64_t limit = options_.max_queued_cost;
  if (total > limit)
    throw HttpError(413, "the request is too much work: it costs " + std::to_string(total) +
                             " (beam x longest possible output, summed over its sentences) and the queue holds at most " +
                             std::to_string(limit) +
                             " (the server's --max-queued-cost); send fewer or shorter sentences, a smaller beam or "
                             "a smaller max_length");
  if (queued_cost_ + total > limit)
    throw HttpError(503,
                    "the server is busy: work costing " + std::to_string(queued_cost_) +
                        " is queued and this request adds " + std::to_string(total) + " (limit " +
                        std::to_string(limit) + ", the server's --max-queued-cost); retry later",
                    retry_after_seconds());
  queue_.push_back(job);
  queued_ += static_cast<std::int64_t>(inputs.size());
  queued_cost_ += total;
  work_cv_.notify_one();
  for (;;) {
    const Clock::time_point wake = client_gone ? std::min(deadline, Clock::now() + kClientPoll) : deadline;
    if (done_cv_.wait_until(lock, wake, [&] { return job->finished; })) break;
    if (Clock::now() >= deadline) {
      abandon(*job, "deadline");
      throw HttpError(504, "translation did not finish in time (the server's --timeout-ms)");
    }
    if (client_gone && client_gone()) {
      abandon(*job, "client_closed");
      throw HttpError(499, "the client closed the connection before the translation finished");
    }
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
  auto drop_gone = [&] {
    std::vector<std::shared_ptr<Job>> expired;
    for (const auto& j : queue_)
      if (!j->cancelled && Clock::now() >= j->deadline) expired.push_back(j);
    for (const auto& j : expired) abandon(*j, "deadline");  // its client thread answers 504
    queue_.erase(std::remove_if(queue_.begin(), queue_.end(),
                                [](const auto& j) { return j->cancelled || j->next == j->inputs.size(); }),
                 queue_.end());
  };
  auto max_batch = static_cast<std::size_t>(options_.max_batch);
  auto matching = [&](const DecodeOptions& o) {
    std::size_t n = 0;
    for (const auto& j : queue_)
      if (!j->cancelled && j->options == o) n += j->inputs.size() - j->next;
    return n;
  };
  drop_gone();
  if (queue_.empty()) return {};
  std::shared_ptr<Job> head = queue_.front();
  Clock::time_point close = head->enqueued + std::chrono::milliseconds(options_.wait_ms);
  while (!stopping_ && !head->cancelled && matching(head->options) < max_batch && Clock::now() < close)
    work_cv_.wait_until(lock, close);
  drop_gone();
  if (queue_.empty()) return {};
  const DecodeOptions options = queue_.front()->options;

  std::vector<Slice> batch;
  std::size_t n = 0;
  for (const auto& j : queue_) {
    if (n == max_batch) break;
    if (!(j->options == options)) continue;
    std::size_t take = std::min(j->inputs.size() - j->next, max_batch - n);
    batch.push_back({j, j->next, j->next + take});
    queued_cost_ -= j->cost(j->next, j->next + take);
    j->next += take;
    n += take;
  }
  queued_ -= static_cast<std::int64_t>(n);
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(), [](const auto& j) { return j->next == j->inputs.size(); }),
               queue_.end());
  return batch;
}

void DynamicBatcher::run_batch(const std::vector<Slice>& batch) {
  // One bad request must not fail its batch mates: on an error, decode each
  // request's slice alone so only the culprit gets it.
  if (run_slices(batch) != Outcome::Failed || batch.size() == 1) return;
  for (const Slice& s : batch) run_slices({s});
}

// Decodes the slices in one call. A failure of a single-slice call, and a
// cancellation, is recorded in the jobs; a failure of a larger call is left
// to run_batch.
DynamicBatcher::Outcome DynamicBatcher::run_slices(const std::vector<Slice>& batch) {
  std::vector<std::string> inputs;
  for (const Slice& s : batch) inputs.insert(inputs.end(), s.job->inputs.begin() + s.begin, s.job->inputs.begin() + s.end);
  const DecodeOptions& options = batch.front().job->options;
  // Decoding stops between steps once nobody waits for any of it.
  const CancelCheck all_gone = [&batch] {
    return std::all_of(batch.begin(), batch.end(), [](const Slice& s) { return s.job->abandoned(); });
  };
  int status = 0;
  bool cancelled = false;
  std::string error;
  std::vector<Result> results;
  auto start = Clock::now();
  try {
    results = backend_->translate(inputs, options, all_gone);
    if (results.size() != inputs.size())
      status = 500, error = "internal error: the backend returned " + std::to_string(results.size()) +
                            " results for " + std::to_string(inputs.size()) + " inputs";
  } catch (const search::Cancelled&) {
    cancelled = true;
  } catch (const HttpError& e) {
    status = e.status(), error = e.what();
  } catch (const s2s::Error& e) {
    status = 400, error = e.what();
  } catch (const std::bad_alloc&) {
    status = 503, error = "out of memory while translating";
  } catch (const std::exception& e) {
    status = 500, error = std::string("internal error: ") + e.what();
  } catch (...) {
    status = 500, error = "internal error";
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (status && !cancelled && batch.size() > 1) return Outcome::Failed;

  // Counted before any request is answered, so a client that has its answer
  // already finds its batch in /metrics.
  const std::string& model = backend_->info().name;
  if (metrics_ && cancelled) metrics_->record_cancelled_batch(model, static_cast<std::int64_t>(inputs.size()));
  if (metrics_ && !status && !cancelled) {
    std::int64_t tokens = 0;
    for (const auto& r : results)
      if (!r.hypotheses.empty()) tokens += static_cast<std::int64_t>(r.hypotheses.front().target_tokens.size());
    metrics_->record_batch(model, static_cast<std::int64_t>(inputs.size()), static_cast<std::int64_t>(batch.size()),
                           tokens, seconds);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!status && !cancelled) {
      for (const Slice& s : batch) decoded_cost_ += s.job->cost(s.begin, s.end);
      decode_seconds_ += seconds;
    }
    std::size_t k = 0;
    for (const Slice& s : batch) {
      Job& job = *s.job;
      for (std::size_t i = s.begin; i < s.end; ++i, ++k)
        if (!status && !cancelled) job.results[i] = std::move(results[k]);
      if (cancelled && !job.error_status) {
        const bool late = Clock::now() >= job.deadline;
        abandon(job, late ? "deadline" : "client_closed");  // already abandoned unless the backend gave up by itself
        job.error_status = late ? 504 : 499;
        job.error = late ? "translation did not finish in time (the server's --timeout-ms)" : "decoding was cancelled";
      }
      if (status && !job.error_status) job.error_status = status, job.error = error;
      job.done += s.end - s.begin;
      // A failed job answers at once; its other slices are dropped.
      if (job.done == job.inputs.size() || job.error_status) {
        job.finished = true;
        if (job.error_status && job.next < job.inputs.size()) {
          queued_ -= static_cast<std::int64_t>(job.inputs.size() - job.next);
          queued_cost_ -= job.cost(job.next, job.inputs.size());
          job.next = job.inputs.size();
          job.cancelled = true;
        }
      }
    }
  }
  done_cv_.notify_all();
  return cancelled ? Outcome::Cancelled : status ? Outcome::Failed : Outcome::Done;
}

}  // namespace s2s::serve
