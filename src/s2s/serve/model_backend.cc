#include "s2s/serve/model_backend.h"

#include <algorithm>

#include "s2s/core/error.h"
#include "s2s/io/model_dir.h"
#include "s2s/search/scoring.h"
#include "s2s/search/translator.h"
#include "s2s/serve/request.h"

namespace s2s::serve {

namespace {

// The first ~60 bytes of a sentence for an error message, cut at a UTF-8 boundary.
std::string excerpt(const std::string& s) {
  constexpr std::size_t kMax = 60;
  if (s.size() <= kMax) return s;
  std::size_t n = kMax;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "...";
}

class ModelBackend : public TranslationBackend {
 public:
  ModelBackend(const std::string& name, const std::string& dir, kernels::ComputeType compute_type)
      : dir_(io::load_model_dir(dir, compute_type)) {
    auto it = dir_.config.find("data.src_eos");
    src_eos_ = it != dir_.config.end() && it->second == "true";
    info_.name = name;
    info_.path = dir;
    info_.description = dir_.model->describe();
    compute_type = dir_.compute_type;
    if (compute_type != kernels::ComputeType::Fp32)
      info_.description += std::string(", compute type ") + kernels::compute_type_name(compute_type);
    info_.max_beam = 64;
    info_.has_alignments = dir_.model->has_alignments();
    // search::Translator turns text into batches as `s2s translate` does;
    // the dynamic batcher has already sized the call, so one decoder batch.
    search::TranslatorOptions to;
    to.batch_size = std::int64_t{1} << 20;
    translator_ = std::make_unique<search::Translator>(
        std::vector<search::ModelCodec>{{dir_.model.get(), dir_.vocab.src_tokenizer.get(), dir_.vocab.src_vocab.get(),
                                         dir_.vocab.tgt_tokenizer.get(), dir_.vocab.tgt_vocab.get(), src_eos_,
                                         compute_type}},
        to);
  }

  const ModelInfo& info() const override { return info_; }

  std::vector<Result> translate(const std::vector<std::string>& inputs, const DecodeOptions& o,
                                const CancelCheck& cancelled = {}) override {
    if (inputs.empty()) return {};
    search::SearchOptions so = search_options(o);
    so.cancelled = cancelled;
    // Sampling draws from (seed, sentence id): the same id for every row
    // gives each sentence the samples it would get decoded alone.
    const std::vector<std::int64_t> ids(inputs.size(), 0);
    std::vector<search::Translation> done = translator_->translate(inputs, ids, so);
    S2S_CHECK(done.size() == inputs.size(), "serve: search returned ", done.size(), " results for ", inputs.size(),
              " sentences");
    std::vector<Result> results(inputs.size());
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      search::Translation& tr = done[i];
      // A sentence the model cannot score (NaN/Inf) fails its request with a
      // server-side error quoting the input (an index here would count within
      // the batch, not the request); the batcher decodes batch mates from
      // other requests again without it.
      if (!tr.error.empty()) throw HttpError(500, "model " + info_.name + ": input \"" + excerpt(inputs[i]) + "\": " + tr.error);
      S2S_CHECK(!tr.src_tokens.empty(), "input ", i, " has no tokens for this model");
      const std::size_t src_len = tr.src_tokens.size();
      results[i].source_tokens = std::move(tr.src_tokens);
      for (search::TranslatedHypothesis& h : tr.hypotheses) {
        Hypothesis out;
        out.text = std::move(h.text);
        out.score = h.score;
        if (o.return_alignments && h.attention.size() >= h.tokens.size() * src_len) {
          // One row per output token; the trailing </s> row is left out.
          for (std::size_t t = 0; t < h.tokens.size(); ++t)
            out.alignment.emplace_back(h.attention.begin() + static_cast<std::ptrdiff_t>(t * src_len),
                                       h.attention.begin() + static_cast<std::ptrdiff_t>((t + 1) * src_len));
        }
        out.target_tokens = std::move(h.tokens);
        results[i].hypotheses.push_back(std::move(out));
      }
    }
    return results;
  }

  std::int64_t cost(const std::string& input, const DecodeOptions& o) const override {
    auto src_len = static_cast<std::int64_t>(dir_.vocab.src_tokenizer->tokenize(input).size()) + (src_eos_ ? 1 : 0);
    const std::int64_t steps = search::length_limits(search_options(o), std::max<std::int64_t>(src_len, 1)).max + 1;
    return steps * (o.sampling.enabled ? o.n_best : o.beam);
  }

 private:
  static search::SearchOptions search_options(const DecodeOptions& o) {
    search::SearchOptions so;
    so.beam_size = o.beam;
    so.n_best = o.sampling.enabled ? o.n_best : std::min(o.n_best, o.beam);
    if (o.max_length > 0) {
      so.max_length = o.max_length;
      so.max_length_ratio = 0.0f;  // the request's limit alone
    }
    so.sampling = o.sampling.enabled;
    so.temperature = o.sampling.temperature;
    so.top_k = o.sampling.top_k;
    so.top_p = o.sampling.top_p;
    so.seed = o.sampling.seed;
    so.keep_attention = o.return_alignments;
    return so;
  }

  io::ModelDir dir_;
  std::unique_ptr<search::Translator> translator_;
  bool src_eos_ = false;
  ModelInfo info_;
};

}  // namespace

std::pair<std::string, std::string> parse_model_spec(const std::string& spec) {
  S2S_CHECK(!spec.empty(), "s2s serve: empty -m value (expected DIR or NAME=DIR)");
  std::size_t eq = spec.find('=');
  if (eq != std::string::npos && spec.substr(0, eq).find('/') == std::string::npos) {
    std::string name = spec.substr(0, eq), dir = spec.substr(eq + 1);
    S2S_CHECK(!name.empty() && !dir.empty(), "s2s serve: -m ", spec, ": expected NAME=DIR");
    return {name, dir};
  }
  std::string dir = spec;
  std::string trimmed = spec;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  std::size_t slash = trimmed.find_last_of('/');
  std::string name = slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
  S2S_CHECK(!name.empty() && name != "/" && name != "." && name != "..", "s2s serve: -m ", spec,
            ": cannot name the model from this path; use NAME=DIR");
  return {name, dir};
}

std::shared_ptr<TranslationBackend> load_model_backend(const std::string& name, const std::string& dir,
                                                      kernels::ComputeType compute_type) {
  return std::make_shared<ModelBackend>(name, dir, compute_type);
}

}  // namespace s2s::serve
