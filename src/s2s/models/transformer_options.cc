#include "s2s/models/transformer_options.h"

#include "s2s/core/error.h"
#include "s2s/models/model_config.h"

namespace s2s::models {

namespace {

constexpr const char* kPrefix = "model.transformer.";

template <typename Enum>
Enum parse_choice(const std::string& key, const std::string& value, std::initializer_list<Enum> all,
                  const char* (*name)(Enum)) {
  std::string choices;
  for (Enum e : all) {
    if (value == name(e)) return e;
    if (!choices.empty()) choices += '|';
    choices += name(e);
  }
  fail(kPrefix, key, ": expected one of ", choices, ", got '", value, "'");
}

}  // namespace

const char* activation_name(Activation a) { return a == Activation::Relu ? "relu" : "gelu"; }
const char* norm_name(NormPosition n) { return n == NormPosition::Pre ? "pre" : "post"; }
const char* positions_name(PositionKind p) { return p == PositionKind::Sinusoidal ? "sinusoidal" : "learned"; }

void set_transformer_option(TransformerOptions& o, const std::string& key, const std::string& value) {
  if (key == "encoder_layers") o.encoder_layers = parse_int_option("transformer." + key, value);
  else if (key == "decoder_layers") o.decoder_layers = parse_int_option("transformer." + key, value);
  else if (key == "layers") o.encoder_layers = o.decoder_layers = parse_int_option("transformer." + key, value);
  else if (key == "d_model") o.d_model = parse_int_option("transformer." + key, value);
  else if (key == "heads") o.heads = parse_int_option("transformer." + key, value);
  else if (key == "ffn_size") o.ffn_size = parse_int_option("transformer." + key, value);
  else if (key == "activation")
    o.activation = parse_choice(key, value, {Activation::Relu, Activation::Gelu}, activation_name);
  else if (key == "norm") o.norm = parse_choice(key, value, {NormPosition::Pre, NormPosition::Post}, norm_name);
  else if (key == "attention_dropout") o.attention_dropout = parse_float_option("transformer." + key, value);
  else if (key == "ffn_dropout") o.ffn_dropout = parse_float_option("transformer." + key, value);
  else if (key == "positions")
    o.positions = parse_choice(key, value, {PositionKind::Sinusoidal, PositionKind::Learned}, positions_name);
  else if (key == "max_positions") o.max_positions = parse_int_option("transformer." + key, value);
  else if (key == "relative_positions") o.relative_positions = parse_int_option("transformer." + key, value);
  else if (key == "alignment_layer") o.alignment_layer = parse_int_option("transformer." + key, value);
  else if (key == "copy_attention") o.copy_attention = parse_bool_option("transformer." + key, value);
  else {
    std::string known;
    for (auto& [k, h] : transformer_option_help()) {
      if (!known.empty()) known += ", ";
      known += k;
    }
    fail(kPrefix, key, ": unknown option (known: ", known, ")");
  }
}

ConfigPairs transformer_pairs(const TransformerOptions& o) {
  return {
      {"encoder_layers", std::to_string(o.encoder_layers)},
      {"decoder_layers", std::to_string(o.decoder_layers)},
      {"d_model", std::to_string(o.d_model)},
      {"heads", std::to_string(o.heads)},
      {"ffn_size", std::to_string(o.ffn_size)},
      {"activation", activation_name(o.activation)},
      {"norm", norm_name(o.norm)},
      {"attention_dropout", float_text(o.attention_dropout)},
      {"ffn_dropout", float_text(o.ffn_dropout)},
      {"positions", positions_name(o.positions)},
      {"max_positions", std::to_string(o.max_positions)},
      {"relative_positions", std::to_string(o.relative_positions)},
      {"alignment_layer", std::to_string(o.alignment_layer)},
      {"copy_attention", bool_text(o.copy_attention)},
  };
}

ConfigPairs transformer_option_help() {
  return {
      {"layers", "shorthand: both encoder_layers and decoder_layers"},
      {"encoder_layers", "encoder layers (self-attention + feed-forward)"},
      {"decoder_layers", "decoder layers (self-attention + cross-attention + feed-forward)"},
      {"d_model", "width of every layer; must equal src_embedding_size and tgt_embedding_size"},
      {"heads", "attention heads; d_model must divide by it"},
      {"ffn_size", "inner width of the position-wise feed-forward blocks"},
      {"activation", "feed-forward activation: relu | gelu (the erf form)"},
      {"norm", "layer norm before each sub-layer (pre, with a final norm per stack) or after the residual (post)"},
      {"attention_dropout", "dropout on the attention weights"},
      {"ffn_dropout", "dropout after the feed-forward activation (residual dropout is model.dropout)"},
      {"positions", "absolute positions: sinusoidal | learned (up to max_positions)"},
      {"max_positions", "longest sequence with learned positions"},
      {"relative_positions", "Shaw et al. (2018) relative positions in self-attention, clipped at distance k; 0 = off"},
      {"alignment_layer", "decoder layer whose cross-attention (heads averaged) gives alignments; -1 = the last"},
      {"copy_attention",
       "pointer-generator: copy source tokens, also ones outside the target vocabulary (over the last layer's "
       "cross-attention, heads averaged)"},
  };
}

void validate_transformer(const ModelConfig& c) {
  const TransformerOptions& o = c.transformer;
  const std::int64_t src_embedding_size = c.src_embedding_size, tgt_embedding_size = c.tgt_embedding_size;
  S2S_CHECK(o.encoder_layers >= 1, kPrefix, "encoder_layers: expected >= 1, got ", o.encoder_layers);
  S2S_CHECK(o.decoder_layers >= 1, kPrefix, "decoder_layers: expected >= 1, got ", o.decoder_layers);
  S2S_CHECK(o.d_model > 0, kPrefix, "d_model: expected > 0, got ", o.d_model);
  S2S_CHECK(o.heads >= 1, kPrefix, "heads: expected >= 1, got ", o.heads);
  S2S_CHECK(o.d_model % o.heads == 0, kPrefix, "heads: d_model (", o.d_model, ") must divide by heads (", o.heads,
            ")");
  S2S_CHECK(o.ffn_size > 0, kPrefix, "ffn_size: expected > 0, got ", o.ffn_size);
  S2S_CHECK(o.attention_dropout >= 0.0f && o.attention_dropout < 1.0f, kPrefix,
            "attention_dropout: expected a probability in [0, 1), got ", o.attention_dropout);
  S2S_CHECK(o.ffn_dropout >= 0.0f && o.ffn_dropout < 1.0f, kPrefix,
            "ffn_dropout: expected a probability in [0, 1), got ", o.ffn_dropout);
  S2S_CHECK(o.max_positions >= 1, kPrefix, "max_positions: expected >= 1, got ", o.max_positions);
  S2S_CHECK(o.relative_positions >= 0, kPrefix, "relative_positions: expected >= 0 (0 = off), got ",
            o.relative_positions);
  S2S_CHECK(o.alignment_layer >= -1 && o.alignment_layer < o.decoder_layers, kPrefix,
            "alignment_layer: expected -1 (the last) or 0..", o.decoder_layers - 1, ", got ", o.alignment_layer);
  S2S_CHECK(src_embedding_size == o.d_model && tgt_embedding_size == o.d_model, kPrefix, "d_model: ", o.d_model,
            " must equal model.src_embedding_size (", src_embedding_size, ") and model.tgt_embedding_size (",
            tgt_embedding_size, "); set model.embedding_size ", o.d_model);
}

std::string describe_transformer(const ModelConfig& c) {
  const TransformerOptions& t = c.transformer;
  std::string s = "transformer " + std::to_string(t.encoder_layers) + "+" + std::to_string(t.decoder_layers) +
                  " layers, d_model " + std::to_string(t.d_model) + ", " + std::to_string(t.heads) + " heads, ffn " +
                  std::to_string(t.ffn_size) + " " + activation_name(t.activation) + ", " + norm_name(t.norm) +
                  "-norm, " + positions_name(t.positions) + " positions";
  if (t.relative_positions > 0) s += ", relative positions k " + std::to_string(t.relative_positions);
  if (c.share_embeddings) s += ", shared embeddings";
  else if (c.tie_target_embeddings) s += ", tied target embeddings";
  if (t.copy_attention) s += ", copy attention";
  return s;
}

}  // namespace s2s::models
