#pragma once
// The options of the Transformer family (model.type transformer), one plain
// struct. They travel as flat key/value text like the shared model options;
// error messages name them "model.transformer.<key>". docs/models.md explains
// each option to users.
#include <cstdint>
#include <string>

#include "s2s/models/option_text.h"

namespace s2s::models {

struct ModelConfig;

enum class Activation : std::uint8_t { Relu, Gelu };
enum class NormPosition : std::uint8_t { Pre, Post };
enum class PositionKind : std::uint8_t { Sinusoidal, Learned };

struct TransformerOptions {
  std::int64_t encoder_layers = 6;
  std::int64_t decoder_layers = 6;
  std::int64_t d_model = 512;      // must equal the shared src/tgt_embedding_size
  std::int64_t heads = 8;          // d_model must divide by it
  std::int64_t ffn_size = 2048;
  Activation activation = Activation::Relu;
  NormPosition norm = NormPosition::Pre;
  float attention_dropout = 0.0f;  // on the attention weights
  float ffn_dropout = 0.0f;        // after the feed-forward activation (residual dropout is the shared `dropout`)
  PositionKind positions = PositionKind::Sinusoidal;
  std::int64_t max_positions = 1024;     // learned positions: the longest sequence
  std::int64_t relative_positions = 0;   // Shaw et al. (2018) clipping distance k; 0 = off
  std::int64_t alignment_layer = -1;     // decoder layer whose cross-attention gives alignments; -1 = last
  // Pointer-generator (See et al. 2017) over the last decoder layer's
  // cross-attention, heads averaged (docs/models.md, "Copy attention").
  bool copy_attention = false;

  // alignment_layer resolved to 0..decoder_layers-1.
  std::int64_t alignment_layer_index() const { return alignment_layer < 0 ? decoder_layers - 1 : alignment_layer; }
};

// Sets one option from text; `key` is bare ("heads"). Unknown keys and
// malformed values throw s2s::Error naming "model.transformer.<key>".
void set_transformer_option(TransformerOptions& o, const std::string& key, const std::string& value);

// Every option in declaration order with its canonical value text.
ConfigPairs transformer_pairs(const TransformerOptions& o);

// (key, one-line help) for every option, in declaration order.
ConfigPairs transformer_option_help();

// Checks ranges and combinations, and d_model against the shared embedding sizes.
void validate_transformer(const ModelConfig& config);
// "transformer 6+6 layers, d_model 512, 8 heads, ffn 2048 relu, pre-norm, sinusoidal positions"
std::string describe_transformer(const ModelConfig& config);

const char* activation_name(Activation a);
const char* norm_name(NormPosition n);
const char* positions_name(PositionKind p);

}  // namespace s2s::models
