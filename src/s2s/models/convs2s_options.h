#pragma once
// The options of the convolutional family (model.type convs2s; Gehring et al.
// 2017, fairseq's `fconv`), one plain struct. They travel as flat key/value
// text like the shared model options; error messages name them
// "model.convs2s.<key>". docs/models.md explains each option to users.
#include <cstdint>
#include <string>

#include "s2s/models/option_text.h"

namespace s2s::models {

struct ModelConfig;

struct ConvS2SOptions {
  std::int64_t encoder_layers = 4;     // convolution + GLU blocks (fairseq's fconv_iwslt_de_en: 4 x (256, 3))
  std::int64_t decoder_layers = 3;     // causal convolution + GLU + attention layers (3 x (256, 3))
  std::int64_t channels = 256;         // width of every block
  std::int64_t kernel_size = 3;        // odd: the encoder's window is centred; the decoder's sees k - 1 earlier inputs
  std::int64_t max_positions = 1024;   // learned positions: the longest sequence
};

// Sets one option from text; `key` is bare ("channels"). Unknown keys and
// malformed values throw s2s::Error naming "model.convs2s.<key>".
void set_convs2s_option(ConvS2SOptions& o, const std::string& key, const std::string& value);

// Every option in declaration order with its canonical value text.
ConfigPairs convs2s_pairs(const ConvS2SOptions& o);

// (key, one-line help) for every option, in declaration order.
ConfigPairs convs2s_option_help();

// Checks ranges, and the embedding sizes the attention needs equal.
void validate_convs2s(const ModelConfig& config);
// "convs2s 4+3 layers, 256 channels, kernel 3, learned positions up to 1024"
std::string describe_convs2s(const ModelConfig& config);

}  // namespace s2s::models
