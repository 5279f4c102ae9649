// s2s quantize: writes a model directory whose weights are stored in int8
// (with per-row scales) or bf16 (io::write_quantized_model).
#include <cstdio>
#include <filesystem>

#include "s2s/cli/args.h"
#include "s2s/cli/commands.h"
#include "s2s/cli/decode_options.h"
#include "s2s/core/error.h"
#include "s2s/io/atomic_file.h"
#include "s2s/io/quantized_model.h"

namespace s2s::cli {

int quantize_command(std::span<const std::string> argv) {
  std::vector<std::string> rest(argv.begin(), argv.end());
  const std::vector<std::string> models = take_repeated(rest, {"-m", "--model"});
  const std::vector<std::string> outputs = take_repeated(rest, {"-o", "--output"});
  Args args("s2s quantize",
            "Writes a copy of a model directory whose weights are stored in int8 (every matrix the int8 decoder\n"
            "multiplies, embeddings included: 8-bit values and an fp32 scale per row, symmetric, exactly as\n"
            "--compute-type int8 quantizes at load; biases and norms stay fp32) or bf16 (every weight rounded to\n"
            "bfloat16). The copy decodes in that type by default. See docs/precision.md.\n"
            "  -m, --model DIR            the fp32 model directory (required)\n"
            "  -o, --output OUT           the new model directory (required; must not exist)");
  args.add_choice("to", {"int8", "bf16"}, std::nullopt, "the storage type");
  if (!args.parse(rest)) {
    std::printf("%s", args.help().c_str());
    return 0;
  }
  S2S_CHECK(models.size() == 1, "s2s quantize: ",
            models.empty() ? "missing required option -m DIR (the model directory to quantize)" : "give one -m DIR");
  S2S_CHECK(outputs.size() == 1, "s2s quantize: ",
            outputs.empty() ? "missing required option -o OUT (the new model directory)" : "give one -o OUT");
  const std::string& dir = models[0];
  const kernels::ComputeType to = kernels::parse_compute_type(args.get_string("to"), "s2s quantize: --to");
  const kernels::ComputeType stored = io::stored_type_of_dir(dir);
  S2S_CHECK(stored == kernels::ComputeType::Fp32, "s2s quantize: ", dir, " is already stored in ",
            kernels::compute_type_name(stored), ": quantize the fp32 model directory it was made from");
  S2S_CHECK(!std::filesystem::exists(outputs[0]), "s2s quantize: ", outputs[0],
            " already exists; the quantized model goes to a new directory");
  const io::ModelDir model = io::load_model_dir(dir, kernels::ComputeType::Fp32);
  const std::uintmax_t bytes = io::write_quantized_model(model, outputs[0], to);
  const std::uintmax_t before = std::filesystem::file_size(io::join_path(dir, io::kWeightsFile));
  std::fprintf(stderr, "s2s quantize: wrote %s (%s weights: %ju bytes, %.3fx of %s's %ju)\n", outputs[0].c_str(),
               kernels::compute_type_name(to), bytes, before ? static_cast<double>(bytes) / static_cast<double>(before) : 0.0,
               dir.c_str(), before);
  return 0;
}

}  // namespace s2s::cli
