#pragma once
// Text in, text out: tokenizes source lines with each model's own tokenizer
// and vocabulary, decodes them in length-sorted batches, and returns every
// translation in input order with its tokens, detokenized text, scores,
// attention and alignments. `s2s translate`, `s2s eval` and validation
// during training all use this class.
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "s2s/data/source_copy.h"
#include "s2s/data/tokenizer.h"
#include "s2s/data/vocab.h"
#include "s2s/models/encoder_decoder.h"
#include "s2s/search/ensemble.h"
#include "s2s/search/forced_score.h"
#include "s2s/search/hypothesis.h"
#include "s2s/search/options.h"
#include "s2s/search/phrase_table.h"

namespace s2s::search {

// A model with the tokenizers and vocabularies it was trained with.
struct ModelCodec {
  models::EncoderDecoder* model = nullptr;
  const data::Tokenizer* src_tokenizer = nullptr;
  const data::Vocab* src_vocab = nullptr;
  const data::Tokenizer* tgt_tokenizer = nullptr;
  const data::Vocab* tgt_vocab = nullptr;
  bool src_eos = false;  // sources end with </s> (the model's data.src_eos)
  // The type this model's inference products run in (quantized once, by the
  // Translator's Ensemble); auto: int8 for a model held in int8, else fp32.
  kernels::ComputeType compute_type = kernels::ComputeType::Auto;
};

struct TranslatorOptions {
  SearchOptions search;
  std::int64_t batch_size = 32;  // sentences per decoder batch
  bool alignments = false;       // hard alignments (needs attention)
  bool keep_attention = false;   // soft attention matrices in the results
  // Replace <unk> outputs with the most-attended source token, or its entry
  // in phrase_table when it has one.
  bool replace_unk = false;
  const PhraseTable* phrase_table = nullptr;
};

struct TranslatedHypothesis {
  std::vector<std::string> tokens;  // output tokens, after UNK replacement
  std::string text;                 // detokenized
  double score = 0.0;
  double log_prob = 0.0;
  // With keep_attention: [(tokens.size() + 1), src_tokens.size()] row-major,
  // the last row for </s>.
  std::vector<float> attention;
  // With alignments: (source position, output position) for every output
  // token, the source position it attends to most ("i-j" pairs).
  std::vector<std::pair<std::int32_t, std::int32_t>> alignment;
};

struct Translation {
  std::int64_t id = 0;
  std::string source;                   // the input line
  std::vector<std::string> src_tokens;  // as the first model sees them ("</s>" last with src_eos)
  std::vector<TranslatedHypothesis> hypotheses;  // best first; one empty hypothesis for an empty input
  // Non-empty when the line could not be translated (SentenceResult::error:
  // the model's scores became non-finite); hypotheses is then empty. Callers
  // report it naming the line (id + 1) rather than print an empty output.
  std::string error;
};

class Translator {
 public:
  // Checks that the models can be ensembled: the same target vocabulary
  // (token for token), the same source tokenization; fails naming the difference.
  Translator(std::vector<ModelCodec> models, TranslatorOptions options);

  // Translates lines with ids first_id, first_id + 1, ...
  std::vector<Translation> translate(std::span<const std::string> lines, std::int64_t first_id = 0);
  // Translates lines with one id each (sampling draws from a line's id, so
  // equal ids give equal lines equal samples) under `search` instead of
  // options().search: the server decodes each batch with its requests'
  // options. The results hold attention when options().keep_attention or
  // search.keep_attention is set.
  std::vector<Translation> translate(std::span<const std::string> lines, std::span<const std::int64_t> ids,
                                     const SearchOptions& search);

  // Teacher-forced log-probability of each target line given its source
  // line (for perplexity); the target is tokenized like the model's outputs.
  // A NaN or infinite log-probability (the model's scores are not finite) is
  // an s2s::Error naming the line.
  std::vector<ForcedScore> score(std::span<const std::string> sources, std::span<const std::string> targets);

  const TranslatorOptions& options() const { return options_; }
  std::int64_t sentences() const { return sentences_; }
  std::int64_t output_tokens() const { return output_tokens_; }

 private:
  // Source ids of every line for every model that needs its own
  // (ids[i * source_sets + m]), with copying models each line's extended
  // vocabulary (copies[i]; else empty), and the non-empty lines longest first.
  void prepare(std::span<const std::string> lines, std::span<const std::int64_t> line_ids,
               std::vector<Translation>& out, std::vector<std::vector<std::int32_t>>& ids,
               std::vector<data::SourceCopy>& copies, std::vector<std::size_t>& order) const;
  // The batches of lines order[start, start + count).
  void make_sources(const std::vector<std::vector<std::int32_t>>& ids, const std::vector<data::SourceCopy>& copies,
                    std::span<const std::size_t> lines, std::vector<models::TokenBatch>& sources) const;
  std::size_t source_sets() const { return shared_src_vocab_ ? 1 : models_.size(); }
  // copy: the line's extended vocabulary (copying models), for output ids past the target vocabulary.
  TranslatedHypothesis finish(const Translation& tr, Hypothesis& h, bool keep_attention,
                              const data::SourceCopy* copy) const;

  std::vector<ModelCodec> models_;
  TranslatorOptions options_;
  Ensemble ensemble_;
  bool shared_src_vocab_ = true;
  bool copies_ = false;  // the models copy source tokens (copy attention)
  std::int64_t sentences_ = 0, output_tokens_ = 0;
};

// Hard alignment of output token j: the source position with the largest
// weight in row j among the first `src_real` positions (the first on ties).
std::int32_t most_attended(std::span<const float> row, std::int64_t src_real);

}  // namespace s2s::search
