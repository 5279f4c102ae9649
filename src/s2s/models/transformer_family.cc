// The Transformer family's entry in the registry (model_family.h).
#include "s2s/models/model_family.h"
#include "s2s/models/transformer.h"

namespace s2s::models {

const ModelFamily& transformer_family() {
  static const ModelFamily family{
      .name = "transformer",
      .summary = "Transformer encoder-decoder (self-attention, multi-head cross-attention)",
      .set_option = [](ModelConfig& c, const std::string& key, const std::string& value) {
        set_transformer_option(c.transformer, key, value);
      },
      .option_pairs = [](const ModelConfig& c) { return transformer_pairs(c.transformer); },
      .option_help = transformer_option_help,
      .validate = validate_transformer,
      .describe = describe_transformer,
      .has_alignments = [](const ModelConfig&) { return true; },  // cross-attention of model.transformer.alignment_layer
      .build = [](const ModelConfig& c, Rng& rng) -> std::unique_ptr<EncoderDecoder> {
        return std::make_unique<TransformerModel>(c, rng);
      },
      .copies_source = [](const ModelConfig& c) { return c.transformer.copy_attention; },
  };
  return family;
}

}  // namespace s2s::models
