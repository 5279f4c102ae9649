#pragma once
// The model families s2s can build (model.type), each a set of hooks: its
// options (model.<family>.<key>), their validation and help, a one-line
// description, whether it yields alignments, and the factory. Code outside
// models/ and nn/ asks a family through these and never names one.
// docs/architecture.md: how to add a family.
#include <memory>
#include <string>
#include <vector>

#include "s2s/core/rng.h"
#include "s2s/models/model_config.h"

namespace s2s::models {

class EncoderDecoder;

struct ModelFamily {
  const char* name;
  const char* summary;  // for --help and errors
  void (*set_option)(ModelConfig& config, const std::string& key, const std::string& value);  // key without "<name>."
  ConfigPairs (*option_pairs)(const ModelConfig& config);  // canonical values, keys without "<name>."
  ConfigPairs (*option_help)();                            // (key, one-line help)
  void (*validate)(const ModelConfig& config);             // the family's options and their combination with shared ones
  std::string (*describe)(const ModelConfig& config);      // "rnn gru 1+1 layers, hidden 256, attention bahdanau"
  bool (*has_alignments)(const ModelConfig& config);       // step() returns attention over the source
  std::unique_ptr<EncoderDecoder> (*build)(const ModelConfig& config, Rng& rng);
  // Copies source tokens (pointer-generator): needs TokenBatch::copy_ids and
  // predicts over the extended vocabulary. nullptr: never.
  bool (*copies_source)(const ModelConfig& config) = nullptr;
};

// Every family, in the order --help lists them.
const std::vector<const ModelFamily*>& model_families();
// The family `name`; throws "model.type: expected one of rnn|transformer|convs2s, got 'x'".
const ModelFamily& model_family(const std::string& name);

// Builds the model a config names, parameters initialised from rng.
std::unique_ptr<EncoderDecoder> build_model(const ModelConfig& config, Rng& rng);
// One line naming the family and its main sizes, with the vocabulary sizes.
std::string describe(const ModelConfig& config);
bool has_alignments(const ModelConfig& config);
bool copies_source(const ModelConfig& config);

}  // namespace s2s::models

namespace s2s::models {
// Each family's hooks, defined beside the family (rnn_family.cc, ...).
const ModelFamily& rnn_family();
const ModelFamily& transformer_family();
const ModelFamily& convs2s_family();
}  // namespace s2s::models
