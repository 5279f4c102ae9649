#include "s2s/search/ensemble.h"

#include <algorithm>

#include "s2s/kernels/cpu_isa.h"
#include "s2s/kernels/elementwise.h"
#include "s2s/kernels/softmax.h"
#include "s2s/nn/precision.h"

namespace s2s::search {

Ensemble::Ensemble(std::vector<models::EncoderDecoder*> models, std::vector<kernels::ComputeType> compute_types)
    : models_(std::move(models)) {
  S2S_CHECK(!models_.empty(), "ensemble: no models");
  S2S_CHECK(compute_types.empty() || compute_types.size() == models_.size(), "ensemble: ", compute_types.size(),
            " compute types for ", models_.size(), " models");
  for (std::size_t m = 0; m < models_.size(); ++m) {
    const std::vector<autograd::Parameter*> params = models_[m]->parameters();
    const autograd::Parameter* held = nn::first_held_in_int8(params);
    // auto: int8 for a model held in int8 (loaded from an int8 model file), else fp32.
    const kernels::ComputeType type =
        kernels::resolve_compute_type(compute_types.empty() ? kernels::ComputeType::Auto : compute_types[m],
                                      held ? kernels::ComputeType::Int8 : kernels::ComputeType::Fp32);
    if (type == kernels::ComputeType::Int8) {
      kernels::active_cpu_isa();  // an S2S_CPU_ISA this CPU lacks fails here, not inside a decoding step
      for (autograd::Parameter* p : params)
        if (nn::int8_product_weight(*p)) packed_.quantize(*p);
    } else {
      // fp32, and bf16 (fp32 products of the weights as they are: rounded when the model was loaded for bf16).
      S2S_CHECK(!held, "ensemble: model ", m + 1, " holds its weights in int8 (parameter '", held ? held->name : "",
                "'; it was loaded for int8 decoding), so it cannot decode in ", kernels::compute_type_name(type),
                ": use compute type int8, or load it for ", kernels::compute_type_name(type));
    }
  }
  vocab_size_ = models_[0]->config().tgt_vocab_size;
  for (std::size_t m = 1; m < models_.size(); ++m)
    S2S_CHECK(models_[m]->config().tgt_vocab_size == vocab_size_, "ensemble: model ", m + 1, " predicts over ",
              models_[m]->config().tgt_vocab_size, " target tokens, model 1 over ", vocab_size_,
              " (ensembled models must share the target vocabulary)");
  S2S_CHECK(vocab_size_ > models::kUnk, "ensemble: target vocabulary of ", vocab_size_,
            " tokens is smaller than the reserved tokens");
  for (std::size_t m = 1; m < models_.size(); ++m)
    S2S_CHECK(models_[m]->copies_source() == models_[0]->copies_source(), "ensemble: model ", m + 1,
              models_[m]->copies_source() ? " copies source tokens (copy attention) and model 1 does not"
                                          : " does not copy source tokens and model 1 does (copy attention)",
              "; ensembled models must predict over the same vocabulary");
  columns_ = vocab_size_;
}

void Ensemble::encode(autograd::Graph& g, std::span<const models::TokenBatch> sources) {
  S2S_CHECK(sources.size() == 1 || sources.size() == models_.size(), "ensemble: ", sources.size(),
            " source batches for ", models_.size(), " models");
  const models::TokenBatch& first = sources[0];
  for (const models::TokenBatch& s : sources) {
    S2S_CHECK(s.size() == first.size() && s.steps() == first.steps(), "ensemble: source batches differ in shape");
    for (std::int64_t b = 0; b < s.size(); ++b)
      S2S_CHECK(s.lengths.i32()[b] == first.lengths.i32()[b], "ensemble: source lengths differ between models");
  }
  g.share_packed_weights(packed_);
  columns_ = vocab_size_;
  if (models_[0]->copies_source())
    for (const models::TokenBatch& s : sources) {
      S2S_CHECK(s.copy_ids.defined() && s.copy_ids.numel() == s.ids.numel(),
                "ensemble: a model copies source tokens but the source batch has no copy ids");
      for (std::int64_t k = 0; k < s.copy_ids.numel(); ++k)
        columns_ = std::max<std::int64_t>(columns_, std::int64_t{s.copy_ids.i32()[k]} + 1);
    }
  states_.clear();
  for (std::size_t m = 0; m < models_.size(); ++m)
    states_.push_back(models_[m]->encode(g, sources.size() == 1 ? first : sources[m]));
}

std::int64_t Ensemble::rows() const { return states_.empty() ? 0 : states_[0]->rows(); }

void Ensemble::step(autograd::Graph& g, const Tensor& prev_tokens, Tensor& logp, Tensor& attention) {
  S2S_CHECK(!states_.empty(), "ensemble: step before encode");
  const std::int64_t rows = prev_tokens.dim(0);
  const std::size_t n = models_.size();
  if (n > 1) logp = Tensor::empty({rows, columns_});
  attention = Tensor();
  int attending = 0;
  Tensor scratch;
  for (std::size_t m = 0; m < n; ++m) {
    models::StepOutput out = models_[m]->step(g, *states_[m], prev_tokens);
    S2S_CHECK(out.logits.ndim() == 2 && out.logits.dim(0) == rows && out.logits.dim(1) == columns_,
              "ensemble: model ", m + 1, " returned logits ", out.logits.shape().str(), ", expected [", rows, ", ",
              columns_, "]");
    if (n == 1) {
      logp = out.logits;  // in place: the step's logits are ours to overwrite
      if (!out.log_probs) kernels::log_softmax(logp, logp);
    } else {
      // Each model's log-probabilities scaled by 1/n and summed in model order.
      if (!scratch.defined()) scratch = Tensor::empty({rows, columns_});
      if (out.log_probs) scratch.copy_from(out.logits);
      else kernels::log_softmax(out.logits, scratch);
      if (m == 0) kernels::affine(scratch, 1.0f / static_cast<float>(n), 0.0f, logp);
      else kernels::axpy(1.0f / static_cast<float>(n), scratch, logp);
    }
    if (out.attention.defined()) {
      S2S_CHECK(out.attention.ndim() == 2 && out.attention.dim(0) == rows, "ensemble: model ", m + 1,
                " returned attention ", out.attention.shape().str(), " for ", rows, " rows");
      if (attending == 0) {
        attention = out.attention;  // shared, never written: it may be the model's own tensor
      } else {
        if (attending == 1) attention = attention.clone();
        kernels::axpy(1.0f, out.attention, attention);
      }
      ++attending;
    }
  }
  if (attending > 1) kernels::affine(attention, 1.0f / static_cast<float>(attending), 0.0f, attention);
}

void Ensemble::select(const Tensor& indices) {
  for (auto& s : states_) s->select(indices);
}

}  // namespace s2s::search
