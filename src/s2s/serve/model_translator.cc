#include "s2s/serve/model_translator.h"

#include <algorithm>

#include "s2s/core/error.h"
#include "s2s/io/model_dir.h"
#include "s2s/search/search.h"
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

class ModelTranslator : public Translator {
 public:
  ModelTranslator(const std::string& name, const std::string& dir)
      : dir_(io::load_model_dir(dir)), ensemble_({dir_.model.get()}) {
    auto it = dir_.config.find("data.src_eos");
    src_eos_ = it != dir_.config.end() && it->second == "true";
    info_.name = name;
    info_.path = dir;
    const models::ModelConfig& c = dir_.model_config;
    info_.description = c.type + " " + models::cell_name(c.cell) + " " + std::to_string(c.encoder_layers) + "+" +
                        std::to_string(c.decoder_layers) + " layers, hidden " + std::to_string(c.hidden_size) +
                        ", attention " + models::attention_name(c.attention) +
                        ", vocab " + std::to_string(c.src_vocab_size) + "/" + std::to_string(c.tgt_vocab_size);
    info_.max_beam = 64;
    info_.has_alignments = c.attention != models::AttentionKind::None;
  }

  const ModelInfo& info() const override { return info_; }

  std::vector<Result> translate(const std::vector<std::string>& inputs, const DecodeOptions& o) override {
    if (inputs.empty()) return {};
    const auto& src_tok = *dir_.vocab.src_tokenizer;
    const auto& src_vocab = *dir_.vocab.src_vocab;
    const auto& tgt_tok = *dir_.vocab.tgt_tokenizer;
    const auto& tgt_vocab = *dir_.vocab.tgt_vocab;

    std::vector<Result> results(inputs.size());
    std::vector<std::vector<std::int32_t>> ids(inputs.size());
    std::size_t longest = 1;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      results[i].source_tokens = src_tok.tokenize(inputs[i]);
      S2S_CHECK(!results[i].source_tokens.empty() || src_eos_, "input ", i, " has no tokens for this model");
      src_vocab.encode(results[i].source_tokens, ids[i]);
      if (src_eos_) {
        ids[i].push_back(models::kEos);
        results[i].source_tokens.emplace_back("</s>");
      }
      longest = std::max(longest, ids[i].size());
    }
    const auto rows = static_cast<std::int64_t>(inputs.size()), steps = static_cast<std::int64_t>(longest);
    models::TokenBatch batch{Tensor::zeros({steps, rows}, DType::I32), Tensor::empty({rows}, DType::I32)};
    for (std::int64_t b = 0; b < rows; ++b) {
      const auto& row = ids[static_cast<std::size_t>(b)];
      for (std::size_t t = 0; t < row.size(); ++t) batch.ids.i32()[static_cast<std::int64_t>(t) * rows + b] = row[t];
      batch.lengths.i32()[b] = static_cast<std::int32_t>(row.size());
    }

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
    search::validate(so);
    // Sampling draws from (seed, sentence id): the same id for every row
    // gives each sentence the samples it would get decoded alone.
    std::vector<std::int64_t> sentence_ids(inputs.size(), 0);
    std::vector<search::SentenceResult> decoded =
        search::decode(ensemble_, std::span<const models::TokenBatch>(&batch, 1), so, sentence_ids);
    S2S_CHECK(decoded.size() == inputs.size(), "serve: search returned ", decoded.size(), " results for ",
              inputs.size(), " sentences");

    // A sentence the model cannot score (NaN/Inf) fails its request with a
    // server-side error quoting the input (an index here would count within
    // the batch, not the request); the batcher decodes batch mates from
    // other requests again without it.
    for (std::size_t i = 0; i < inputs.size(); ++i)
      if (!decoded[i].error.empty())
        throw HttpError(500, "model " + info_.name + ": input \"" + excerpt(inputs[i]) + "\": " + decoded[i].error);

    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const std::size_t src_len = ids[i].size();
      for (const search::Hypothesis& h : decoded[i].hypotheses) {
        Hypothesis out;
        out.target_tokens = tgt_vocab.decode(h.tokens);
        out.text = tgt_tok.detokenize(tgt_vocab.decode(h.tokens, /*skip_reserved=*/true));
        out.score = h.score;
        if (o.return_alignments && h.attention.size() >= h.tokens.size() * src_len) {
          // One row per output token; the trailing </s> row is left out.
          for (std::size_t t = 0; t < h.tokens.size(); ++t)
            out.alignment.emplace_back(h.attention.begin() + static_cast<std::ptrdiff_t>(t * src_len),
                                       h.attention.begin() + static_cast<std::ptrdiff_t>((t + 1) * src_len));
        }
        results[i].hypotheses.push_back(std::move(out));
      }
    }
    return results;
  }

 private:
  io::ModelDir dir_;
  search::Ensemble ensemble_;
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

std::shared_ptr<Translator> load_model_translator(const std::string& name, const std::string& dir) {
  return std::make_shared<ModelTranslator>(name, dir);
}

}  // namespace s2s::serve
