#include "s2s/models/rnn_encoder.h"

namespace s2s::models {

nn::CellType cell_type(CellKind kind) {
  switch (kind) {
    case CellKind::RnnTanh: return nn::CellType::RnnTanh;
    case CellKind::RnnRelu: return nn::CellType::RnnRelu;
    case CellKind::Gru: return nn::CellType::Gru;
    case CellKind::Lstm: return nn::CellType::Lstm;
  }
  return nn::CellType::Gru;
}

RnnEncoder::RnnEncoder(const ModelConfig& c, Rng& rng)
    : nn::Module("encoder"),
      embedding_(child_name("embedding"), c.src_vocab_size, c.src_embedding_size, kPad, rng),
      rnn_(child_name("rnn"), cell_type(c.rnn.cell), c.src_embedding_size, c.rnn.hidden_size, c.rnn.encoder_layers,
           c.rnn.bidirectional, c.dropout, rng),
      dropout_(c.dropout) {
  add_child(embedding_);
  add_child(rnn_);
}

nn::Recurrent::Output RnnEncoder::forward(autograd::Graph& g, const TokenBatch& src, bool training, Rng* rng) const {
  S2S_CHECK(src.ids.defined() && src.ids.dtype() == DType::I32 && src.ids.ndim() == 2, "encoder: expected I32 ids [S, B]");
  S2S_CHECK(src.lengths.defined() && src.lengths.ndim() == 1 && src.lengths.dim(0) == src.size(),
            "encoder: expected lengths [", src.size(), "]");
  autograd::Var x = dropout_.forward(embedding_.forward(g, src.ids), training, rng);
  return rnn_.forward(g, x, src.lengths, nullptr, training, rng);
}

}  // namespace s2s::models
