// s2s average: averages the parameters of checkpoints of one model directory
// into a new model directory (io::average_checkpoints).
#include <cstdio>

#include "s2s/cli/args.h"
#include "s2s/cli/commands.h"
#include "s2s/cli/decode_options.h"
#include "s2s/core/error.h"
#include "s2s/io/checkpoint_average.h"

namespace s2s::cli {

namespace {

// Takes "--checkpoints A B ..." (the values up to the next option; may repeat) out of args.
std::vector<std::string> take_list(std::vector<std::string>& args, const std::string& name) {
  std::vector<std::string> values, rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] != name) {
      rest.push_back(args[i]);
      continue;
    }
    std::size_t first = values.size();
    while (i + 1 < args.size() && !args[i + 1].starts_with("-")) values.push_back(args[++i]);
    S2S_CHECK(values.size() > first, "s2s average: option ", name, " expects one or more checkpoints");
  }
  args = std::move(rest);
  return values;
}

std::string single(const std::vector<std::string>& values, const char* option) {
  S2S_CHECK(values.size() <= 1, "s2s average: option ", option, " given more than once");
  return values.empty() ? std::string() : values[0];
}

}  // namespace

int average_command(std::span<const std::string> argv) {
  std::vector<std::string> rest(argv.begin(), argv.end());
  io::AverageOptions o;
  o.checkpoints = take_list(rest, "--checkpoints");
  const std::string model = single(take_repeated(rest, {"-m", "--model"}), "-m/--model");
  o.output = single(take_repeated(rest, {"-o", "--output"}), "-o/--output");
  Args args("s2s average",
            "Averages the parameters of checkpoints of one training run (the element-wise fp32 mean, summed in\n"
            "double in checkpoint order) into a new model directory with the run's config and vocabularies,\n"
            "ready for s2s translate. See docs/training.md.\n"
            "  -m, --model DIR            the run's model directory (required)\n"
            "  -o, --output OUT           the new model directory (required; must not exist)\n"
            "  --checkpoints A B ...      these checkpoints: directories, or names under DIR/checkpoints/");
  args.add_int("last", 0, "the newest N complete checkpoints of DIR");
  if (!args.parse(rest)) {
    std::printf("%s", args.help().c_str());
    return 0;
  }
  S2S_CHECK(!model.empty(), "s2s average: missing required option -m DIR (the training run's model directory)");
  S2S_CHECK(!o.output.empty(), "s2s average: missing required option -o OUT (the new model directory)");
  o.model_dir = model;
  o.last = args.get_int("last");
  S2S_CHECK(o.last >= 0, "s2s average: --last must be >= 1, got ", o.last);
  io::AverageResult r = io::average_checkpoints(o);
  std::fprintf(stderr, "s2s average: averaged %zu checkpoint%s into %s:\n", r.checkpoints.size(),
               r.checkpoints.size() == 1 ? "" : "s", r.output.c_str());
  for (const std::string& c : r.checkpoints) std::fprintf(stderr, "  %s\n", c.c_str());
  return 0;
}

}  // namespace s2s::cli
