#include "s2s/search/translator.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "s2s/core/error.h"
#include "s2s/search/search.h"

namespace s2s::search {

namespace {

std::vector<models::EncoderDecoder*> model_list(const std::vector<ModelCodec>& models) {
  S2S_CHECK(!models.empty(), "translator: no models");
  std::vector<models::EncoderDecoder*> out;
  for (const ModelCodec& m : models) {
    S2S_CHECK(m.model && m.src_tokenizer && m.src_vocab && m.tgt_tokenizer && m.tgt_vocab,
              "translator: a model is missing its tokenizers or vocabularies");
    out.push_back(m.model);
  }
  return out;
}

std::vector<kernels::ComputeType> compute_types(const std::vector<ModelCodec>& models) {
  std::vector<kernels::ComputeType> out;
  for (const ModelCodec& m : models) out.push_back(m.compute_type);
  return out;
}

bool same_tokens(const data::Vocab& a, const data::Vocab& b, std::int32_t& first_difference) {
  if (&a == &b) return true;
  const std::int32_t n = std::min(a.size(), b.size());
  for (first_difference = 0; first_difference < n; ++first_difference)
    if (a.token(first_difference) != b.token(first_difference)) return false;
  return a.size() == b.size();
}

// Time-major batch of the given rows; with copy_rows (one per row, as long as
// it) also their copy ids.
models::TokenBatch make_batch(std::span<const std::vector<std::int32_t>* const> rows,
                              std::span<const std::vector<std::int32_t>* const> copy_rows = {}) {
  const auto n = static_cast<std::int64_t>(rows.size());
  std::int64_t longest = 0;
  for (const auto* r : rows) longest = std::max(longest, static_cast<std::int64_t>(r->size()));
  models::TokenBatch b{Tensor::zeros({longest, n}, DType::I32), Tensor::empty({n}, DType::I32),
                       copy_rows.empty() ? Tensor() : Tensor::zeros({longest, n}, DType::I32)};
  for (std::int64_t i = 0; i < n; ++i) {
    const auto& r = *rows[static_cast<std::size_t>(i)];
    for (std::size_t t = 0; t < r.size(); ++t) b.ids.i32()[static_cast<std::int64_t>(t) * n + i] = r[t];
    b.lengths.i32()[i] = static_cast<std::int32_t>(r.size());
    if (copy_rows.empty()) continue;
    const auto& c = *copy_rows[static_cast<std::size_t>(i)];
    for (std::size_t t = 0; t < c.size() && t < r.size(); ++t) b.copy_ids.i32()[static_cast<std::int64_t>(t) * n + i] = c[t];
  }
  return b;
}

}  // namespace

std::int32_t most_attended(std::span<const float> row, std::int64_t src_real) {
  std::int64_t best = 0;
  for (std::int64_t i = 1; i < src_real && i < static_cast<std::int64_t>(row.size()); ++i)
    if (row[static_cast<std::size_t>(i)] > row[static_cast<std::size_t>(best)]) best = i;
  return static_cast<std::int32_t>(best);
}

Translator::Translator(std::vector<ModelCodec> models, TranslatorOptions options)
    : models_(std::move(models)), options_(std::move(options)), ensemble_(model_list(models_), compute_types(models_)) {
  S2S_CHECK(options_.batch_size >= 1, "translator: batch size must be at least 1, got ", options_.batch_size);
  validate(options_.search);
  const ModelCodec& first = models_[0];
  for (std::size_t m = 1; m < models_.size(); ++m) {
    const ModelCodec& other = models_[m];
    std::int32_t at = 0;
    S2S_CHECK(same_tokens(*first.tgt_vocab, *other.tgt_vocab, at), "ensemble: model ", m + 1,
              "'s target vocabulary differs from model 1's (", other.tgt_vocab->size(), " vs ", first.tgt_vocab->size(),
              " tokens, first difference at id ", at, "); ensembled models must share the target vocabulary");
    S2S_CHECK(other.src_tokenizer->type() == first.src_tokenizer->type() && other.src_eos == first.src_eos,
              "ensemble: model ", m + 1, " reads its source differently from model 1 (tokenizer ",
              data::tokenizer_type_name(other.src_tokenizer->type()), " vs ",
              data::tokenizer_type_name(first.src_tokenizer->type()), ", src_eos ", other.src_eos, " vs ", first.src_eos,
              ")");
    if (!same_tokens(*first.src_vocab, *other.src_vocab, at)) shared_src_vocab_ = false;
  }
  copies_ = first.model->copies_source();  // the Ensemble checked that all models agree
}

void Translator::prepare(std::span<const std::string> lines, std::span<const std::int64_t> line_ids,
                         std::vector<Translation>& out, std::vector<std::vector<std::int32_t>>& ids,
                         std::vector<data::SourceCopy>& copies, std::vector<std::size_t>& order) const {
  const std::size_t n = lines.size(), n_src = source_sets();
  out.assign(n, {});
  ids.assign(n * n_src, {});
  copies.assign(copies_ ? n : 0, {});
  order.clear();
  data::TokenList tokens;
  for (std::size_t i = 0; i < n; ++i) {
    Translation& tr = out[i];
    tr.id = line_ids[i];
    tr.source = lines[i];
    models_[0].src_tokenizer->tokenize(lines[i], tokens);
    tr.src_tokens = tokens.to_vector();
    for (std::size_t m = 0; m < n_src; ++m) {
      if (m > 0) {
        models_[m].src_tokenizer->tokenize(lines[i], tokens);
        S2S_CHECK(std::equal(tokens.begin(), tokens.end(), tr.src_tokens.begin(), tr.src_tokens.end()),
                  "ensemble: model ", m + 1, " tokenizes input line ", tr.id + 1, " differently from model 1");
      }
      std::vector<std::int32_t>& row = ids[i * n_src + m];
      models_[m].src_vocab->encode(tokens.span(), row);
      if (models_[m].src_eos) row.push_back(models::kEos);
    }
    if (models_[0].src_eos) tr.src_tokens.emplace_back(data::kReservedTokens[models::kEos]);
    // The line's extended vocabulary (an appended "</s>" is the target's </s>).
    if (copies_) copies[i].assign(std::span<const std::string>(tr.src_tokens), *models_[0].tgt_vocab);
    if (!ids[i * n_src].empty()) order.push_back(i);
  }
  // Longest first; equal lengths keep input order.
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return ids[a * n_src].size() > ids[b * n_src].size(); });
}

void Translator::make_sources(const std::vector<std::vector<std::int32_t>>& ids,
                              const std::vector<data::SourceCopy>& copies, std::span<const std::size_t> lines,
                              std::vector<models::TokenBatch>& sources) const {
  const std::size_t n_src = source_sets();
  sources.resize(n_src);
  std::vector<const std::vector<std::int32_t>*> rows, copy_rows;
  for (std::size_t i : lines)
    if (copies_) copy_rows.push_back(&copies[i].ids());
  for (std::size_t m = 0; m < n_src; ++m) {
    rows.clear();
    for (std::size_t i : lines) rows.push_back(&ids[i * n_src + m]);
    sources[m] = make_batch(rows, copy_rows);
  }
}

std::vector<Translation> Translator::translate(std::span<const std::string> lines, std::int64_t first_id) {
  std::vector<std::int64_t> line_ids(lines.size());
  std::iota(line_ids.begin(), line_ids.end(), first_id);
  return translate(lines, line_ids, options_.search);
}

std::vector<Translation> Translator::translate(std::span<const std::string> lines, std::span<const std::int64_t> line_ids,
                                               const SearchOptions& search) {
  S2S_CHECK(line_ids.size() == lines.size(), "translator: ", line_ids.size(), " ids for ", lines.size(), " lines");
  // Attention is kept for what needs it; it is handed out only when asked for.
  SearchOptions so = search;
  so.keep_attention = so.keep_attention || options_.keep_attention || options_.alignments || options_.replace_unk;
  validate(so);
  const bool keep_attention = options_.keep_attention || search.keep_attention;
  std::vector<Translation> out;
  std::vector<std::vector<std::int32_t>> ids;
  std::vector<data::SourceCopy> copies;
  std::vector<std::size_t> order;
  prepare(lines, line_ids, out, ids, copies, order);
  for (std::size_t i = 0; i < out.size(); ++i)
    if (ids[i * source_sets()].empty()) out[i].hypotheses.emplace_back();  // nothing to translate
  const auto batch = static_cast<std::size_t>(options_.batch_size);
  std::vector<models::TokenBatch> sources;
  std::vector<std::int64_t> sentence_ids;
  for (std::size_t start = 0; start < order.size(); start += batch) {
    std::span<const std::size_t> part(order.data() + start, std::min(batch, order.size() - start));
    make_sources(ids, copies, part, sources);
    sentence_ids.clear();
    for (std::size_t i : part) sentence_ids.push_back(out[i].id);
    std::vector<SentenceResult> results = decode(ensemble_, sources, so, sentence_ids);
    for (std::size_t k = 0; k < part.size(); ++k) {
      Translation& tr = out[part[k]];
      tr.error = std::move(results[k].error);
      const data::SourceCopy* copy = copies_ ? &copies[part[k]] : nullptr;
      for (Hypothesis& h : results[k].hypotheses) tr.hypotheses.push_back(finish(tr, h, keep_attention, copy));
    }
  }
  sentences_ += static_cast<std::int64_t>(lines.size());
  for (const Translation& tr : out)
    for (const TranslatedHypothesis& h : tr.hypotheses) output_tokens_ += static_cast<std::int64_t>(h.tokens.size());
  return out;
}

std::vector<ForcedScore> Translator::score(std::span<const std::string> sources, std::span<const std::string> targets) {
  S2S_CHECK(sources.size() == targets.size(), "score: ", sources.size(), " sources but ", targets.size(), " targets");
  std::vector<Translation> info;
  std::vector<std::vector<std::int32_t>> ids;
  std::vector<data::SourceCopy> copies;
  std::vector<std::size_t> order;
  std::vector<std::int64_t> line_ids(sources.size());
  std::iota(line_ids.begin(), line_ids.end(), std::int64_t{0});
  prepare(sources, line_ids, info, ids, copies, order);
  for (std::size_t i = 0; i < sources.size(); ++i)
    S2S_CHECK(!ids[i * source_sets()].empty(), "score: source line ", i + 1, " is empty");
  std::vector<std::vector<std::int32_t>> tgt(targets.size());
  data::TokenList tokens;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    models_[0].tgt_tokenizer->tokenize(targets[i], tokens);
    models_[0].tgt_vocab->encode(tokens.span(), tgt[i]);
    if (copies_)  // as in training: a target token only the source has is scored by its copy id
      copies[i].map_unknown(tokens.span(), tgt[i], *models_[0].tgt_vocab);
  }
  std::vector<ForcedScore> out(sources.size());
  const auto batch = static_cast<std::size_t>(options_.batch_size);
  std::vector<models::TokenBatch> batches;
  std::vector<std::vector<std::int32_t>> part_targets;
  for (std::size_t start = 0; start < order.size(); start += batch) {
    std::span<const std::size_t> part(order.data() + start, std::min(batch, order.size() - start));
    make_sources(ids, copies, part, batches);
    part_targets.clear();
    for (std::size_t i : part) part_targets.push_back(tgt[i]);
    std::vector<ForcedScore> scores = score_targets(ensemble_, batches, part_targets);
    for (std::size_t k = 0; k < part.size(); ++k) out[part[k]] = scores[k];
  }
  for (std::size_t i = 0; i < out.size(); ++i)  // the first in input order
    S2S_CHECK(std::isfinite(out[i].log_prob), "score: pair ", i + 1, ": the model's log-probability of the reference is ",
              out[i].log_prob, " (its scores are not finite: the weights hold NaN/Inf or the logits overflow)");
  return out;
}

TranslatedHypothesis Translator::finish(const Translation& tr, Hypothesis& h, bool keep_attention,
                                        const data::SourceCopy* copy) const {
  const ModelCodec& m = models_[0];
  TranslatedHypothesis out;
  out.score = h.score;
  out.log_prob = h.log_prob;
  const auto src_len = static_cast<std::int64_t>(tr.src_tokens.size());
  // Positions that are real source tokens (not the appended </s>, unless it is all there is).
  const std::int64_t src_real = m.src_eos && src_len > 1 ? src_len - 1 : src_len;
  const bool have_attention = !h.attention.empty();
  auto row = [&](std::size_t j) {
    return std::span<const float>(h.attention).subspan(j * static_cast<std::size_t>(src_len), static_cast<std::size_t>(src_len));
  };
  for (std::size_t j = 0; j < h.tokens.size(); ++j) {
    const std::int32_t id = h.tokens[j];
    if (id == models::kUnk && options_.replace_unk && have_attention) {
      const std::string& src = tr.src_tokens[static_cast<std::size_t>(most_attended(row(j), src_real))];
      const std::string* mapped = options_.phrase_table ? options_.phrase_table->find(src) : nullptr;
      out.tokens.push_back(mapped ? *mapped : src);
    } else {
      out.tokens.push_back(copy ? copy->token(id, *m.tgt_vocab) : m.tgt_vocab->token(id));
    }
    if (options_.alignments && have_attention)
      out.alignment.emplace_back(most_attended(row(j), src_real), static_cast<std::int32_t>(j));
  }
  out.text = m.tgt_tokenizer->detokenize(out.tokens);
  if (keep_attention) out.attention = std::move(h.attention);
  return out;
}

}  // namespace s2s::search
