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
      // With the layers shorthand, so that `s2s train` accepts --model.transformer.layers.
      .option_help =
          [] {
            ConfigPairs help = transformer_option_help();
            help.insert(help.begin(), {"layers", "shorthand: both encoder_layers and decoder_layers"});
            return help;
          },
      .validate = validate_transformer,
      .describe = describe_transformer,
      .has_alignments = [](const ModelConfig&) { return true; },  // cross-attention of model.transformer.alignment_layer
      .build = [](const ModelConfig& c, Rng& rng) -> std::unique_ptr<EncoderDecoder> {
        return std::make_unique<TransformerModel>(c, rng);
      },
  };
  return family;
}

}  // namespace s2s::models
