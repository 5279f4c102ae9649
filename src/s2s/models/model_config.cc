#include "s2s/models/model_config.h"

#include <algorithm>

#include "s2s/core/error.h"
#include "s2s/models/model_family.h"

namespace s2s::models {

namespace {

// Options every family shares, with their help.
const ConfigPairs& shared_help() {
  static const ConfigPairs help{
      {"type", ""},  // filled from the registry
      {"src_vocab_size", "set from the vocabularies (leave at 0)"},
      {"tgt_vocab_size", "set from the vocabularies (leave at 0)"},
      {"src_embedding_size", "source embedding width"},
      {"tgt_embedding_size", "target embedding width"},
      {"dropout", "dropout probability; each family says where it applies (docs/models.md)"},
      {"tie_target_embeddings", "the output matrix is the target embedding"},
      {"share_embeddings", "one embedding table for source and target (needs data.shared_vocab)"},
  };
  return help;
}

std::string family_names() {
  std::string out;
  for (const ModelFamily* f : model_families()) {
    if (!out.empty()) out += " | ";
    out += f->name;
  }
  return out;
}

// A shorthand covers other keys, so it is applied before them.
int apply_order(const std::string& key) {
  if (key == "type") return 0;
  if (key == "embedding_size" || key == "layers" || key.ends_with(".layers")) return 1;
  return 2;
}

}  // namespace

ConfigPairs to_pairs(const ModelConfig& c) {
  ConfigPairs out{
      {"type", c.type},
      {"src_vocab_size", std::to_string(c.src_vocab_size)},
      {"tgt_vocab_size", std::to_string(c.tgt_vocab_size)},
      {"src_embedding_size", std::to_string(c.src_embedding_size)},
      {"tgt_embedding_size", std::to_string(c.tgt_embedding_size)},
      {"dropout", float_text(c.dropout)},
      {"tie_target_embeddings", bool_text(c.tie_target_embeddings)},
      {"share_embeddings", bool_text(c.share_embeddings)},
  };
  const ModelFamily& family = model_family(c.type);
  for (auto& [k, v] : family.option_pairs(c)) out.emplace_back(std::string(family.name) + "." + k, v);
  return out;
}

void set_option(ModelConfig& c, const std::string& key, const std::string& value) {
  if (key == "type") {
    model_family(value);  // known?
    c.type = value;
  } else if (key == "src_vocab_size") c.src_vocab_size = parse_int_option(key, value);
  else if (key == "tgt_vocab_size") c.tgt_vocab_size = parse_int_option(key, value);
  else if (key == "embedding_size") c.src_embedding_size = c.tgt_embedding_size = parse_int_option(key, value);
  else if (key == "src_embedding_size") c.src_embedding_size = parse_int_option(key, value);
  else if (key == "tgt_embedding_size") c.tgt_embedding_size = parse_int_option(key, value);
  else if (key == "dropout") c.dropout = parse_float_option(key, value);
  else if (key == "tie_target_embeddings") c.tie_target_embeddings = parse_bool_option(key, value);
  else if (key == "share_embeddings") c.share_embeddings = parse_bool_option(key, value);
  else {
    const ModelFamily& chosen = model_family(c.type);
    auto dot = key.find('.');
    if (dot == std::string::npos) {
      chosen.set_option(c, key, value);  // a bare key: the chosen family's
      return;
    }
    const std::string prefix = key.substr(0, dot);
    bool known = false;
    for (const ModelFamily* f : model_families()) known = known || prefix == f->name;
    S2S_CHECK(known, "model.", key, ": unknown option (model options are shared ones or <family>.<key> with family ",
              family_names(), ")");
    S2S_CHECK(prefix == chosen.name, "model.", key, ": an option of the ", prefix, " family, but model.type is ", c.type);
    chosen.set_option(c, key.substr(dot + 1), value);
  }
}

ModelConfig config_from_pairs(const ConfigPairs& pairs) {
  ConfigPairs ordered = pairs;
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return apply_order(a.first) < apply_order(b.first); });
  ModelConfig c;
  for (const auto& [k, v] : ordered) set_option(c, k, v);
  validate(c);
  return c;
}

ModelConfig config_from_map(const std::map<std::string, std::string>& options) {
  return config_from_pairs(ConfigPairs(options.begin(), options.end()));
}

void validate(const ModelConfig& c) {
  const ModelFamily& family = model_family(c.type);
  S2S_CHECK(c.src_vocab_size > 4, "model.src_vocab_size: expected more than the 4 reserved ids, got ",
            c.src_vocab_size);
  S2S_CHECK(c.tgt_vocab_size > 4, "model.tgt_vocab_size: expected more than the 4 reserved ids, got ",
            c.tgt_vocab_size);
  S2S_CHECK(c.src_embedding_size > 0, "model.src_embedding_size: expected > 0, got ", c.src_embedding_size);
  S2S_CHECK(c.tgt_embedding_size > 0, "model.tgt_embedding_size: expected > 0, got ", c.tgt_embedding_size);
  S2S_CHECK(c.dropout >= 0.0f && c.dropout < 1.0f, "model.dropout: expected a probability in [0, 1), got ",
            c.dropout);
  if (c.share_embeddings)
    S2S_CHECK(c.src_vocab_size == c.tgt_vocab_size && c.src_embedding_size == c.tgt_embedding_size,
              "model.share_embeddings: needs one vocabulary (data.shared_vocab) and equal embedding sizes, got "
              "vocabularies of ",
              c.src_vocab_size, " and ", c.tgt_vocab_size, " tokens, embeddings ", c.src_embedding_size, " and ",
              c.tgt_embedding_size, " wide");
  family.validate(c);
}

ConfigPairs option_help() {
  ConfigPairs out;
  for (const auto& [k, v] : shared_help())
    out.emplace_back("model." + k, k == "type" ? "model family: " + family_names() : v);
  out.emplace_back("model.embedding_size", "shorthand: both src_embedding_size and tgt_embedding_size");
  for (const ModelFamily* f : model_families())
    for (const auto& [k, v] : f->option_help()) out.emplace_back("model." + std::string(f->name) + "." + k, v);
  return out;
}

}  // namespace s2s::models
