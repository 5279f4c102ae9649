// The convolutional family's entry in the registry (model_family.h).
#include "s2s/models/convs2s.h"
#include "s2s/models/model_family.h"

namespace s2s::models {

const ModelFamily& convs2s_family() {
  static const ModelFamily family{
      .name = "convs2s",
      .summary = "convolutional encoder-decoder (Gehring et al. 2017: gated convolutions, attention in every decoder "
                 "layer)",
      .set_option = [](ModelConfig& c, const std::string& key, const std::string& value) {
        set_convs2s_option(c.convs2s, key, value);
      },
      .option_pairs = [](const ModelConfig& c) { return convs2s_pairs(c.convs2s); },
      .option_help = convs2s_option_help,
      .validate = validate_convs2s,
      .describe = describe_convs2s,
      .has_alignments = [](const ModelConfig&) { return true; },  // the decoder layers' attention, averaged
      .build = [](const ModelConfig& c, Rng& rng) -> std::unique_ptr<EncoderDecoder> {
        return std::make_unique<ConvS2SModel>(c, rng);
      },
  };
  return family;
}

}  // namespace s2s::models
