#include "s2s/models/model_family.h"

#include "s2s/core/error.h"
#include "s2s/models/encoder_decoder.h"

namespace s2s::models {

const std::vector<const ModelFamily*>& model_families() {
  // An explicit list rather than self-registering statics: a static library
  // drops object files nothing references, and with them their registrations.
  static const std::vector<const ModelFamily*> families{&rnn_family(), &transformer_family(), &convs2s_family()};
  return families;
}

const ModelFamily& model_family(const std::string& name) {
  std::string known;
  for (const ModelFamily* f : model_families()) {
    if (name == f->name) return *f;
    if (!known.empty()) known += '|';
    known += f->name;
  }
  fail("model.type: expected one of ", known, ", got '", name, "'");
}

std::unique_ptr<EncoderDecoder> build_model(const ModelConfig& config, Rng& rng) {
  validate(config);
  return model_family(config.type).build(config, rng);
}

std::string describe(const ModelConfig& config) {
  return model_family(config.type).describe(config) + ", vocab " + std::to_string(config.src_vocab_size) + "/" +
         std::to_string(config.tgt_vocab_size);
}

bool has_alignments(const ModelConfig& config) { return model_family(config.type).has_alignments(config); }

bool copies_source(const ModelConfig& config) {
  const ModelFamily& f = model_family(config.type);
  return f.copies_source && f.copies_source(config);
}

}  // namespace s2s::models
