#include "s2s/serve/metrics.h"

#include <cstdio>

namespace s2s::serve {

namespace {

const std::vector<double> kLatencyBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                            0.25,  0.5,    1,     2.5,  5,     10};
const std::vector<double> kBatchBounds = {1, 2, 4, 8, 16, 32, 64, 128, 256};

const char* kKnownEndpoints[] = {"/", "/health", "/metrics", "/v1/models", "/v1/translate"};

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// Label values may hold any bytes (model names); escape as the format says.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

Histogram& get(std::map<std::string, Histogram>& m, const std::string& key, const std::vector<double>& bounds) {
  auto it = m.find(key);
  if (it == m.end()) it = m.emplace(key, Histogram(bounds)).first;
  return it->second;
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
  std::size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += value;
  ++count_;
}

void Histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
  std::string sep = labels.empty() ? "" : ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i];
    std::string le = i < bounds_.size() ? number(bounds_[i]) : "+Inf";
    out += name + "_bucket{" + labels + sep + "le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += name + "_sum" + braces + " " + number(sum_) + "\n";
  out += name + "_count" + braces + " " + std::to_string(count_) + "\n";
}

Metrics::Metrics() {
  for (const char* e : kKnownEndpoints) latency_.emplace(e, Histogram(kLatencyBounds));
}

void Metrics::record_request(const std::string& endpoint, int status, double seconds) {
  bool known = false;
  for (const char* e : kKnownEndpoints) known = known || endpoint == e;
  std::string key = known ? endpoint : "other";
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{key, status}];
  get(latency_, key, kLatencyBounds).observe(seconds);
}

void Metrics::record_batch(const std::string& model, std::int64_t sentences, std::int64_t requests,
                           std::int64_t tokens, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  get(batch_sentences_, model, kBatchBounds).observe(static_cast<double>(sentences));
  get(batch_requests_, model, kBatchBounds).observe(static_cast<double>(requests));
  sentences_[model] += static_cast<std::uint64_t>(sentences);
  tokens_[model] += static_cast<std::uint64_t>(tokens);
  batches_[model] += 1;
  decode_seconds_[model] += seconds;
}

void Metrics::record_cancelled(const std::string& model, const std::string& reason) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++cancelled_[{model, reason}];
}

void Metrics::record_cancelled_batch(const std::string& model, std::int64_t sentences) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++cancelled_batches_[model];
  cancelled_sentences_[model] += static_cast<std::uint64_t>(sentences);
}

std::string prometheus_label(const std::string& value) { return label(value); }
std::string prometheus_number(double value) { return number(value); }

std::string Metrics::render(const std::string& extra) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  header(out, "s2s_requests_total", "counter", "HTTP requests by endpoint and status code.");
  for (const auto& [key, n] : requests_)
    out += "s2s_requests_total{endpoint=\"" + label(key.first) + "\",code=\"" + std::to_string(key.second) + "\"} " +
           std::to_string(n) + "\n";
  header(out, "s2s_errors_total", "counter", "HTTP requests answered with a 4xx or 5xx status.");
  std::map<std::pair<std::string, int>, std::uint64_t> errors;
  for (const auto& [key, n] : requests_)
    if (key.second >= 400) errors[key] += n;
  if (errors.empty()) out += "s2s_errors_total 0\n";
  for (const auto& [key, n] : errors)
    out += "s2s_errors_total{endpoint=\"" + label(key.first) + "\",code=\"" + std::to_string(key.second) + "\"} " +
           std::to_string(n) + "\n";
  header(out, "s2s_request_duration_seconds", "histogram", "Time from request received to response ready.");
  for (const auto& [endpoint, h] : latency_)
    h.render(out, "s2s_request_duration_seconds", "endpoint=\"" + label(endpoint) + "\"");
  header(out, "s2s_batch_size", "histogram", "Sentences per decoding batch.");
  for (const auto& [model, h] : batch_sentences_) h.render(out, "s2s_batch_size", "model=\"" + label(model) + "\"");
  header(out, "s2s_batch_requests", "histogram", "Requests merged into one decoding batch.");
  for (const auto& [model, h] : batch_requests_)
    h.render(out, "s2s_batch_requests", "model=\"" + label(model) + "\"");
  header(out, "s2s_translated_sentences_total", "counter", "Sentences decoded.");
  for (const auto& [model, n] : sentences_)
    out += "s2s_translated_sentences_total{model=\"" + label(model) + "\"} " + std::to_string(n) + "\n";
  header(out, "s2s_generated_tokens_total", "counter", "Target tokens generated (best hypotheses).");
  for (const auto& [model, n] : tokens_)
    out += "s2s_generated_tokens_total{model=\"" + label(model) + "\"} " + std::to_string(n) + "\n";
  header(out, "s2s_decode_seconds_total", "counter", "Time spent inside decoding batches.");
  for (const auto& [model, s] : decode_seconds_)
    out += "s2s_decode_seconds_total{model=\"" + label(model) + "\"} " + number(s) + "\n";
  header(out, "s2s_tokens_per_second", "gauge", "Generated tokens per second of decoding, since start.");
  for (const auto& [model, n] : tokens_) {
    double s = decode_seconds_.at(model);
    out += "s2s_tokens_per_second{model=\"" + label(model) + "\"} " +
           number(s > 0 ? static_cast<double>(n) / s : 0.0) + "\n";
  }
  header(out, "s2s_cancelled_requests_total", "counter",
         "Translate requests given up because their client stopped waiting (reason: deadline, client_closed).");
  if (cancelled_.empty()) out += "s2s_cancelled_requests_total 0\n";
  for (const auto& [key, n] : cancelled_)
    out += "s2s_cancelled_requests_total{model=\"" + label(key.first) + "\",reason=\"" + label(key.second) + "\"} " +
           std::to_string(n) + "\n";
  header(out, "s2s_cancelled_batches_total", "counter",
         "Decoding calls stopped between steps because every request in them was cancelled.");
  if (cancelled_batches_.empty()) out += "s2s_cancelled_batches_total 0\n";
  for (const auto& [model, n] : cancelled_batches_)
    out += "s2s_cancelled_batches_total{model=\"" + label(model) + "\"} " + std::to_string(n) + "\n";
  header(out, "s2s_cancelled_sentences_total", "counter", "Sentences in the decoding calls that were stopped.");
  for (const auto& [model, n] : cancelled_sentences_)
    out += "s2s_cancelled_sentences_total{model=\"" + label(model) + "\"} " + std::to_string(n) + "\n";
  return out + extra;
}

}  // namespace s2s::serve
