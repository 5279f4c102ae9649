#pragma once
// The options of the RNN family (model.rnn.* in a config; docs/models.md).
// Shared options (vocabularies, embedding sizes and tying, dropout) live in
// ModelConfig itself.
#include <cstdint>
#include <string>

#include "s2s/models/option_text.h"

namespace s2s::models {

struct ModelConfig;

enum class CellKind : std::uint8_t { RnnTanh, RnnRelu, Gru, Lstm };
enum class BridgeKind : std::uint8_t { Zeros, Copy, Learned };
enum class AttentionKind : std::uint8_t { None, Dot, General, Bahdanau, LocalP };
enum class ReadoutKind : std::uint8_t { State, Deep, Tanh };

// Defaults: the attention model of Bahdanau et al. (2015), as the PyTorch
// peer in bench/ builds it.
struct RnnOptions {
  CellKind cell = CellKind::Gru;
  std::int64_t encoder_layers = 1;
  std::int64_t decoder_layers = 1;
  bool bidirectional = true;        // encoder only; directions concatenated (2 * hidden_size wide)
  std::int64_t hidden_size = 256;   // decoder state, and each encoder direction
  BridgeKind bridge = BridgeKind::Learned;
  AttentionKind attention = AttentionKind::Bahdanau;
  std::int64_t attention_size = 0;  // Bahdanau's hidden layer width; 0 = hidden_size
  std::int64_t local_window = 10;   // local-p: half window D (Gaussian sigma = D / 2)
  bool input_feed = true;           // no effect without attention
  ReadoutKind readout = ReadoutKind::Deep;
  bool decoder_embedding_relu = false;  // relu(embedded) before the decoder RNN, as the PyTorch tutorial
  // Pointer-generator (See et al. 2017): mix the vocabulary distribution with
  // the attention over source positions, over a vocabulary extended by the
  // source's tokens (rnn_decoder.h). Needs attention.
  bool copy_attention = false;
  // Coverage (See et al. 2017): the sum of the earlier steps' attention
  // enters Bahdanau's scores (nn/attention_bahdanau.h); the coverage loss is
  // train.coverage_weight's. Needs bahdanau attention.
  bool coverage = false;

  std::int64_t attention_width() const { return attention_size > 0 ? attention_size : hidden_size; }
  std::int64_t memory_size() const { return bidirectional ? 2 * hidden_size : hidden_size; }
};

// Width of the vector the output layer reads (see ReadoutKind).
std::int64_t rnn_readout_size(const ModelConfig& config);

const char* cell_name(CellKind kind);
const char* bridge_name(BridgeKind kind);
const char* attention_name(AttentionKind kind);
const char* readout_name(ReadoutKind kind);

// The family's hooks (models/model_family.h).
void set_rnn_option(RnnOptions& options, const std::string& key, const std::string& value);
ConfigPairs rnn_option_pairs(const RnnOptions& options);
ConfigPairs rnn_option_help();
void validate_rnn(const ModelConfig& config);
std::string describe_rnn(const ModelConfig& config);

}  // namespace s2s::models
