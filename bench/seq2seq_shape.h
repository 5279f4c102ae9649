#pragma once
// The model-shape options that seq2seq_train_bench and seq2seq_decode_bench
// share (the peer's flags), their parsing, and the model they describe.
// --type rnn (default) is the bahdanau preset of the RNN peer; --type
// transformer builds the Transformer of bench/peer_torch_transformer.py:
// d_model = --emb, the other options as `--model.KEY VALUE` pairs
// (--model.transformer.layers 6, --model.dropout 0.1, ...), passed to the
// model's config as written.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "s2s/models/model_config.h"

namespace s2s::bench {

struct ModelShape {
  std::int64_t vocab = 8000, src_vocab = 0, tgt_vocab = 0, emb = 256, hidden = 256, src_len = 20, tgt_len = 20;
  int threads = 1;
  std::string type = "rnn", readout = "deep", cell = "gru", attention = "bahdanau";
  std::vector<std::pair<std::string, std::string>> extra_pairs;  // --model.KEY VALUE, in order

  models::ModelConfig model_config() const {
    models::ConfigPairs pairs = {
        {"type", type},
        {"src_vocab_size", std::to_string(src_vocab)},
        {"tgt_vocab_size", std::to_string(tgt_vocab)},
        {"embedding_size", std::to_string(emb)},
    };
    if (type == "transformer") {
      pairs.push_back({"transformer.d_model", std::to_string(emb)});
    } else {
      pairs.insert(pairs.end(), {{"hidden_size", std::to_string(hidden)}, {"cell", cell}, {"attention", attention},
                                 {"readout", readout}});
    }
    for (const auto& kv : extra_pairs) pairs.push_back(kv);
    return models::config_from_pairs(pairs);
  }
};

// Parses `--key value` pairs into `shape`; keys it does not know go to
// extra(key, value), which returns false for an unknown one (exit 2).
template <class Extra>
void parse_shape_args(const char* program, int argc, char** argv, ModelShape& shape, Extra extra) {
  for (int k = 1; k + 1 < argc; k += 2) {
    std::string key = argv[k];
    const char* v = argv[k + 1];
    if (key == "--vocab") shape.vocab = std::stoll(v);
    else if (key == "--src-vocab") shape.src_vocab = std::stoll(v);
    else if (key == "--tgt-vocab") shape.tgt_vocab = std::stoll(v);
    else if (key == "--emb") shape.emb = std::stoll(v);
    else if (key == "--hidden") shape.hidden = std::stoll(v);
    else if (key == "--src-len") shape.src_len = std::stoll(v);
    else if (key == "--tgt-len") shape.tgt_len = std::stoll(v);
    else if (key == "--threads") shape.threads = std::stoi(v);
    else if (key == "--readout") shape.readout = v;
    else if (key == "--cell") shape.cell = v;
    else if (key == "--attention") shape.attention = v;
    else if (key == "--type") shape.type = v;
    else if (key.rfind("--model.", 0) == 0) shape.extra_pairs.emplace_back(key.substr(8), v);
    else if (!extra(key, v)) {
      std::fprintf(stderr, "%s: unknown option %s\n", program, argv[k]);
      std::exit(2);
    }
  }
  if (!shape.src_vocab) shape.src_vocab = shape.vocab;
  if (!shape.tgt_vocab) shape.tgt_vocab = shape.vocab;
}

}  // namespace s2s::bench
