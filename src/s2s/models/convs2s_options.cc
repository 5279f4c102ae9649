#include "s2s/models/convs2s_options.h"

#include "s2s/core/error.h"
#include "s2s/models/model_config.h"

namespace s2s::models {

namespace {
constexpr const char* kPrefix = "model.convs2s.";
}  // namespace

void set_convs2s_option(ConvS2SOptions& o, const std::string& key, const std::string& value) {
  const std::string name = "convs2s." + key;
  if (key == "encoder_layers") o.encoder_layers = parse_int_option(name, value);
  else if (key == "decoder_layers") o.decoder_layers = parse_int_option(name, value);
  else if (key == "layers") o.encoder_layers = o.decoder_layers = parse_int_option(name, value);
  else if (key == "channels") o.channels = parse_int_option(name, value);
  else if (key == "kernel_size") o.kernel_size = parse_int_option(name, value);
  else if (key == "max_positions") o.max_positions = parse_int_option(name, value);
  else {
    std::string known;
    for (auto& [k, h] : convs2s_option_help()) {
      if (!known.empty()) known += ", ";
      known += k;
    }
    fail(kPrefix, key, ": unknown option (known: ", known, ")");
  }
}

ConfigPairs convs2s_pairs(const ConvS2SOptions& o) {
  return {
      {"encoder_layers", std::to_string(o.encoder_layers)},
      {"decoder_layers", std::to_string(o.decoder_layers)},
      {"channels", std::to_string(o.channels)},
      {"kernel_size", std::to_string(o.kernel_size)},
      {"max_positions", std::to_string(o.max_positions)},
  };
}

ConfigPairs convs2s_option_help() {
  return {
      {"layers", "shorthand: both encoder_layers and decoder_layers"},
      {"encoder_layers", "encoder blocks (convolution + GLU + residual)"},
      {"decoder_layers", "decoder layers (causal convolution + GLU + attention + residual)"},
      {"channels", "width of every convolution block"},
      {"kernel_size", "convolution width, odd (the encoder's is centred, the decoder's sees kernel_size - 1 earlier "
                      "positions)"},
      {"max_positions", "longest sequence (learned position embeddings)"},
  };
}

void validate_convs2s(const ModelConfig& c) {
  const ConvS2SOptions& o = c.convs2s;
  S2S_CHECK(o.encoder_layers >= 1, kPrefix, "encoder_layers: expected >= 1, got ", o.encoder_layers);
  S2S_CHECK(o.decoder_layers >= 1, kPrefix, "decoder_layers: expected >= 1, got ", o.decoder_layers);
  S2S_CHECK(o.channels >= 1, kPrefix, "channels: expected >= 1, got ", o.channels);
  S2S_CHECK(o.kernel_size >= 1 && o.kernel_size % 2 == 1, kPrefix, "kernel_size: expected an odd number >= 1, got ",
            o.kernel_size);
  S2S_CHECK(o.max_positions >= 1, kPrefix, "max_positions: expected >= 1, got ", o.max_positions);
  // The decoder's attention compares its target embeddings with the encoder's outputs (Gehring et al. 2017, 3.3).
  S2S_CHECK(c.src_embedding_size == c.tgt_embedding_size,
            "model.src_embedding_size: the convs2s attention needs equal embedding sizes, got ", c.src_embedding_size,
            " and model.tgt_embedding_size ", c.tgt_embedding_size, "; set model.embedding_size");
}

std::string describe_convs2s(const ModelConfig& c) {
  const ConvS2SOptions& o = c.convs2s;
  std::string s = "convs2s " + std::to_string(o.encoder_layers) + "+" + std::to_string(o.decoder_layers) +
                  " layers, " + std::to_string(o.channels) + " channels, kernel " + std::to_string(o.kernel_size) +
                  ", embeddings " + std::to_string(c.src_embedding_size) + ", learned positions up to " +
                  std::to_string(o.max_positions);
  if (c.share_embeddings) s += ", shared embeddings";
  else if (c.tie_target_embeddings) s += ", tied target embeddings";
  return s;
}

}  // namespace s2s::models
