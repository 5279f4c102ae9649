#include "s2s/models/model_config.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "s2s/core/error.h"

namespace s2s::models {

namespace {

template <typename Enum, std::size_t N>
struct EnumNames {
  std::array<std::pair<Enum, const char*>, N> items;
  const char* name(Enum e) const {
    for (auto& [k, n] : items)
      if (k == e) return n;
    return "?";
  }
  std::string choices() const {
    std::string out;
    for (auto& [k, n] : items) {
      if (!out.empty()) out += '|';
      out += n;
    }
    return out;
  }
  Enum parse(const std::string& key, const std::string& value) const {
    for (auto& [k, n] : items)
      if (value == n) return k;
    fail("model.", key, ": expected one of ", choices(), ", got '", value, "'");
  }
};

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

std::int64_t parse_int(const std::string& key, const std::string& value) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  S2S_CHECK(ec == std::errc() && end == value.data() + value.size() && !value.empty(), "model.", key,
            ": expected an integer, got '", value, "'");
  return v;
}

float parse_float(const std::string& key, const std::string& value) {
  float v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  S2S_CHECK(ec == std::errc() && end == value.data() + value.size() && !value.empty() && std::isfinite(v), "model.",
            key, ": expected a number, got '", value, "'");
  return v;
}

bool parse_bool(const std::string& key, const std::string& value) {
  if (value == "true" || value == "1" || value == "yes" || value == "on") return true;
  if (value == "false" || value == "0" || value == "no" || value == "off") return false;
  fail("model.", key, ": expected true or false, got '", value, "'");
}

std::string format_float(float v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);  // shortest text that reads back exactly
  return std::string(buf, end);
}

}  // namespace

const char* cell_name(CellKind kind) { return kCells.name(kind); }
const char* bridge_name(BridgeKind kind) { return kBridges.name(kind); }
const char* attention_name(AttentionKind kind) { return kAttentions.name(kind); }
const char* readout_name(ReadoutKind kind) { return kReadouts.name(kind); }

std::int64_t ModelConfig::readout_size() const {
  switch (readout) {
    case ReadoutKind::State:
    case ReadoutKind::Tanh: return hidden_size;
    case ReadoutKind::Deep: return hidden_size + (attention != AttentionKind::None ? memory_size() : 0) + tgt_embedding_size;
  }
  return hidden_size;
}

ConfigPairs to_pairs(const ModelConfig& c) {
  auto b = [](bool v) { return std::string(v ? "true" : "false"); };
  ConfigPairs out{
      {"type", c.type},
      {"src_vocab_size", std::to_string(c.src_vocab_size)},
      {"tgt_vocab_size", std::to_string(c.tgt_vocab_size)},
      {"src_embedding_size", std::to_string(c.src_embedding_size)},
      {"tgt_embedding_size", std::to_string(c.tgt_embedding_size)},
      {"cell", cell_name(c.cell)},
      {"encoder_layers", std::to_string(c.encoder_layers)},
      {"decoder_layers", std::to_string(c.decoder_layers)},
      {"bidirectional", b(c.bidirectional)},
      {"hidden_size", std::to_string(c.hidden_size)},
      {"dropout", format_float(c.dropout)},
      {"bridge", bridge_name(c.bridge)},
      {"attention", attention_name(c.attention)},
      {"attention_size", std::to_string(c.attention_size)},
      {"local_window", std::to_string(c.local_window)},
      {"input_feed", b(c.input_feed)},
      {"readout", readout_name(c.readout)},
      {"tie_target_embeddings", b(c.tie_target_embeddings)},
      {"decoder_embedding_relu", b(c.decoder_embedding_relu)},
      {"share_embeddings", b(c.share_embeddings)},
  };
  if (c.type == "transformer")
    for (auto& [k, v] : transformer_pairs(c.transformer)) out.emplace_back("transformer." + k, v);
  return out;
}

void set_option(ModelConfig& c, const std::string& key, const std::string& value) {
  if (key == "type") c.type = value;
  else if (key == "src_vocab_size") c.src_vocab_size = parse_int(key, value);
  else if (key == "tgt_vocab_size") c.tgt_vocab_size = parse_int(key, value);
  else if (key == "embedding_size") c.src_embedding_size = c.tgt_embedding_size = parse_int(key, value);
  else if (key == "src_embedding_size") c.src_embedding_size = parse_int(key, value);
  else if (key == "tgt_embedding_size") c.tgt_embedding_size = parse_int(key, value);
  else if (key == "cell") c.cell = kCells.parse(key, value);
  else if (key == "encoder_layers") c.encoder_layers = parse_int(key, value);
  else if (key == "decoder_layers") c.decoder_layers = parse_int(key, value);
  else if (key == "layers") c.encoder_layers = c.decoder_layers = parse_int(key, value);
  else if (key == "bidirectional") c.bidirectional = parse_bool(key, value);
  else if (key == "hidden_size") c.hidden_size = parse_int(key, value);
  else if (key == "dropout") c.dropout = parse_float(key, value);
  else if (key == "bridge") c.bridge = kBridges.parse(key, value);
  else if (key == "attention") c.attention = kAttentions.parse(key, value);
  else if (key == "attention_size") c.attention_size = parse_int(key, value);
  else if (key == "local_window") c.local_window = parse_int(key, value);
  else if (key == "input_feed") c.input_feed = parse_bool(key, value);
  else if (key == "readout") c.readout = kReadouts.parse(key, value);
  else if (key == "tie_target_embeddings") c.tie_target_embeddings = parse_bool(key, value);
  else if (key == "decoder_embedding_relu") c.decoder_embedding_relu = parse_bool(key, value);
  else if (key == "share_embeddings") c.share_embeddings = parse_bool(key, value);
  else if (key.starts_with("transformer.")) set_transformer_option(c.transformer, key.substr(12), value);
  else {
    std::string known;
    for (auto& [k, v] : to_pairs(ModelConfig{})) {
      if (!known.empty()) known += ", ";
      known += k;
    }
    fail("model.", key, ": unknown option (known: embedding_size, layers, ", known, ", transformer.<key>)");
  }
}

ModelConfig config_from_pairs(const ConfigPairs& pairs) {
  ModelConfig c;
  for (const auto& [k, v] : pairs) set_option(c, k, v);
  validate(c);
  return c;
}

ModelConfig config_from_map(const std::map<std::string, std::string>& options) {
  // Shorthands first, so that the specific keys they cover win whatever the order.
  ConfigPairs pairs;
  const char* shorthands[] = {"embedding_size", "layers", "transformer.layers"};
  for (const char* shorthand : shorthands)
    if (auto it = options.find(shorthand); it != options.end()) pairs.emplace_back(*it);
  for (const auto& kv : options)
    if (std::find(std::begin(shorthands), std::end(shorthands), kv.first) == std::end(shorthands)) pairs.emplace_back(kv);
  return config_from_pairs(pairs);
}

void validate(const ModelConfig& c) {
  S2S_CHECK(c.type == "rnn" || c.type == "transformer", "model.type: expected rnn or transformer, got '", c.type,
            "'");
  S2S_CHECK(c.src_vocab_size > 4, "model.src_vocab_size: expected more than the 4 reserved ids, got ",
            c.src_vocab_size);
  S2S_CHECK(c.tgt_vocab_size > 4, "model.tgt_vocab_size: expected more than the 4 reserved ids, got ",
            c.tgt_vocab_size);
  S2S_CHECK(c.src_embedding_size > 0, "model.src_embedding_size: expected > 0, got ", c.src_embedding_size);
  S2S_CHECK(c.tgt_embedding_size > 0, "model.tgt_embedding_size: expected > 0, got ", c.tgt_embedding_size);
  S2S_CHECK(c.dropout >= 0.0f && c.dropout < 1.0f, "model.dropout: expected a probability in [0, 1), got ",
            c.dropout);
  if (c.share_embeddings) {
    S2S_CHECK(c.type == "transformer", "model.share_embeddings: only the transformer family ties all three tables");
    S2S_CHECK(c.src_vocab_size == c.tgt_vocab_size, "model.share_embeddings: needs one vocabulary (data.shared_vocab), got ",
              c.src_vocab_size, " source and ", c.tgt_vocab_size, " target ids");
  }
  if (c.type == "transformer") {
    validate_transformer(c.transformer, c.src_embedding_size, c.tgt_embedding_size);
    return;  // the options below are the rnn family's
  }
  S2S_CHECK(c.encoder_layers >= 1, "model.encoder_layers: expected >= 1, got ", c.encoder_layers);
  S2S_CHECK(c.decoder_layers >= 1, "model.decoder_layers: expected >= 1, got ", c.decoder_layers);
  S2S_CHECK(c.hidden_size > 0, "model.hidden_size: expected > 0, got ", c.hidden_size);
  S2S_CHECK(c.attention_size >= 0, "model.attention_size: expected >= 0 (0 = hidden_size), got ", c.attention_size);
  S2S_CHECK(c.local_window >= 1, "model.local_window: expected >= 1, got ", c.local_window);
  if (c.bridge != BridgeKind::Zeros)
    S2S_CHECK(c.encoder_layers == c.decoder_layers, "model.bridge: ", bridge_name(c.bridge),
              " initialises decoder layer k from encoder layer k, so encoder_layers (", c.encoder_layers,
              ") must equal decoder_layers (", c.decoder_layers, "); or use bridge zeros");
  S2S_CHECK(!(c.bridge == BridgeKind::Copy && c.bidirectional),
            "model.bridge: copy needs a unidirectional encoder (a bidirectional state is 2 * hidden_size wide); "
            "use learned");
  S2S_CHECK(!(c.attention == AttentionKind::Dot && c.memory_size() != c.hidden_size),
            "model.attention: dot needs encoder outputs as wide as the decoder state (", c.memory_size(), " vs ",
            c.hidden_size, " with a bidirectional encoder); use general or bahdanau");
  S2S_CHECK(!c.tie_target_embeddings || c.readout_size() == c.tgt_embedding_size,
            "model.tie_target_embeddings: the readout (", readout_name(c.readout), ", ", c.readout_size(),
            " wide) must be as wide as tgt_embedding_size (", c.tgt_embedding_size, ")");
}

}  // namespace s2s::models
