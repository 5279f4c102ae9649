// The RNN family's entry in the registry (model_family.h).
#include "s2s/models/model_family.h"
#include "s2s/models/rnn_encoder_decoder.h"

namespace s2s::models {

const ModelFamily& rnn_family() {
  static const ModelFamily family{
      .name = "rnn",
      .summary = "recurrent encoder-decoder (RNN, GRU, LSTM) with attention",
      .set_option = [](ModelConfig& c, const std::string& key, const std::string& value) { set_rnn_option(c.rnn, key, value); },
      .option_pairs = [](const ModelConfig& c) { return rnn_option_pairs(c.rnn); },
      .option_help = rnn_option_help,
      .validate = validate_rnn,
      .describe = describe_rnn,
      .has_alignments = [](const ModelConfig& c) { return c.rnn.attention != AttentionKind::None; },
      .build = [](const ModelConfig& c, Rng& rng) -> std::unique_ptr<EncoderDecoder> {
        return std::make_unique<RnnEncoderDecoder>(c, rng);
      },
      .copies_source = [](const ModelConfig& c) { return c.rnn.copy_attention; },
  };
  return family;
}

}  // namespace s2s::models
