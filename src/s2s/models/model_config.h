#pragma once
// Every option of the RNN encoder-decoder, as one plain struct. It travels as
// flat key/value strings (YAML `model:` section, `--model.KEY VALUE` on the
// command line, the config file of a model directory): keys are the bare
// field names below ("attention", "hidden_size"); error messages name them
// "model.<key>". docs/models.md explains each option to users.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "s2s/models/transformer_options.h"

namespace s2s::models {

enum class CellKind : std::uint8_t { RnnTanh, RnnRelu, Gru, Lstm };
enum class BridgeKind : std::uint8_t { Zeros, Copy, Learned };
enum class AttentionKind : std::uint8_t { None, Dot, General, Bahdanau, LocalP };
enum class ReadoutKind : std::uint8_t { State, Deep, Tanh };

struct ModelConfig {
  std::string type = "rnn";          // model family: rnn | transformer
  std::int64_t src_vocab_size = 0;   // set from the vocabularies (ids 0..3 reserved: pad, bos, eos, unk)
  std::int64_t tgt_vocab_size = 0;
  std::int64_t src_embedding_size = 256;
  std::int64_t tgt_embedding_size = 256;
  // Defaults: the attention model of Bahdanau et al. (2015), as the PyTorch
  // peer in bench/ builds it.
  CellKind cell = CellKind::Gru;
  std::int64_t encoder_layers = 1;
  std::int64_t decoder_layers = 1;
  bool bidirectional = true;        // encoder only; directions concatenated (2 * hidden_size wide)
  std::int64_t hidden_size = 256;    // decoder state, and each encoder direction
  float dropout = 0.0f;              // embeddings, between stacked layers, before the output layer
  BridgeKind bridge = BridgeKind::Learned;
  AttentionKind attention = AttentionKind::Bahdanau;
  std::int64_t attention_size = 0;   // Bahdanau's hidden layer width; 0 = hidden_size
  std::int64_t local_window = 10;    // local-p: half window D (Gaussian sigma = D / 2)
  bool input_feed = true;            // no effect without attention
  ReadoutKind readout = ReadoutKind::Deep;
  bool tie_target_embeddings = false;  // output matrix = target embedding (readout width must equal tgt_embedding_size)
  bool decoder_embedding_relu = false; // relu(embedded) before the decoder RNN, as the PyTorch tutorial
  // Shared vocabulary: source embedding = target embedding = output layer
  // (needs equal vocabulary and embedding sizes). Transformer family only for now.
  bool share_embeddings = false;
  // model.type transformer: keys "transformer.<key>" (transformer_options.h).
  TransformerOptions transformer;

  std::int64_t attention_width() const { return attention_size > 0 ? attention_size : hidden_size; }
  std::int64_t memory_size() const { return bidirectional ? 2 * hidden_size : hidden_size; }
  // Width of the vector the output layer reads (see ReadoutKind).
  std::int64_t readout_size() const;
};

using ConfigPairs = std::vector<std::pair<std::string, std::string>>;

// All options in declaration order, values as their canonical strings
// ("gru", "bahdanau", "true", "0.1").
ConfigPairs to_pairs(const ModelConfig& config);

// Sets one option from text. Unknown keys and malformed values throw
// s2s::Error, e.g. "model.attention: expected one of none|dot|general|bahdanau|local-p, got 'foo'".
// `embedding_size` is accepted as shorthand for both embedding sizes.
void set_option(ModelConfig& config, const std::string& key, const std::string& value);

// Defaults overridden by each pair in turn (later pairs win); then validated.
ModelConfig config_from_pairs(const ConfigPairs& pairs);
ModelConfig config_from_map(const std::map<std::string, std::string>& options);

// Checks sizes and combinations; throws s2s::Error naming the offending option.
void validate(const ModelConfig& config);

const char* cell_name(CellKind kind);
const char* bridge_name(BridgeKind kind);
const char* attention_name(AttentionKind kind);
const char* readout_name(ReadoutKind kind);

}  // namespace s2s::models
