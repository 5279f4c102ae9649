#include "s2s/models/rnn_options.h"

#include "s2s/core/error.h"
#include "s2s/models/model_config.h"

namespace s2s::models {

namespace {

constexpr EnumNames<CellKind, 4> kCells{
    {{{CellKind::RnnTanh, "rnn_tanh"}, {CellKind::RnnRelu, "rnn_relu"}, {CellKind::Gru, "gru"}, {CellKind::Lstm, "lstm"}}}};
constexpr EnumNames<BridgeKind, 3> kBridges{
    {{{BridgeKind::Zeros, "zeros"}, {BridgeKind::Copy, "copy"}, {BridgeKind::Learned, "learned"}}}};
constexpr EnumNames<AttentionKind, 5> kAttentions{{{{AttentionKind::None, "none"},
                                                     {AttentionKind::Dot, "dot"},
                                                     {AttentionKind::General, "general"},
                                                     {AttentionKind::Bahdanau, "bahdanau"},
                                                     {AttentionKind::LocalP, "local-p"}}}};
constexpr EnumNames<ReadoutKind, 3> kReadouts{
    {{{ReadoutKind::State, "state"}, {ReadoutKind::Deep, "deep"}, {ReadoutKind::Tanh, "tanh"}}}};

}  // namespace

const char* cell_name(CellKind kind) { return kCells.name(kind); }
const char* bridge_name(BridgeKind kind) { return kBridges.name(kind); }
const char* attention_name(AttentionKind kind) { return kAttentions.name(kind); }
const char* readout_name(ReadoutKind kind) { return kReadouts.name(kind); }

std::int64_t rnn_readout_size(const ModelConfig& c) {
  const RnnOptions& r = c.rnn;
  switch (r.readout) {
    case ReadoutKind::State:
    case ReadoutKind::Tanh: return r.hidden_size;
    case ReadoutKind::Deep:
      return r.hidden_size + (r.attention != AttentionKind::None ? r.memory_size() : 0) + c.tgt_embedding_size;
  }
  return r.hidden_size;
}

ConfigPairs rnn_option_pairs(const RnnOptions& r) {
  return {
      {"cell", cell_name(r.cell)},
      {"encoder_layers", std::to_string(r.encoder_layers)},
      {"decoder_layers", std::to_string(r.decoder_layers)},
      {"bidirectional", bool_text(r.bidirectional)},
      {"hidden_size", std::to_string(r.hidden_size)},
      {"bridge", bridge_name(r.bridge)},
      {"attention", attention_name(r.attention)},
      {"attention_size", std::to_string(r.attention_size)},
      {"local_window", std::to_string(r.local_window)},
      {"input_feed", bool_text(r.input_feed)},
      {"readout", readout_name(r.readout)},
      {"decoder_embedding_relu", bool_text(r.decoder_embedding_relu)},
      {"copy_attention", bool_text(r.copy_attention)},
      {"coverage", bool_text(r.coverage)},
  };
}

ConfigPairs rnn_option_help() {
  return {
      {"cell", "recurrent cell: rnn_tanh | rnn_relu | gru | lstm"},
      {"layers", "shorthand: both encoder_layers and decoder_layers"},
      {"encoder_layers", "stacked encoder layers"},
      {"decoder_layers", "stacked decoder layers"},
      {"bidirectional", "the encoder reads both ways, directions concatenated"},
      {"hidden_size", "decoder state width, and each encoder direction's"},
      {"bridge", "decoder initial state: zeros | copy (encoder's last) | learned (tanh(W [h_fwd; h_bwd]))"},
      {"attention", "none | dot | general | bahdanau | local-p"},
      {"attention_size", "bahdanau: width of the scoring layer; 0: hidden_size"},
      {"local_window", "local-p: half window D (Gaussian sigma D/2)"},
      {"input_feed", "feed the context (bahdanau) or attentional vector (luong) to the next step"},
      {"readout", "output layer input: state | deep ([s; c; e]) | tanh (tanh(W [s; c; e]))"},
      {"decoder_embedding_relu", "ReLU on the decoder's embedded input (PyTorch tutorial)"},
      {"copy_attention", "pointer-generator: copy source tokens, also ones outside the target vocabulary (needs attention)"},
      {"coverage", "coverage vector (sum of earlier attention) in the bahdanau scores; loss weight train.coverage_weight"},
  };
}

void set_rnn_option(RnnOptions& r, const std::string& key, const std::string& value) {
  const std::string name = "rnn." + key;
  if (key == "cell") r.cell = kCells.parse(name, value);
  else if (key == "encoder_layers") r.encoder_layers = parse_int_option(name, value);
  else if (key == "decoder_layers") r.decoder_layers = parse_int_option(name, value);
  else if (key == "layers") r.encoder_layers = r.decoder_layers = parse_int_option(name, value);
  else if (key == "bidirectional") r.bidirectional = parse_bool_option(name, value);
  else if (key == "hidden_size") r.hidden_size = parse_int_option(name, value);
  else if (key == "bridge") r.bridge = kBridges.parse(name, value);
  else if (key == "attention") r.attention = kAttentions.parse(name, value);
  else if (key == "attention_size") r.attention_size = parse_int_option(name, value);
  else if (key == "local_window") r.local_window = parse_int_option(name, value);
  else if (key == "input_feed") r.input_feed = parse_bool_option(name, value);
  else if (key == "readout") r.readout = kReadouts.parse(name, value);
  else if (key == "decoder_embedding_relu") r.decoder_embedding_relu = parse_bool_option(name, value);
  else if (key == "copy_attention") r.copy_attention = parse_bool_option(name, value);
  else if (key == "coverage") r.coverage = parse_bool_option(name, value);
  else {
    std::string known;
    for (auto& [k, v] : rnn_option_help()) {
      if (!known.empty()) known += ", ";
      known += k;
    }
    fail("model.", name, ": unknown option (the shared options and the rnn family's: ", known, "; docs/models.md)");
  }
}

void validate_rnn(const ModelConfig& c) {
  const RnnOptions& r = c.rnn;
  S2S_CHECK(r.encoder_layers >= 1, "model.rnn.encoder_layers: expected >= 1, got ", r.encoder_layers);
  S2S_CHECK(r.decoder_layers >= 1, "model.rnn.decoder_layers: expected >= 1, got ", r.decoder_layers);
  S2S_CHECK(r.hidden_size > 0, "model.rnn.hidden_size: expected > 0, got ", r.hidden_size);
  S2S_CHECK(r.attention_size >= 0, "model.rnn.attention_size: expected >= 0 (0 = hidden_size), got ", r.attention_size);
  S2S_CHECK(r.local_window >= 1, "model.rnn.local_window: expected >= 1, got ", r.local_window);
  S2S_CHECK(!c.share_embeddings, "model.share_embeddings: the rnn family keeps one table per side; "
            "set it to false (tie_target_embeddings ties the output layer)");
  if (r.bridge != BridgeKind::Zeros)
    S2S_CHECK(r.encoder_layers == r.decoder_layers, "model.rnn.bridge: ", bridge_name(r.bridge),
              " initialises decoder layer k from encoder layer k, so encoder_layers (", r.encoder_layers,
              ") must equal decoder_layers (", r.decoder_layers, "); or use bridge zeros");
  S2S_CHECK(!(r.bridge == BridgeKind::Copy && r.bidirectional),
            "model.rnn.bridge: copy needs a unidirectional encoder (a bidirectional state is 2 * hidden_size wide); "
            "use learned");
  S2S_CHECK(!(r.attention == AttentionKind::Dot && r.memory_size() != r.hidden_size),
            "model.rnn.attention: dot needs encoder outputs as wide as the decoder state (", r.memory_size(), " vs ",
            r.hidden_size, " with a bidirectional encoder); use general or bahdanau");
  S2S_CHECK(!r.copy_attention || r.attention != AttentionKind::None,
            "model.rnn.copy_attention: copying reads the attention over the source; set model.rnn.attention");
  S2S_CHECK(!r.copy_attention || r.attention != AttentionKind::LocalP,
            "model.rnn.copy_attention: local-p weights do not sum to 1 over the source; use dot, general or bahdanau");
  S2S_CHECK(!r.coverage || r.attention == AttentionKind::Bahdanau,
            "model.rnn.coverage: the coverage vector enters bahdanau (MLP) attention scores only; set model.rnn.attention "
            "bahdanau, got ", attention_name(r.attention));
  S2S_CHECK(!c.tie_target_embeddings || rnn_readout_size(c) == c.tgt_embedding_size,
            "model.tie_target_embeddings: the rnn readout (", readout_name(r.readout), ", ", rnn_readout_size(c),
            " wide) must be as wide as tgt_embedding_size (", c.tgt_embedding_size, ")");
}

std::string describe_rnn(const ModelConfig& c) {
  const RnnOptions& r = c.rnn;
  return std::string("rnn ") + cell_name(r.cell) + " " + std::to_string(r.encoder_layers) + "+" +
         std::to_string(r.decoder_layers) + " layers, hidden " + std::to_string(r.hidden_size) + ", attention " +
         attention_name(r.attention) + (r.copy_attention ? ", copy" : "") + (r.coverage ? ", coverage" : "");
}

}  // namespace s2s::models
