#pragma once
// A deterministic TranslationBackend for the server tests. Its output for a sentence
// is a pure function of the sentence and the options (so batching must not
// change it), and distinct sentences give distinct outputs (so a result
// delivered to the wrong request shows):
//   target tokens = the source's whitespace tokens reversed, then "<b=N>" when
//   beam > 1 and "<s=SEED>" when sampling, cut to max_length; text = prefix +
//   the target tokens joined by spaces; score = -0.5 per token - 0.01 * beam;
//   alignment: reversed token i attends only to source token n-1-i, marker
//   tokens attend uniformly; hypothesis k of an n-best list adds " #k" and
//   scores k less.
// The sentence "FAIL" throws s2s::Error, "CRASH" a std::runtime_error.
// Calls can be held at a gate to make batching deterministic, and every call
// is logged. cost = (source tokens + 1) x (beam, or n_best when sampling).
// Like search/, a call polls its cancel check while it works (here: while
// held at the gate, as one "step" every millisecond) and throws
// search::Cancelled when it says so.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "s2s/core/error.h"
#include "s2s/search/options.h"
#include "s2s/serve/translation_backend.h"

namespace s2s::serve::testing {

class FakeBackend : public TranslationBackend {
 public:
  struct Call {
    std::vector<std::string> inputs;
    DecodeOptions options;
  };

  explicit FakeBackend(std::string name = "fake", std::string prefix = "") : prefix_(std::move(prefix)) {
    info_.name = std::move(name);
    info_.path = "/models/" + info_.name;
    info_.description = "test double: reverses tokens";
    info_.max_beam = 8;
  }

  const ModelInfo& info() const override { return info_; }

  // The expected result for one sentence (what translate gives it in any batch).
  Result expected(const std::string& input, const DecodeOptions& o) const {
    std::istringstream in(input);
    Result r;
    for (std::string t; in >> t;) r.source_tokens.push_back(t);
    std::size_t n = r.source_tokens.size();
    std::vector<std::string> tgt(r.source_tokens.rbegin(), r.source_tokens.rend());
    if (o.beam > 1) tgt.push_back("<b=" + std::to_string(o.beam) + ">");
    if (o.sampling.enabled) tgt.push_back("<s=" + std::to_string(o.sampling.seed) + ">");
    if (o.max_length > 0 && static_cast<std::int64_t>(tgt.size()) > o.max_length) tgt.resize(o.max_length);
    std::int64_t hyps = o.sampling.enabled ? o.n_best : std::min(o.n_best, o.beam);
    for (std::int64_t k = 0; k < hyps; ++k) {
      Hypothesis h;
      h.target_tokens = tgt;
      h.text = prefix_;
      for (std::size_t i = 0; i < tgt.size(); ++i) h.text += (i ? " " : "") + tgt[i];
      if (k > 0) h.text += " #" + std::to_string(k);
      h.score = -0.5 * static_cast<double>(tgt.size()) - 0.01 * static_cast<double>(o.beam) - static_cast<double>(k);
      if (o.return_alignments) {
        for (std::size_t i = 0; i < tgt.size(); ++i) {
          std::vector<float> row(n, 0.0f);
          if (i < n) row[n - 1 - i] = 1.0f;
          else for (float& w : row) w = 1.0f / static_cast<float>(n);
          h.alignment.push_back(row);
        }
      }
      r.hypotheses.push_back(h);
    }
    return r;
  }

  std::vector<Result> translate(const std::vector<std::string>& inputs, const DecodeOptions& options,
                                const CancelCheck& cancelled = {}) override {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      calls_.push_back({inputs, options});
      ++started_;
      started_cv_.notify_all();
      while (!gate_cv_.wait_for(lock, std::chrono::milliseconds(1), [&] { return !hold_; })) {
        if (cancelled && cancelled()) {
          ++cancelled_calls_;
          throw search::Cancelled("fake: cancelled");
        }
      }
    }
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    std::vector<Result> out;
    for (const auto& s : inputs) {
      if (s == "FAIL") s2s::fail("fake: cannot translate FAIL");
      if (s == "CRASH") throw std::runtime_error("fake: crashed");
      out.push_back(expected(s, options));
    }
    return out;
  }

  std::int64_t cost(const std::string& input, const DecodeOptions& o) const override {
    std::istringstream in(input);
    std::int64_t tokens = 0;
    for (std::string t; in >> t;) ++tokens;
    return (tokens + 1) * (o.sampling.enabled ? o.n_best : o.beam);
  }

  // Calls block at the gate while held.
  void hold() {
    std::lock_guard<std::mutex> lock(mutex_);
    hold_ = true;
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      hold_ = false;
    }
    gate_cv_.notify_all();
  }
  // Waits (at most 10 s) until `n` calls have started; false on time-out.
  bool wait_started(int n) {
    std::unique_lock<std::mutex> lock(mutex_);
    return started_cv_.wait_for(lock, std::chrono::seconds(10), [&] { return started_ >= n; });
  }
  void set_delay(std::chrono::milliseconds d) { delay_ = d; }
  std::vector<Call> calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }
  // Calls that stopped because their cancel check said so.
  int cancelled_calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return cancelled_calls_;
  }

 private:
  ModelInfo info_;
  std::string prefix_;
  std::chrono::milliseconds delay_{0};
  mutable std::mutex mutex_;
  std::condition_variable gate_cv_, started_cv_;
  bool hold_ = false;
  int started_ = 0, cancelled_calls_ = 0;
  std::vector<Call> calls_;
};

}  // namespace s2s::serve::testing
