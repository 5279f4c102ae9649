#include "s2s/io/model_dir.h"

#include <cstdio>
#include <filesystem>
#include <new>

#include "s2s/core/allocation_limit.h"
#include "s2s/core/error.h"
#include "s2s/core/one_line.h"
#include "s2s/data/spm_tokenizer.h"
#include "s2s/io/atomic_file.h"
#include "s2s/io/quantized_model.h"
#include "s2s/io/yaml_config.h"
#include "s2s/nn/precision.h"
#include "s2s/train/run_config.h"

namespace s2s::io {

namespace {

std::string get(const std::map<std::string, std::string>& config, const std::string& key, const std::string& fallback) {
  auto it = config.find(key);
  return it == config.end() ? fallback : it->second;
}

constexpr const char* kChecksumPrefix = "checksum.";

bool truthy(const std::string& v) { return v == "true" || v == "1" || v == "yes" || v == "on"; }

std::shared_ptr<data::Tokenizer> load_tokenizer(const std::string& dir, const std::string& side, bool shared,
                                                const std::string& type_name) {
  data::TokenizerType type = data::parse_tokenizer_type(type_name);
  if (type != data::TokenizerType::Spm) return data::make_simple_tokenizer(type);
  return data::SpmTokenizer::load(join_path(dir, spm_file_name(side, shared)));
}

void check_side(const std::string& dir, const std::string& side, bool shared, const data::Vocab& vocab,
                const data::Tokenizer& tokenizer, std::int64_t expected_size) {
  std::string vocab_path = join_path(dir, vocab_file_name(side, shared));
  S2S_CHECK(vocab.size() == expected_size, vocab_path, " has ", vocab.size(), " tokens, ", join_path(dir, kConfigFile),
            " says model.", side, "_vocab_size ", expected_size);
  if (const auto* spm = dynamic_cast<const data::SpmTokenizer*>(&tokenizer))
    data::check_vocab_matches_spm(vocab, *spm, vocab_path, join_path(dir, spm_file_name(side, shared)));
}

}  // namespace

std::string vocab_file_name(const std::string& side, bool shared) { return shared ? "shared.vocab" : side + ".vocab"; }

std::string spm_file_name(const std::string& side, bool shared) {
  return shared ? std::string(data::kSpmModelFile) : side + ".spm.model";
}

void write_model_files(const std::string& dir, const std::map<std::string, std::string>& config, const Vocabularies& v) {
  make_dirs(dir);
  write_yaml_config(join_path(dir, kConfigFile), config, "s2s model configuration (the effective options of the training run)");
  auto write_side = [&](const std::string& side, const data::Vocab& vocab, const data::Tokenizer& tokenizer) {
    vocab.save(join_path(dir, vocab_file_name(side, v.shared)));
    if (const auto* spm = dynamic_cast<const data::SpmTokenizer*>(&tokenizer)) spm->save(join_path(dir, spm_file_name(side, v.shared)));
  };
  write_side("src", *v.src_vocab, *v.src_tokenizer);
  if (!v.shared) write_side("tgt", *v.tgt_vocab, *v.tgt_tokenizer);
}

void write_model_weights(const std::string& dir, models::EncoderDecoder& model, const Vocabularies& vocabularies,
                         const Metadata& metadata) {
  auto params = model.parameters();
  Metadata meta = metadata;
  meta["format"] = "s2s";
  for (const auto& [k, v] : vocab_checksums(vocabularies)) meta[k] = v;
  save_parameters(join_path(dir, kWeightsFile), params, meta);
}

Metadata vocab_checksums(const Vocabularies& v) {
  auto checksum = [](const data::Vocab& vocab) {
    std::uint64_t h = 14695981039346656037ull;  // FNV-1a 64
    auto add = [&](unsigned char c) { h = (h ^ c) * 1099511628211ull; };
    for (std::int32_t id = 0; id < vocab.size(); ++id) {
      for (char c : vocab.token(id)) add(static_cast<unsigned char>(c));
      add(0);  // separator: tokens never hold a NUL
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return std::string(hex);
  };
  Metadata out;
  out[kChecksumPrefix + vocab_file_name("src", v.shared)] = checksum(*v.src_vocab);
  if (!v.shared) out[kChecksumPrefix + vocab_file_name("tgt", false)] = checksum(*v.tgt_vocab);
  return out;
}

void check_vocab_checksums(const std::string& dir, const Metadata& weights_metadata, const Vocabularies& v) {
  for (const auto& [key, value] : vocab_checksums(v)) {
    auto it = weights_metadata.find(key);
    if (it == weights_metadata.end()) continue;  // written before checksums existed
    const std::string file = key.substr(std::string(kChecksumPrefix).size());
    S2S_CHECK(it->second == value, join_path(dir, file), ": does not match the vocabulary ", kWeightsFile,
              " was trained with (checksum ", value, ", the weights expect ", it->second,
              "): the file was edited or comes from another model, so ids would map to the wrong tokens");
  }
}

Vocabularies load_vocabularies(const std::string& dir, const std::map<std::string, std::string>& config) {
  Vocabularies v;
  v.shared = truthy(get(config, "data.shared_vocab", "false"));
  std::string src_type = get(config, "data.src_tokenizer", "char"), tgt_type = get(config, "data.tgt_tokenizer", "char");
  models::ModelConfig mc = model_config_from(config, join_path(dir, kConfigFile));
  v.src_tokenizer = load_tokenizer(dir, "src", v.shared, src_type);
  v.src_vocab = std::make_shared<data::Vocab>(data::Vocab::load(join_path(dir, vocab_file_name("src", v.shared))));
  if (v.shared) {
    S2S_CHECK(src_type == tgt_type, join_path(dir, kConfigFile), ": data.shared_vocab needs one tokenizer, got ", src_type,
              " and ", tgt_type);
    v.tgt_tokenizer = v.src_tokenizer;
    v.tgt_vocab = v.src_vocab;
  } else {
    v.tgt_tokenizer = load_tokenizer(dir, "tgt", false, tgt_type);
    v.tgt_vocab = std::make_shared<data::Vocab>(data::Vocab::load(join_path(dir, vocab_file_name("tgt", false))));
  }
  check_side(dir, "src", v.shared, *v.src_vocab, *v.src_tokenizer, mc.src_vocab_size);
  check_side(dir, "tgt", v.shared, *v.tgt_vocab, *v.tgt_tokenizer, mc.tgt_vocab_size);
  return v;
}

std::map<std::string, std::string> read_model_config(const std::string& dir) {
  S2S_CHECK(std::filesystem::is_directory(dir), dir, ": not a model directory (it does not exist or is not a directory)");
  std::string path = join_path(dir, kConfigFile);
  S2S_CHECK(file_exists(path), dir, ": not a model directory (no ", kConfigFile, ")");
  ConfigFile file = read_yaml_config(path);
  // The same keys and values `s2s train` accepts: a misspelt or foreign key
  // would otherwise be ignored and the model run with a default.
  try {
    train::run_config_from_map(file.values);
  } catch (const Error& e) {
    fail(path, ": ", one_line(e.what()));  // it may quote a value holding a line end
  }
  return file.values;
}

models::ModelConfig model_config_from(const std::map<std::string, std::string>& config, const std::string& origin) {
  models::ModelConfig mc;
  std::map<std::string, std::string> model_keys;
  for (const auto& [k, v] : config)
    if (k.rfind("model.", 0) == 0) model_keys[k.substr(6)] = v;
  try {
    mc = models::config_from_map(model_keys);
  } catch (const Error& e) {
    fail(origin, ": ", one_line(e.what()));
  }
  return mc;
}

ModelDir load_model_dir(const std::string& path, kernels::ComputeType compute) {
  ModelDir d;
  d.path = path;
  d.config = read_model_config(path);
  d.model_config = model_config_from(d.config, join_path(path, kConfigFile));
  d.vocab = load_vocabularies(path, d.config);
  std::string weights = join_path(path, kWeightsFile);
  S2S_CHECK(file_exists(weights), path, ": no ", kWeightsFile, " (training has not saved a model yet)");
  Rng rng(0);  // the initial values are overwritten by the file's
  // The weights file bounds the model: a config.yaml whose sizes ask for far
  // more (a digit too many) fails here, before gigabytes are mapped and filled.
  // (4x: a file of bf16 or int8 weights may become a model of f32 ones.)
  std::error_code ec;
  const std::uintmax_t weights_bytes = std::filesystem::file_size(weights, ec);
  try {
    AllocationLimit limit(4 * (ec ? 0 : weights_bytes) + (std::size_t{256} << 20));
    d.model = models::build_model(d.model_config, rng);
  } catch (const Error& e) {
    fail(join_path(path, kConfigFile), ": cannot build the model it describes (", e.what(), "); ", kWeightsFile, " holds ",
         weights_bytes, " bytes: is a model.* size wrong?");
  } catch (const std::bad_alloc&) {
    fail(join_path(path, kConfigFile), ": the model it describes does not fit in memory; ", kWeightsFile, " holds ",
         weights_bytes, " bytes: is a model.* size wrong?");
  }
  auto params = d.model->parameters();
  {
    SafetensorsFile file = load_safetensors(weights);
    d.storage = stored_type(file.metadata, weights);
    d.compute_type = kernels::resolve_compute_type(compute, d.storage);
    assign_stored_parameters(file, weights, params, d.compute_type);
    d.weights_metadata = std::move(file.metadata);
  }  // the file's tensors are released here, except those the model now holds
  check_vocab_checksums(path, d.weights_metadata, d.vocab);
  if (d.compute_type == kernels::ComputeType::Int8) {
    nn::hold_in_int8(params);
    // The dropped fp32 weights filled whole arenas (allocated together when the
    // model was built): hand them back, so the resident set shrinks.
    Allocator::for_device(kCPU).empty_cache();
  } else if (d.compute_type == kernels::ComputeType::Bf16) {
    nn::round_to_bf16(params);
  }
  return d;
}

}  // namespace s2s::io
