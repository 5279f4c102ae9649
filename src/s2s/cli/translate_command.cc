// s2s translate: decodes text with one model directory or an ensemble of
// several. Input is read in chunks; each chunk is sorted by length, decoded
// in batches and written in input order as soon as it is done, so output
// starts before the input ends.
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "s2s/cli/args.h"
#include "s2s/cli/commands.h"
#include "s2s/cli/decode_options.h"
#include "s2s/cli/interrupt.h"
#include "s2s/cli/text_io.h"
#include "s2s/core/error.h"
#include "s2s/data/file_util.h"
#include "s2s/search/attention_svg.h"
#include "s2s/search/output_format.h"

namespace s2s::cli {

namespace {

// "plots/out.svg" -> "plots/out.<id>.svg"; "{id}" in the path is replaced instead.
std::string plot_path(const std::string& pattern, std::int64_t id) {
  const std::string n = std::to_string(id);
  if (std::size_t at = pattern.find("{id}"); at != std::string::npos) return pattern.substr(0, at) + n + pattern.substr(at + 4);
  std::size_t slash = pattern.find_last_of('/'), dot = pattern.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return pattern + "." + n + ".svg";
  return pattern.substr(0, dot) + "." + n + pattern.substr(dot);
}

// `files`: the input and output, which a plot must not overwrite.
void write_plot(const std::string& pattern, const search::Translation& t, std::span<const data::NamedPath> files) {
  if (t.hypotheses.empty() || t.hypotheses[0].attention.empty()) return;  // an empty input has nothing to plot
  const search::TranslatedHypothesis& h = t.hypotheses[0];
  std::vector<std::string> out = h.tokens;
  out.emplace_back("</s>");
  const std::string path = plot_path(pattern, t.id);
  data::check_output_is_not_input("s2s translate", {"--attention-plot", path}, files);
  if (auto parent = std::filesystem::path(path).parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    S2S_CHECK(!ec, "s2s translate: --attention-plot ", pattern, ": cannot create the folder ", parent.string(), " (",
              ec.message(), ")");
  }
  try {
    write_text_file(path,
                    search::attention_svg(t.src_tokens, out, h.attention, "sentence " + std::to_string(t.id) + ": " + h.text));
  } catch (const Error& e) {
    fail("s2s translate: --attention-plot ", pattern, ": ", e.what());
  }
}

}  // namespace

int translate_command(std::span<const std::string> argv) {
  std::vector<std::string> rest(argv.begin(), argv.end());
  std::vector<std::string> model_dirs = take_repeated(rest, {"-m", "--model"});
  Args args("s2s translate",
            "Translates text with a model directory (-m DIR), or an ensemble (-m DIR1 -m DIR2 ...: log-probabilities\n"
            "averaged). Reads one sentence per line; writes one line per input line (text), n-best lines\n"
            "'id ||| hypothesis ||| score' (nbest) or one JSON object per line (json). See docs/decoding.md.\n"
            "  -m, --model DIR  model directory (required; repeat for an ensemble)");
  args.add_string("input", "FILE", std::string("-"), "input text, plain or gzip ('-': stdin)")
      .add_string("output", "FILE", std::string("-"), "output ('-': stdout)")
      .add_choice("format", {"text", "nbest", "json"}, std::string("text"), "output format")
      .add_flag("alignments", "add hard alignments 'i-j' (source i, output j) to each output")
      .add_flag("json-attention", "with --format json: include the soft attention matrices")
      .add_string("attention-plot", "PATH", std::string(),
                  "write an SVG attention heatmap per sentence to PATH with the line number before the extension "
                  "(or in place of {id})")
      .add_int("chunk", 0, "lines read before decoding (sorted by length within; 0: 16 x --batch)")
      .add_flag("skip-bad-lines",
                "translate an input line that is not UTF-8 (or over 1 MiB) as an empty line, report it on stderr and go on "
                "(default: stop there)")
      .add_flag("verbose", "report speed (sentences/s, tokens/s) on stderr");
  add_decode_options(args);
  if (!args.parse(rest)) {
    std::printf("%s", args.help().c_str());
    return 0;
  }
  search::FormatOptions format;
  format.format = search::parse_output_format(args.get_string("format"));
  format.json_attention = args.get_flag("json-attention");
  S2S_CHECK(!format.json_attention || format.format == search::OutputFormat::Json,
            "s2s translate: --json-attention applies only with --format json");
  const std::string plot = args.get_string("attention-plot");
  format.alignments = args.get_flag("alignments") ||
                      (format.format == search::OutputFormat::Json && models_have_attention(model_dirs));
  Decoder decoder = make_decoder("s2s translate", model_dirs, args, format.alignments,
                                 format.json_attention || !plot.empty());
  std::int64_t chunk = args.get_int("chunk");
  S2S_CHECK(chunk >= 0, "s2s translate: --chunk must be >= 0");
  if (chunk == 0) chunk = 16 * decoder.translator->options().batch_size;
  const bool verbose = args.get_flag("verbose");

  const std::string input_path = args.get_string("input"), output_path = args.get_string("output");
  const data::NamedPath files[] = {{"--input", input_path}, {"--output", output_path}};
  data::check_output_is_not_input("s2s translate", files[1], std::span(files, 1));
  const bool skip_bad = args.get_flag("skip-bad-lines");
  InputLines input(input_path);
  OutputText output(output_path);
  InterruptScope interrupts;  // Ctrl-C: stop after the chunk being decoded, its lines written
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> lines;
  std::int64_t first_id = 0, skipped = 0;
  // What stops the run once the lines before it are translated and written: a
  // bad line without --skip-bad-lines, or input that cannot be read (a cut gzip).
  std::string bad, unreadable;
  for (bool more = true; more && bad.empty() && unreadable.empty() && !InterruptScope::signal();) {
    lines.clear();
    std::string line, problem;
    while (static_cast<std::int64_t>(lines.size()) < chunk) {
      try {
        more = input.next(line, &problem);
      } catch (const Error& e) {
        unreadable = e.what();
        break;
      }
      if (!more || InterruptScope::signal()) break;
      if (!problem.empty() && !skip_bad) {
        bad = problem;
        break;
      }
      if (!problem.empty()) {
        std::fprintf(stderr, "s2s translate: warning: %s: translated as an empty line\n", problem.c_str());
        ++skipped;
      }
      lines.push_back(line);
    }
    if (lines.empty() || InterruptScope::signal()) break;  // lines read but not decoded are dropped
    try {
      for (const search::Translation& t : decoder.translator->translate(lines, first_id)) {
        if (!t.error.empty()) {
          output.flush();  // the lines before it stay written
          fail("s2s translate: ", input.name(), ": input line ", t.id + 1, ": ", t.error);
        }
        output.write(search::format_translation(t, format));
        if (!plot.empty()) write_plot(plot, t, files);
      }
      output.flush();
    } catch (const OutputWriteError& e) {
      fail("s2s translate: ", e.what(), "; it holds the translations of the first ", first_id, " lines");
    }
    first_id += static_cast<std::int64_t>(lines.size());
  }
  if (InterruptScope::signal()) {
    output.close();
    std::fprintf(stderr, "s2s translate: stopped by %s; the output holds the translations of the first %lld lines\n",
                 InterruptScope::signal_name(), static_cast<long long>(first_id));
    return 128 + InterruptScope::signal();
  }
  if (!bad.empty() || !unreadable.empty()) {
    output.close();
    fail("s2s translate: ", bad.empty() ? unreadable : bad, "; the output holds the translations of the ", first_id,
         " lines before it", bad.empty() ? "" : " (--skip-bad-lines translates such a line as an empty line and goes on)");
  }
  if (skipped > 0)
    std::fprintf(stderr, "s2s translate: %lld input lines were not UTF-8 or too long; each was translated as an empty line\n",
                 static_cast<long long>(skipped));
  output.close();
  if (verbose) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const search::Translator& t = *decoder.translator;
    std::fprintf(stderr, "s2s translate: %lld sentences, %lld output tokens in %.3f s: %.1f sentences/s, %.1f tokens/s\n",
                 static_cast<long long>(t.sentences()), static_cast<long long>(t.output_tokens()), secs,
                 secs > 0 ? static_cast<double>(t.sentences()) / secs : 0.0,
                 secs > 0 ? static_cast<double>(t.output_tokens()) / secs : 0.0);
  }
  return 0;
}

}  // namespace s2s::cli
