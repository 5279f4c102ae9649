#pragma once
// Server metrics in the Prometheus text exposition format (version 0.0.4):
// request counts by endpoint and status, errors, a latency histogram, batch
// sizes, generated tokens and decoding throughput. Thread-safe.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace s2s::serve {

// A label value escaped for the text format (backslash, quote, newline).
std::string prometheus_label(const std::string& value);
// A sample value: integers exactly, others with 9 significant digits.
std::string prometheus_number(double value);

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value);
  // Appends name_bucket{le=...}, name_sum and name_count lines.
  void render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // per bucket, not cumulative
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

class Metrics {
 public:
  Metrics();

  // `endpoint` is the route ("/v1/translate"); other paths count as "other".
  void record_request(const std::string& endpoint, int status, double seconds);
  // One translator call: `sentences` from `requests` requests produced `tokens` target tokens.
  void record_batch(const std::string& model, std::int64_t sentences, std::int64_t requests, std::int64_t tokens,
                    double seconds);

  // A translate request whose client stopped waiting: reason "deadline"
  // (--timeout-ms passed) or "client_closed" (the connection closed).
  void record_cancelled(const std::string& model, const std::string& reason);
  // A decoding call stopped between steps because every request in it was cancelled.
  void record_cancelled_batch(const std::string& model, std::int64_t sentences);

  // The exposition text; `extra` (already formatted samples the caller
  // owns: queue depth, requests in flight) is appended.
  std::string render(const std::string& extra = "") const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;  // (endpoint, status)
  std::map<std::string, Histogram> latency_;                       // by endpoint
  std::map<std::string, Histogram> batch_sentences_, batch_requests_;  // by model
  std::map<std::string, std::uint64_t> sentences_, tokens_, batches_;
  std::map<std::string, double> decode_seconds_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> cancelled_;  // (model, reason)
  std::map<std::string, std::uint64_t> cancelled_batches_, cancelled_sentences_;
};

}  // namespace s2s::serve
