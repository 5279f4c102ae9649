#include "s2s/io/checkpoint_average.h"


#include <algorithm>
#include <filesystem>

#include "s2s/core/error.h"
#include "s2s/io/atomic_file.h"
#include "s2s/io/checkpoint.h"
#include "s2s/io/model_dir.h"
#include "s2s/io/safetensors.h"
#include "s2s/models/encoder_decoder.h"

namespace s2s::io {

namespace {

namespace fs = std::filesystem;

// For comparing paths: absolute, links resolved, no trailing separator.
fs::path canonical_of(const std::string& path) {
  fs::path p = fs::weakly_canonical(fs::path(path)).lexically_normal();
  if (p.filename().empty() && p.has_parent_path()) p = p.parent_path();
  return p;
}

// The checkpoint directories to average, oldest first for `last`, else as listed.
std::vector<std::string> pick_checkpoints(const AverageOptions& o) {
  S2S_CHECK((o.last > 0) != !o.checkpoints.empty(), "s2s average: give either --last N or --checkpoints A B ..., not ",
            o.last > 0 ? "both" : "neither");
  std::vector<std::string> all = list_checkpoint_dirs(o.model_dir);
  if (o.last > 0) {
    // Newest first, one per step: runs of release 0.1.0 wrote the end-of-run
    // checkpoint beside a periodic one of the same step (a new one replaces
    // it now), and counting both would weigh those weights twice.
    std::vector<std::string> picked;
    std::int64_t newer_step = -1;
    for (auto it = all.rbegin(); it != all.rend() && static_cast<std::int64_t>(picked.size()) < o.last; ++it) {
      const std::int64_t step = checkpoint_step(*it);
      if (step == newer_step) continue;
      newer_step = step;
      picked.push_back(*it);
    }
    S2S_CHECK(static_cast<std::int64_t>(picked.size()) == o.last, "s2s average: --last ", o.last,
              " asks for more checkpoints than ", join_path(o.model_dir, kCheckpointsDir), " holds (", picked.size(),
              " of distinct steps; train.keep_checkpoints keeps more)");
    return {picked.rbegin(), picked.rend()};
  }
  const fs::path own = canonical_of(join_path(o.model_dir, kCheckpointsDir));
  std::vector<std::string> out;
  std::vector<fs::path> seen;
  std::vector<std::int64_t> steps;
  for (const std::string& name : o.checkpoints) {
    std::string dir = fs::is_directory(name) ? name : join_path(join_path(o.model_dir, kCheckpointsDir), name);
    S2S_CHECK(fs::is_directory(dir), "s2s average: no checkpoint '", name, "' (a checkpoint directory, or a name under ",
              join_path(o.model_dir, kCheckpointsDir), ")");
    fs::path c = canonical_of(dir);
    S2S_CHECK(c.parent_path() == own, "s2s average: ", dir, " is not a checkpoint of ", o.model_dir,
              " (its config and vocabularies are the ones written)");
    S2S_CHECK(file_exists(join_path(dir, "trainer.json")), "s2s average: ", dir, " is not a complete checkpoint (no trainer.json)");
    S2S_CHECK(std::find(seen.begin(), seen.end(), c) == seen.end(), "s2s average: checkpoint ", dir, " is listed twice");
    const std::int64_t step = checkpoint_step(dir);
    for (std::size_t k = 0; k < out.size(); ++k)
      S2S_CHECK(steps[k] != step, "s2s average: checkpoints ", out[k], " and ", dir, " are both of step ", step,
                " (the same weights; list one)");
    seen.push_back(c);
    steps.push_back(step);
    out.push_back(dir);
  }
  return out;
}

}  // namespace

void average_weight_files(std::span<const std::string> files, std::span<autograd::Parameter* const> params) {
  S2S_CHECK(!files.empty(), "average: no weight files");
  for (const autograd::Parameter* p : params)
    S2S_CHECK(p->value.dtype() == DType::F32, "average: parameter ", p->name, " is ", dtype_name(p->value.dtype()),
              ", only F32 parameters are averaged");
  std::vector<std::vector<double>> sums(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) sums[i].assign(static_cast<std::size_t>(params[i]->value.numel()), 0.0);
  for (const std::string& file : files) {
    load_parameters(file, params);  // checks every name, dtype and shape first
    for (std::size_t i = 0; i < params.size(); ++i) {
      const float* v = params[i]->value.f32();
      for (std::size_t k = 0; k < sums[i].size(); ++k) sums[i][k] += static_cast<double>(v[k]);
    }
  }
  const double n = static_cast<double>(files.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    float* v = params[i]->value.f32();
    for (std::size_t k = 0; k < sums[i].size(); ++k) v[k] = static_cast<float>(sums[i][k] / n);
  }
}

AverageResult average_checkpoints(const AverageOptions& o) {
  S2S_CHECK(!o.output.empty(), "s2s average: missing the output model directory (-o OUT)");
  S2S_CHECK(canonical_of(o.output) != canonical_of(o.model_dir), "s2s average: the output ", o.output,
            " is the input model directory; write the average to a new one");
  std::map<std::string, std::string> config = read_model_config(o.model_dir);
  AverageResult result;
  result.checkpoints = pick_checkpoints(o);
  for (const std::string& c : result.checkpoints)
    S2S_CHECK(canonical_of(o.output) != canonical_of(c), "s2s average: the output ", o.output, " is an input checkpoint");
  S2S_CHECK(!fs::exists(o.output), "s2s average: ", o.output, " already exists; the average goes to a new model directory");

  models::ModelConfig mc = model_config_from(config, join_path(o.model_dir, kConfigFile));
  Vocabularies vocab = load_vocabularies(o.model_dir, config);
  Rng rng(0);  // the initial values are overwritten by the average
  std::unique_ptr<models::EncoderDecoder> model = models::build_model(mc, rng);
  std::vector<std::string> files;
  std::string names;
  std::int64_t step = 0;
  for (const std::string& c : result.checkpoints) {
    files.push_back(join_path(c, kWeightsFile));
    if (!names.empty()) names += ',';
    names += fs::path(c).lexically_normal().filename().string();
    step = std::max(step, checkpoint_step(c));
  }
  average_weight_files(files, model->parameters());

  result.output = write_dir_atomic(o.output, "the averaged model", [&](const std::string& tmp) {
    write_model_files(tmp, config, vocab);
    write_model_weights(tmp, *model, vocab, {{"averaged_checkpoints", names}, {"step", std::to_string(step)}});
  });
  return result;
}

}  // namespace s2s::io
