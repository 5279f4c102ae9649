#pragma once
// Every option of a model, as one plain struct: what every family shares
// (vocabularies, embedding sizes and tying, dropout) and one section per
// family (models/model_family.h). It travels as flat key/value strings (YAML
// `model:` section, `--model.KEY VALUE` on the command line, the config file
// of a model directory): shared keys are bare ("dropout"), a family's keys are
// "<family>.<key>" ("rnn.cell"); a bare key that is not shared means the
// chosen family's ("cell" = "rnn.cell" when type is rnn), which is also how
// model directories written before families existed read. Error messages
// name keys "model.<key>". docs/models.md explains each option to users.
#include <cstdint>
#include <map>
#include <string>

#include "s2s/models/convs2s_options.h"
#include "s2s/models/option_text.h"
#include "s2s/models/rnn_options.h"
#include "s2s/models/transformer_options.h"

namespace s2s::models {

struct ModelConfig {
  std::string type = "rnn";          // model family (model_family.h)
  std::int64_t src_vocab_size = 0;   // set from the vocabularies (ids 0..3 reserved: pad, bos, eos, unk)
  std::int64_t tgt_vocab_size = 0;
  std::int64_t src_embedding_size = 256;
  std::int64_t tgt_embedding_size = 256;
  float dropout = 0.0f;                 // the family says where (docs/models.md)
  bool tie_target_embeddings = false;   // output matrix = target embedding
  bool share_embeddings = false;        // source embedding = target embedding (needs one vocabulary)

  RnnOptions rnn;
  TransformerOptions transformer;
  ConvS2SOptions convs2s;
};

// Shared options, then the chosen family's as "<family>.<key>", values as
// their canonical strings ("gru", "bahdanau", "true", "0.1").
ConfigPairs to_pairs(const ModelConfig& config);

// Sets one option from text. Unknown keys and malformed values throw
// s2s::Error, e.g. "model.rnn.attention: expected one of none|dot|general|bahdanau|local-p, got 'foo'".
// `embedding_size` is shorthand for both embedding sizes, and a family's
// `layers` for both of its layer counts.
void set_option(ModelConfig& config, const std::string& key, const std::string& value);

// Defaults overridden by each pair in turn (`type` first, then shorthands,
// so that the keys they cover win); then validated.
ModelConfig config_from_pairs(const ConfigPairs& pairs);
ModelConfig config_from_map(const std::map<std::string, std::string>& options);

// Checks sizes and combinations; throws s2s::Error naming the offending option.
void validate(const ModelConfig& config);

// ("model.<key>", help) for every shared option and every family's options.
ConfigPairs option_help();

}  // namespace s2s::models
