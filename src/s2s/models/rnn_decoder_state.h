#pragma once
// The RNN decoder's per-row state between search steps, all as tensors that
// outlive the graph that computed them.
//
// The encoder's outputs (attention values, keys, mask) are kept per source
// sentence, with src_index mapping each row to its sentence. select() only
// gathers the small recurrent tensors and composes src_index; the large
// source tensors are re-gathered lazily, and only when the row -> sentence
// mapping actually changed (beam search expands rows once; reordering beams
// within a sentence leaves it unchanged). With an attention that reads through
// a row map they are not gathered at all: Source::rows maps each row to its
// sentence and the beams share one copy.
#include <vector>

#include "s2s/models/encoder_decoder.h"
#include "s2s/nn/attention.h"

namespace s2s::models {

class RnnDecoderState : public DecoderState {
 public:
  struct Source {
    Tensor values;   // [B, S, Dm]
    Tensor keys;     // attention-specific; batch on axis keys_batch_axis
    Tensor mask;     // F32 [B, S]
    Tensor lengths;  // I32 [B]
    Tensor rows;     // I32 [B]: each row's sentence in values/keys/mask (map_rows; undefined: identity)
  };

  // source: one row per encoded sentence; has_source false without attention;
  // map_rows: the attention follows Source::rows instead of gathered copies.
  RnnDecoderState(std::vector<Tensor> h, std::vector<Tensor> c, Tensor feed, Source source, bool has_source,
                  int keys_batch_axis, bool map_rows = false);

  void select(const Tensor& indices) override;
  std::int64_t rows() const override { return h[0].dim(0); }

  // The source tensors row-aligned with the current rows, gathered on demand.
  const Source& source();
  bool has_source() const { return has_source_; }

  // Each current row's encoded sentence, I32 [rows].
  Tensor sentence_rows() const;

  std::vector<Tensor> h, c;  // per decoder layer [B, H]; c for LSTM only
  Tensor feed;               // Luong input feed [B, F], undefined when not used
  Tensor coverage;           // coverage: the sum of each row's earlier attention [B, S]; undefined without
  // Copy attention: each encoded sentence's copy ids, I32 [sentences, S]
  // (read through sentence_rows(), never gathered), and the extended width.
  Tensor copy_ids;
  std::int64_t copy_width = 0;

 private:
  Source original_, current_;
  bool has_source_;
  int keys_batch_axis_;
  bool map_rows_;
  std::vector<std::int32_t> src_index_;      // row -> encoded sentence
  std::vector<std::int32_t> current_index_;  // what current_ was gathered for
  std::vector<std::int32_t> scratch_;
};

// Rows of t (viewed [rows, ...] along `axis` 0 or 1) picked by I32 indices.
Tensor gather_rows(const Tensor& t, const Tensor& indices, int axis = 0);

}  // namespace s2s::models
