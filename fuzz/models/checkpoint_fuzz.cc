// libFuzzer target: a training checkpoint of the reference model with one of
// its three files replaced by the input (the first byte chooses which:
// 0 trainer.json, 1 optimizer.safetensors, 2 model.safetensors), loaded into
// a trainer as `s2s train --resume` loads it. A bad checkpoint must be
// refused with one line naming the file.
#include <filesystem>
#include <fstream>

#include "fuzz/models/fuzz_util.h"
#include "s2s/app/training_run.h"
#include "s2s/io/atomic_file.h"
#include "s2s/io/checkpoint.h"
#include "s2s/io/model_dir.h"
#include "s2s/train/lr_schedule.h"
#include "s2s/train/make_optimizer.h"

using namespace s2s;
namespace fs = std::filesystem;

namespace {

const char* const kFiles[] = {"trainer.json", "optimizer.safetensors", "model.safetensors"};

struct World {
  io::ModelDir dir;
  train::RunConfig config;
  std::unique_ptr<train::Optimizer> optimizer;
  std::unique_ptr<train::LrSchedule> schedule;
  std::unique_ptr<data::Batcher> batcher;
  std::unique_ptr<train::Trainer> trainer;
  std::string checkpoint;
  std::string originals[3];
};
std::unique_ptr<World> g;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::string ref = fuzz::reference_model_dir();
  g = std::make_unique<World>();
  g->dir = io::load_model_dir(ref);
  g->config = app::resume_config(ref, {});
  g->optimizer = train::make_optimizer(g->config.optim, g->dir.model->parameters());
  g->schedule = train::make_lr_schedule(train::schedule_config(g->config));
  // A few pairs are enough data: the checkpoint's data position is checked against it.
  auto pairs = std::make_shared<data::Dataset>();
  for (std::int32_t i = 0; i < 16; ++i) {
    std::vector<std::int32_t> src{4 + i % 5, 5, 6}, tgt{4 + i % 3, 4};
    pairs->add(src, tgt);
  }
  data::BatchOptions batches;
  batches.batch_sentences = 4;
  g->batcher = std::make_unique<data::Batcher>(pairs, batches);
  g->trainer = std::make_unique<train::Trainer>(*g->dir.model, *g->optimizer, *g->schedule, *g->batcher,
                                                std::vector<data::Batch>{}, g->config, nullptr);
  // A private copy of the newest checkpoint in memory-backed /dev/shm.
  const std::string source = io::find_checkpoint(ref);
  g->checkpoint = "/dev/shm/s2s-fuzz-checkpoint-" + std::to_string(::getpid());
  fs::remove_all(g->checkpoint);
  fs::create_directories(g->checkpoint);
  for (int k = 0; k < 3; ++k) {
    g->originals[k] = io::read_file(source + "/" + kFiles[k]);
    io::write_file_atomic(g->checkpoint + "/" + kFiles[k], g->originals[k]);
  }
  std::atexit([] { fs::remove_all(g->checkpoint); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int which = data[0] % 3;
  auto put = [&](std::string_view bytes) {
    std::ofstream out(g->checkpoint + "/" + kFiles[which], std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  };
  put(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  fuzz::refused([&] { io::load_checkpoint(g->checkpoint, *g->trainer); });
  put(g->originals[which]);
  return 0;
}
