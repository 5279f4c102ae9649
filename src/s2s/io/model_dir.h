#pragma once
// The model directory: everything needed to use a trained model, and nothing
// tied to the machine that trained it.
//
//   config.yaml        the effective configuration of the run (all sections;
//                      model.* rebuilds the network, data.* names the tokenizers)
//   model.safetensors  the weights (the best on the dev set, else the last)
//   src.vocab          vocabularies (token<TAB>count, data/vocab.h); a shared
//   tgt.vocab            vocabulary is one file, shared.vocab
//   src.spm.model      SentencePiece models, when a side uses spm (shared:
//   tgt.spm.model        spm.model)
//   checkpoints/       training state for --resume (io/checkpoint.h)
//   train.log.jsonl    the training log
//
// load_model_dir rebuilds the model and checks every piece against the others
// (config.yaml's keys and values as `s2s train` checks them, vocabulary sizes
// against the config, SentencePiece pieces against the vocabulary, each
// vocabulary against the checksum stored with the weights, every tensor's
// name, dtype, shape and finiteness against the model).
#include <map>
#include <memory>
#include <string>

#include "s2s/io/safetensors.h"
#include "s2s/kernels/compute_type.h"
#include "s2s/models/encoder_decoder.h"
#include "s2s/train/vocab_setup.h"

namespace s2s::io {

inline constexpr const char* kConfigFile = "config.yaml";
inline constexpr const char* kWeightsFile = "model.safetensors";

using train::Vocabularies;

// File names of a side's vocabulary and SentencePiece model ("src", "tgt"; shared: "shared").
std::string vocab_file_name(const std::string& side, bool shared);
std::string spm_file_name(const std::string& side, bool shared);

// Writes config.yaml, the vocabularies and any SentencePiece models (each file atomically).
void write_model_files(const std::string& dir, const std::map<std::string, std::string>& config,
                       const Vocabularies& vocabularies);
// Writes model.safetensors atomically, with a checksum of each vocabulary
// (vocab_checksums) in its metadata so that the weights stay tied to the
// vocabularies they were trained with.
void write_model_weights(const std::string& dir, models::EncoderDecoder& model, const Vocabularies& vocabularies,
                         const Metadata& metadata = {});

// "checksum.<vocabulary file name>" -> 16 hex digits of a 64-bit FNV-1a hash
// of the file's tokens in id order (counts and escaping do not enter: only
// which id is which token matters to the weights).
Metadata vocab_checksums(const Vocabularies& vocabularies);
// Fails naming the vocabulary file when a checksum in `weights_metadata`
// disagrees with the loaded vocabulary (the file was edited, or belongs to
// another model). Metadata without checksums (model directories written
// before they existed) passes unchecked.
void check_vocab_checksums(const std::string& dir, const Metadata& weights_metadata, const Vocabularies& vocabularies);

// Reads the tokenizers and vocabularies a directory's config names, checking
// them against each other and against model.src_vocab_size / tgt_vocab_size.
Vocabularies load_vocabularies(const std::string& dir, const std::map<std::string, std::string>& config);

struct ModelDir {
  std::string path;
  std::map<std::string, std::string> config;  // config.yaml, flat dotted keys
  models::ModelConfig model_config;
  Vocabularies vocab;
  std::unique_ptr<models::EncoderDecoder> model;  // weights loaded
  Metadata weights_metadata;                      // model.safetensors' __metadata__
  // The type model.safetensors stores the weights in (io/quantized_model.h),
  // and the one the model was loaded for (never auto).
  kernels::ComputeType storage = kernels::ComputeType::Fp32;
  kernels::ComputeType compute_type = kernels::ComputeType::Fp32;
};

// Reads config.yaml; fails with "<dir>: not a model directory (no config.yaml)"
// when it is missing, and like `s2s train` does for an unknown key or a bad
// value, prefixed with the file's path.
std::map<std::string, std::string> read_model_config(const std::string& dir);
// The model options of a flat config ("model.*" keys), validated.
models::ModelConfig model_config_from(const std::map<std::string, std::string>& config, const std::string& origin);

// `compute` is the type the model will decode in (auto: the stored type):
// fp32 keeps fp32 weights (an int8 file's dequantized, a bf16 file's
// widened); int8 holds every int8 product weight in int8 (nn::hold_in_int8:
// an int8 file's as stored, an fp32 file's quantized now) and drops their
// fp32 values, returning the freed memory to the system; bf16 rounds fp32
// weights to bf16 (nn::round_to_bf16). A model loaded for int8 decodes only
// in int8.
ModelDir load_model_dir(const std::string& path, kernels::ComputeType compute = kernels::ComputeType::Auto);

}  // namespace s2s::io
