#pragma once
// Training checkpoints: everything that decides the next update, so that a
// resumed run continues bit for bit.
//
//   <save_dir>/checkpoints/<seq>-step-<step>/
//     model.safetensors      parameters
//     optimizer.safetensors  optimizer state tensors; __metadata__ holds the
//                            optimizer's name and scalars
//     trainer.json           step counters, RNG state, data position, LR
//                            schedule state, best validation metrics
//
// A checkpoint is written into a temporary directory that is renamed into
// place only when every file is complete and synced; the newest complete
// checkpoint (highest <seq>) is the one to resume from, and only the newest
// `keep` distinct steps are kept (a new checkpoint replaces one of the same
// step). A crash at any moment leaves the previous checkpoint usable.
#include <cstdint>
#include <string>
#include <vector>

#include "s2s/train/trainer.h"

namespace s2s::io {

inline constexpr const char* kCheckpointsDir = "checkpoints";

// Returns the new checkpoint's directory.
std::string save_checkpoint(const std::string& save_dir, const train::Trainer& trainer, std::int64_t keep);

// The checkpoint to resume from: `dir` is a checkpoint directory, or a model
// directory whose newest checkpoint is taken. Fails naming `dir` when there is none.
std::string find_checkpoint(const std::string& dir);

// Restores parameters, optimizer, LR schedule and trainer state (RNG, data
// position, counters) from a checkpoint directory. Everything is checked
// against the running configuration before anything changes.
void load_checkpoint(const std::string& checkpoint_dir, train::Trainer& trainer);

// True when `dir` holds model weights or a complete checkpoint. A directory a
// run failed to get going in (config.yaml and vocabularies at most) holds no
// model yet: a fresh run may write over it.
bool holds_trained_model(const std::string& dir);

// The complete checkpoints of a model directory (those holding trainer.json), oldest first.
std::vector<std::string> list_checkpoint_dirs(const std::string& model_dir);

// The step a checkpoint directory was written at (from trainer.json).
std::int64_t checkpoint_step(const std::string& checkpoint_dir);

}  // namespace s2s::io
