#include "s2s/cli/decode_options.h"

#include "s2s/core/error.h"
#include "s2s/core/parallel.h"
#include "s2s/io/quantized_model.h"
#include "s2s/kernels/cpu_isa.h"

namespace s2s::cli {

std::vector<std::string> take_repeated(std::vector<std::string>& args, std::initializer_list<std::string_view> names) {
  std::vector<std::string> values, rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool taken = false;
    for (std::string_view n : names) {
      if (a == n) {
        S2S_CHECK(i + 1 < args.size() && (args[i + 1] == "-" || !args[i + 1].starts_with("-")), "option ", a,
                  " expects a value");
        values.push_back(args[++i]);
        taken = true;
      } else if (a.size() > n.size() && a.starts_with(n) && a[n.size()] == '=') {
        values.push_back(a.substr(n.size() + 1));
        taken = true;
      }
      if (taken) break;
    }
    if (!taken) rest.push_back(a);
  }
  args = std::move(rest);
  return values;
}

void add_decode_options(Args& args) {
  args.add_int("beam", 5, "beam size (1: greedy search)")
      .add_int("n-best", 1, "hypotheses per sentence (at most the beam size; samples with --sampling)")
      .add_int("batch", 32, "sentences decoded together")
      .add_int("max-length", 256, "longest output in tokens")
      .add_float("max-length-ratio", 2.0, "also at most RATIO * source length + --max-length-extra tokens (0: off)")
      .add_int("max-length-extra", 10, "added to the ratio limit")
      .add_int("min-length", 0, "shortest output in tokens")
      .add_float("min-length-ratio", 0.0, "also at least RATIO * source length tokens")
      .add_choice("length-penalty", {"none", "average", "gnmt"}, std::string("average"),
                  "how finished hypotheses are scored: log-probability, per token, or GNMT's ((5+n)/6)^alpha")
      .add_float("alpha", 0.6, "GNMT length penalty exponent")
      .add_float("coverage-penalty", 0.0, "GNMT coverage penalty weight beta (needs attention)")
      .add_int("no-repeat-ngram", 0, "never repeat an n-gram of this order in an output (0: off)")
      .add_flag("sampling", "sample outputs instead of searching (see --temperature, --top-k, --top-p, --seed)")
      .add_float("temperature", 1.0, "sampling temperature")
      .add_int("top-k", 0, "sample among the K most probable tokens (0: all)")
      .add_float("top-p", 1.0, "sample among the most probable tokens whose mass reaches P (1: all)")
      .add_int("seed", 0, "sampling seed (a sentence's samples depend on it and its line number only)")
      .add_flag("replace-unk", "replace <unk> outputs with the most attended source token")
      .add_string("phrase-table", "FILE", std::string(), "with --replace-unk: 'source ||| target' lines to map them")
      .add_string("compute-type", "TYPE", std::string("auto"),
                  "fp32, int8, bf16 or auto (the type the model is stored in: int8 after s2s quantize --to int8, "
                  "else fp32): the number type of the products; a comma list gives one per -m (docs/precision.md)")
      .add_int("threads", 0, "threads (0: all cores)");
}

std::vector<kernels::ComputeType> read_compute_types(const std::string& command, const std::string& text,
                                                     const std::vector<std::string>& model_dirs) {
  const std::size_t models = model_dirs.size();
  std::vector<kernels::ComputeType> types;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    types.push_back(kernels::parse_compute_type(text.substr(start, comma - start), command + ": --compute-type"));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  S2S_CHECK(types.size() == 1 || types.size() == models, command, ": --compute-type lists ", types.size(),
            " types for ", models, " models (give one for all, or one per -m)");
  if (types.size() == 1) types.assign(models, types[0]);
  for (std::size_t m = 0; m < models; ++m) {
    kernels::ComputeType& t = types[m];
    if (t == kernels::ComputeType::Auto) t = kernels::resolve_compute_type(t, io::stored_type_of_dir(model_dirs[m]));
    if (t == kernels::ComputeType::Int8) {
      try {
        kernels::active_cpu_isa();
      } catch (const Error& e) {
        fail(command, ": --compute-type int8: ", e.what());
      }
    }
  }
  return types;
}

const std::vector<std::string>& decode_option_names() {
  static const std::vector<std::string> names = {
      "beam", "n-best", "batch", "max-length", "max-length-ratio", "max-length-extra", "min-length",
      "min-length-ratio", "length-penalty", "alpha", "coverage-penalty", "no-repeat-ngram", "sampling",
      "temperature", "top-k", "top-p", "seed", "replace-unk", "phrase-table", "compute-type", "threads"};
  return names;
}

search::TranslatorOptions read_decode_options(const std::string& command, const Args& args) {
  search::TranslatorOptions t;
  search::SearchOptions& o = t.search;
  o.beam_size = args.get_int("beam");
  o.n_best = args.get_int("n-best");
  o.max_length = args.get_int("max-length");
  o.max_length_ratio = static_cast<float>(args.get_float("max-length-ratio"));
  o.max_length_extra = args.get_int("max-length-extra");
  o.min_length = args.get_int("min-length");
  o.min_length_ratio = static_cast<float>(args.get_float("min-length-ratio"));
  o.length_norm = search::parse_length_norm(args.get_string("length-penalty"));
  o.alpha = static_cast<float>(args.get_float("alpha"));
  o.coverage_beta = static_cast<float>(args.get_float("coverage-penalty"));
  o.no_repeat_ngram = args.get_int("no-repeat-ngram");
  o.sampling = args.get_flag("sampling");
  o.temperature = static_cast<float>(args.get_float("temperature"));
  o.top_k = args.get_int("top-k");
  o.top_p = static_cast<float>(args.get_float("top-p"));
  S2S_CHECK(args.get_int("seed") >= 0, command, ": --seed must be >= 0");
  o.seed = static_cast<std::uint64_t>(args.get_int("seed"));
  if (o.sampling) {
    S2S_CHECK(!args.given("beam"), command, ": --sampling draws independent samples; it takes no --beam");
    o.beam_size = 1;
  } else {
    for (const char* name : {"temperature", "top-k", "top-p", "seed"})
      S2S_CHECK(!args.given(name), command, ": --", name, " applies only with --sampling");
  }
  S2S_CHECK(o.length_norm == search::LengthNorm::Gnmt || !args.given("alpha"), command,
            ": --alpha applies only with --length-penalty gnmt");
  t.batch_size = args.get_int("batch");
  t.replace_unk = args.get_flag("replace-unk");
  S2S_CHECK(t.replace_unk || args.get_string("phrase-table").empty(), command,
            ": --phrase-table applies only with --replace-unk");
  try {
    search::validate(o);
  } catch (const Error& e) {
    fail(command, ": ", e.what());
  }
  S2S_CHECK(t.batch_size >= 1, command, ": --batch must be at least 1, got ", t.batch_size);
  S2S_CHECK(args.get_int("threads") >= 0, command, ": --threads must be >= 0 (0: all cores), got ", args.get_int("threads"));
  return t;
}

namespace {

bool truthy(const std::map<std::string, std::string>& config, const std::string& key) {
  auto it = config.find(key);
  return it != config.end() && (it->second == "true" || it->second == "1" || it->second == "yes" || it->second == "on");
}

}  // namespace

bool models_have_attention(const std::vector<std::string>& model_dirs) {
  for (const std::string& dir : model_dirs) {
    if (!models::has_alignments(io::model_config_from(io::read_model_config(dir), dir))) return false;
  }
  return true;
}

Decoder make_decoder(const std::string& command, const std::vector<std::string>& model_dirs, const Args& args,
                     bool alignments, bool keep_attention) {
  S2S_CHECK(!model_dirs.empty(), command, ": missing required option -m MODEL_DIR (a model directory; repeat for an ensemble)");
  search::TranslatorOptions options = read_decode_options(command, args);
  if (args.get_int("threads") > 0) set_num_threads(static_cast<int>(args.get_int("threads")));
  options.alignments = alignments;
  options.keep_attention = keep_attention;
  const bool needs_attention = alignments || keep_attention || options.replace_unk || options.search.coverage_beta > 0.0f;
  S2S_CHECK(!needs_attention || models_have_attention(model_dirs), command,
            ": alignments, attention plots, --replace-unk and --coverage-penalty need models with attention");
  Decoder d;
  if (!args.get_string("phrase-table").empty())
    d.phrase_table = std::make_unique<search::PhraseTable>(search::PhraseTable::load(args.get_string("phrase-table")));
  options.phrase_table = d.phrase_table.get();
  const std::vector<kernels::ComputeType> types = read_compute_types(command, args.get_string("compute-type"), model_dirs);
  for (std::size_t m = 0; m < model_dirs.size(); ++m) d.models.push_back(io::load_model_dir(model_dirs[m], types[m]));
  d.translator = std::make_unique<search::Translator>(model_codecs(d.models, types), options);
  return d;
}

std::vector<search::ModelCodec> model_codecs(const std::vector<io::ModelDir>& models,
                                             const std::vector<kernels::ComputeType>& types) {
  S2S_CHECK(types.empty() || types.size() == models.size(), "model_codecs: one compute type per model");
  std::vector<search::ModelCodec> codecs;
  for (const io::ModelDir& m : models)
    codecs.push_back({m.model.get(), m.vocab.src_tokenizer.get(), m.vocab.src_vocab.get(), m.vocab.tgt_tokenizer.get(),
                      m.vocab.tgt_vocab.get(), truthy(m.config, "data.src_eos"),
                      types.empty() ? m.compute_type : types[codecs.size()]});
  return codecs;
}

}  // namespace s2s::cli
