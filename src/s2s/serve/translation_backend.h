#pragma once
// What the server needs from a model: translate a batch of sentences with one
// set of decoding options. The server owns batching, limits and HTTP; a
// backend owns tokenization, search and detokenization. (search::Translator
// is the text-in, text-out class the model backend drives.) Implementations:
// model_backend.h (a model directory through search/), and a deterministic
// fake in the tests.
//
// Contract the dynamic batcher relies on: the result for a sentence depends
// only on that sentence and the options, never on the other sentences in the
// call, so batching requests together returns what each alone would.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace s2s::serve {

struct SamplingOptions {
  bool enabled = false;
  float temperature = 1.0f;
  std::int64_t top_k = 0;    // 0: no limit
  float top_p = 1.0f;        // 1: no nucleus cut
  std::uint64_t seed = 0;    // same seed, same sentence: same output

  bool operator==(const SamplingOptions&) const = default;
};

struct DecodeOptions {
  std::int64_t beam = 1;
  std::int64_t n_best = 1;       // <= beam
  std::int64_t max_length = 0;   // 0: the model's default (a ratio of the source length)
  SamplingOptions sampling;
  bool return_scores = true;
  bool return_alignments = false;

  // Requests batch together only when these are equal.
  bool operator==(const DecodeOptions&) const = default;
};

struct Hypothesis {
  std::string text;
  double score = 0;  // log-probability as the search ranks it
  std::vector<std::string> target_tokens;
  // alignment[i][j]: attention of target token i on source token j; empty
  // unless alignments were asked for.
  std::vector<std::vector<float>> alignment;
};

struct Result {
  std::vector<std::string> source_tokens;
  std::vector<Hypothesis> hypotheses;  // best first, n_best of them
};

struct ModelInfo {
  std::string name;
  std::string path;
  std::string description;  // e.g. architecture and vocabulary sizes
  std::int64_t max_beam = 64;
  bool has_alignments = true;  // the model has attention to show
};

// Polled between decoding steps; true once nobody waits for the call's results.
using CancelCheck = std::function<bool()>;

class TranslationBackend {
 public:
  virtual ~TranslationBackend() = default;
  virtual const ModelInfo& info() const = 0;
  // One Result per input, in order. Throws s2s::Error for inputs or options
  // the model cannot handle (the server turns it into a 400), and
  // search::Cancelled when `cancelled` (if set) returned true: the work was
  // abandoned, nothing is returned.
  virtual std::vector<Result> translate(const std::vector<std::string>& inputs, const DecodeOptions& options,
                                        const CancelCheck& cancelled = {}) = 0;
  // Upper bound on the work of decoding `input`: the hypotheses kept per
  // step (beam, or samples) times the most output steps its length limit
  // allows. The server bounds its queues by the sum. Called from the HTTP
  // threads while translate() runs on another, so it must be thread-safe.
  virtual std::int64_t cost(const std::string& input, const DecodeOptions& options) const = 0;
};

}  // namespace s2s::serve
