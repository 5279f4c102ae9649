// s2s vocab: builds a vocabulary file (and for spm a SentencePiece model)
// from a training corpus.
#include <cstdio>

#include "s2s/cli/args.h"
#include "s2s/cli/commands.h"
#include "s2s/core/error.h"
#include "s2s/data/file_util.h"
#include "s2s/data/spm_tokenizer.h"
#include "s2s/data/vocab_build.h"

namespace s2s::cli {

int vocab_command(std::span<const std::string> argv) {
  Args args("s2s vocab", "Builds a vocabulary from a corpus (TSV source<TAB>target, or SOURCE,TARGET parallel files;\n"
                         "plain or gzip). Writes token<TAB>count lines; reserved ids <pad>=0 <s>=1 </s>=2 <unk>=3.\n"
                         "With --type spm, also trains a SentencePiece model, written to OUTPUT.spm.");
  args.add_choice("type", {"char", "word", "spm"}, std::nullopt, "tokenizer the vocabulary is for")
      .add_string("input", "FILE", std::nullopt, "training corpus: FILE.tsv or SOURCE,TARGET")
      .add_choice("side", {"src", "tgt", "both"}, std::string("both"), "side(s) to read; both gives a shared vocabulary")
      .add_string("output", "PATH", std::nullopt, "vocabulary file to write")
      .add_int("size", 0, "maximum size, reserved tokens included (0: no limit; spm: 8000)")
      .add_int("min-freq", 1, "leave out tokens seen fewer times (char and word)")
      .add_choice("model-type", {"unigram", "bpe"}, std::string("unigram"), "SentencePiece model type (spm)")
      .add_int("max-line-bytes", 1 << 20, "lines longer than this are skipped")
      .add_flag("strict", "make skipped lines (empty sentences, over-long lines) errors");
  if (!args.parse(argv)) {
    std::printf("%s", args.help().c_str());
    return 0;
  }

  data::VocabBuildOptions o;
  o.type = data::parse_tokenizer_type(args.get_string("type"));
  o.side = data::parse_side(args.get_string("side"));
  o.strict = args.get_flag("strict");
  std::int64_t size = args.get_int("size"), min_freq = args.get_int("min-freq"), line_bytes = args.get_int("max-line-bytes");
  S2S_CHECK(size >= 0 && size <= INT32_MAX, "s2s vocab: --size must be between 0 and 2^31-1, got ", size);
  S2S_CHECK(min_freq >= 1, "s2s vocab: --min-freq must be at least 1, got ", min_freq);
  S2S_CHECK(line_bytes >= 1, "s2s vocab: --max-line-bytes must be at least 1, got ", line_bytes);
  o.lines.max_line_bytes = static_cast<std::size_t>(line_bytes);
  bool spm = o.type == data::TokenizerType::Spm;
  if (spm) {
    S2S_CHECK(!args.given("min-freq"), "s2s vocab: --min-freq does not apply to --type spm (use --size)");
    o.spm.model_type = args.get_string("model-type");
    o.spm.vocab_size = size ? static_cast<int>(size) : 8000;
    o.spm.size_option = "--size";
  } else {
    S2S_CHECK(!args.given("model-type"), "s2s vocab: --model-type applies only to --type spm");
    o.limits.max_size = static_cast<std::int32_t>(size);
    o.limits.min_freq = static_cast<std::uint64_t>(min_freq);
  }

  data::CorpusSpec corpus = data::CorpusSpec::parse(args.get_string("input"));
  std::string output = args.get_string("output");
  std::vector<data::NamedPath> inputs;
  for (const std::string& p : corpus.paths) inputs.push_back({"--input", p});
  data::check_output_is_not_input("s2s vocab", {"--output", output}, inputs);
  if (spm) data::check_output_is_not_input("s2s vocab", {"--output's SentencePiece model", data::spm_model_path_for(output)}, inputs);
  data::VocabBuildResult r = data::build_vocab(corpus, o);
  for (const std::string& w : r.skips.warnings()) std::fprintf(stderr, "s2s: warning: %s\n", w.c_str());

  const data::VocabReport& rep = r.report;
  double coverage = rep.occurrences ? 100.0 * static_cast<double>(rep.covered) / static_cast<double>(rep.occurrences) : 0;
  // Both files or neither: a model without its vocabulary is of no use (a full disk).
  const std::string model_path = spm ? data::spm_model_path_for(output) : std::string();
  if (spm) r.spm->save(model_path);
  try {
    r.vocab.save(output);
  } catch (const Error&) {
    if (spm) std::remove(model_path.c_str());
    throw;
  }
  if (spm) {
    std::fprintf(stderr, "s2s vocab: trained a %s SentencePiece model of %d pieces on %llu sentences: %s\n",
                 o.spm.model_type.c_str(), r.spm->piece_count(), static_cast<unsigned long long>(r.sentences),
                 model_path.c_str());
  } else {
    std::string dropped;
    if (rep.below_min_freq) dropped += ", " + std::to_string(rep.below_min_freq) + " below --min-freq " + std::to_string(min_freq);
    if (rep.over_max_size) dropped += ", " + std::to_string(rep.over_max_size) + " over --size " + std::to_string(size);
    std::fprintf(stderr, "s2s vocab: %llu sentences, %llu distinct tokens, kept %llu%s\n",
                 static_cast<unsigned long long>(r.sentences), static_cast<unsigned long long>(rep.distinct),
                 static_cast<unsigned long long>(rep.kept), dropped.c_str());
  }
  std::fprintf(stderr, "s2s vocab: wrote %s: %d tokens (4 reserved), covering %.2f%% of %llu token occurrences\n",
               output.c_str(), r.vocab.size(), coverage, static_cast<unsigned long long>(rep.occurrences));
  return 0;
}

}  // namespace s2s::cli
