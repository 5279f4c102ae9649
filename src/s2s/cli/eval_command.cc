// s2s eval: scores hypotheses against references (BLEU and chrF exactly as
// sacreBLEU, WER/SER/PER), either from files or by first translating a test
// set with a model (then also perplexity on the first reference).
#include <chrono>
#include <cmath>
#include <cstdio>

#include "s2s/cli/args.h"
#include "s2s/cli/commands.h"
#include "s2s/cli/decode_options.h"
#include "s2s/cli/text_io.h"
#include "s2s/core/error.h"
#include "s2s/data/file_util.h"
#include "s2s/data/multi_ref.h"
#include "s2s/metrics/evaluate.h"
#include "s2s/metrics/format.h"
#include "s2s/metrics/perplexity.h"

namespace s2s::cli {

namespace {

std::vector<std::string> read_lines(const std::string& path) {
  InputLines in(path);
  std::vector<std::string> out;
  std::string line;
  while (in.next(line)) out.push_back(line);
  return out;
}

// Splits off "ppl" (model-only) from the list the metrics library takes.
bool take_ppl(std::string& csv) {
  std::string rest;
  bool ppl = false;
  std::size_t start = 0;
  while (start <= csv.size()) {
    std::size_t comma = csv.find(',', start);
    if (comma == std::string::npos) comma = csv.size();
    std::string name = csv.substr(start, comma - start);
    std::string bare;
    for (char c : name)
      if (c != ' ') bare += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (bare == "ppl" || bare == "perplexity") ppl = true;
    else rest += (rest.empty() ? "" : ",") + name;
    start = comma + 1;
  }
  csv = rest;
  return ppl;
}

void print_scores(const std::vector<metrics::MetricScore>& scores) {
  for (const metrics::MetricScore& s : scores) std::printf("%s\n", s.line.c_str());
}

int eval_files(const Args& args, const std::vector<std::string>& ref_paths, const std::string& metric_csv) {
  S2S_CHECK(!ref_paths.empty(), "s2s eval: --hyp needs at least one --ref FILE");
  std::string csv = metric_csv;
  S2S_CHECK(!take_ppl(csv), "s2s eval: perplexity needs a model (-m MODEL --test FILE)");
  std::vector<std::string> metric_names = metrics::parse_metric_list(csv);
  std::vector<std::string> hyps = read_lines(args.get_string("hyp"));
  std::vector<std::vector<std::string>> refs;
  for (const std::string& p : ref_paths) {
    refs.push_back(read_lines(p));
    S2S_CHECK(refs.back().size() == hyps.size(), "s2s eval: ", p, " has ", refs.back().size(), " lines, ",
              args.get_string("hyp"), " has ", hyps.size());
  }
  print_scores(metrics::evaluate(hyps, refs, metric_names));
  return 0;
}

int eval_model(const Args& args, const std::vector<std::string>& model_dirs, const std::string& metric_csv) {
  std::string csv = metric_csv;
  const bool ppl = take_ppl(csv);
  std::vector<std::string> metric_names = csv.empty() ? std::vector<std::string>{} : metrics::parse_metric_list(csv);
  S2S_CHECK(ppl || !metric_names.empty(), "s2s eval: --metrics names no metric");
  data::MultiRefOptions ro;
  const std::string sep = args.get_string("ref-separator");
  S2S_CHECK(sep == "tab" || sep.size() == 1, "s2s eval: --ref-separator expects 'tab' or one character, got '", sep, "'");
  ro.ref_separator = sep == "tab" ? '\t' : sep[0];
  const data::CorpusSpec test_spec = data::CorpusSpec::parse(args.get_string("test"));
  std::vector<data::NamedPath> inputs;
  for (const std::string& p : test_spec.paths) inputs.push_back({"--test", p});
  data::check_output_is_not_input("s2s eval", {"--output", args.get_string("output")}, inputs);
  std::vector<data::MultiRefPair> test = data::read_multi_ref(test_spec, ro);
  S2S_CHECK(!test.empty(), "s2s eval: ", args.get_string("test"), " holds no pairs");
  Decoder decoder = make_decoder("s2s eval", model_dirs, args, false, false);

  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> sources, hyps;
  for (const data::MultiRefPair& p : test) sources.push_back(p.src);
  const auto chunk = static_cast<std::size_t>(16 * decoder.translator->options().batch_size);
  for (std::size_t i = 0; i < sources.size(); i += chunk) {
    std::span<const std::string> part(sources.data() + i, std::min(chunk, sources.size() - i));
    for (search::Translation& t : decoder.translator->translate(part, static_cast<std::int64_t>(i))) {
      S2S_CHECK(t.error.empty(), "s2s eval: ", args.get_string("test"), ": pair ", t.id + 1, ": ", t.error);
      hyps.push_back(std::move(t.hypotheses.at(0).text));
    }
  }
  if (!args.get_string("output").empty()) {
    OutputText out(args.get_string("output"));
    for (const std::string& h : hyps) out.write(h + "\n");
    out.close();
  }
  if (!metric_names.empty()) {
    metrics::Evaluator ev(metric_names);
    for (std::size_t i = 0; i < test.size(); ++i) ev.add(hyps[i], test[i].refs);
    print_scores(ev.scores());
  }
  if (ppl) {
    std::vector<std::string> first_refs;
    for (const data::MultiRefPair& p : test) first_refs.push_back(p.refs.at(0));
    metrics::Perplexity pp;
    std::vector<search::ForcedScore> scores;
    try {
      scores = decoder.translator->score(sources, first_refs);
    } catch (const Error& e) {
      fail("s2s eval: ", args.get_string("test"), ": ", e.what());
    }
    for (const search::ForcedScore& s : scores) pp.add(-s.log_prob, s.tokens);
    std::printf("PPL = %s (%lld tokens of the first reference, </s> included)\n", metrics::fixed(pp.value(), 3).c_str(),
                static_cast<long long>(pp.tokens()));
  }
  if (args.get_flag("verbose")) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "s2s eval: %zu sentences in %.3f s (%.1f sentences/s)\n", test.size(), secs,
                 secs > 0 ? static_cast<double>(test.size()) / secs : 0.0);
  }
  return 0;
}

}  // namespace

int eval_command(std::span<const std::string> argv) {
  std::vector<std::string> rest(argv.begin(), argv.end());
  std::vector<std::string> model_dirs = take_repeated(rest, {"-m", "--model"});
  std::vector<std::string> refs = take_repeated(rest, {"--ref"});
  Args args("s2s eval",
            "Scores hypotheses against references:\n"
            "  s2s eval --hyp out.txt --ref ref.txt [--ref ref2.txt ...] [--metrics bleu,chrf,wer,per]\n"
            "or translates a test set first and scores the translations:\n"
            "  s2s eval -m MODEL_DIR [-m MODEL2 ...] --test test.tsv [--metrics bleu,chrf,ppl] [decoding options]\n"
            "Metrics: bleu, chrf, chrf++, wer, ser, per (sacreBLEU-compatible BLEU/chrF); ppl with a model.\n"
            "  -m, --model DIR  model directory (repeat for an ensemble)\n"
            "  --ref FILE       reference file, line by line with --hyp (repeat for several references)");
  args.add_string("hyp", "FILE", std::string(), "hypotheses, one per line ('-': stdin)")
      .add_string("test", "FILE", std::string(),
                  "test set: source<TAB>ref[<TAB>ref2...] per line, or SRC,REF[,REF2...] parallel files")
      .add_string("ref-separator", "CHAR", std::string("tab"), "with --test TSV: what separates references ('tab' or a character such as '|')")
      .add_string("metrics", "LIST", std::string("bleu,chrf"), "comma-separated metrics")
      .add_string("output", "FILE", std::string(), "with -m: also write the translations here")
      .add_flag("verbose", "with -m: report decoding speed on stderr");
  add_decode_options(args);
  if (!args.parse(rest)) {
    std::printf("%s", args.help().c_str());
    return 0;
  }
  const bool files = args.given("hyp"), model = !model_dirs.empty() || args.given("test");
  S2S_CHECK(files != model, "s2s eval: give either --hyp FILE --ref FILE, or -m MODEL_DIR --test FILE");
  if (files) {
    for (const char* o : {"output", "verbose", "ref-separator"})
      S2S_CHECK(!args.given(o), "s2s eval: --", o, " applies only with -m MODEL --test FILE");
    for (const std::string& o : decode_option_names())
      S2S_CHECK(!args.given(o), "s2s eval: --", o, " is a decoding option: it applies only with -m MODEL --test FILE");
    return eval_files(args, refs, args.get_string("metrics"));
  }
  S2S_CHECK(refs.empty(), "s2s eval: --ref applies to --hyp; with --test the references are in the test set");
  S2S_CHECK(!model_dirs.empty() && args.given("test"), "s2s eval: -m MODEL_DIR and --test FILE go together");
  return eval_model(args, model_dirs, args.get_string("metrics"));
}

}  // namespace s2s::cli
