#pragma once
// Epochs of batches, in memory or streamed.
//
// In memory, every epoch plans the whole Dataset (batch_plan.h). Streaming,
// every epoch reads the corpus again, buffer_pairs kept pairs at a time, and
// plans each buffer on its own: memory stays bounded by the buffer whatever
// the corpus size, and shuffling reaches only within a buffer (shuffle a
// corpus that is larger than the buffer beforehand).
//
// The position is a small BatcherState; restore() continues exactly where
// state() was taken, batch for batch, which is what resuming training needs.
#include <cstdint>
#include <memory>

#include "s2s/core/rng.h"
#include "s2s/data/batch.h"
#include "s2s/data/batch_plan.h"
#include "s2s/data/corpus.h"
#include "s2s/data/loader.h"

namespace s2s::data {

struct BatcherState {
  std::uint64_t epoch = 0;  // epochs completed
  std::uint64_t pool = 0;   // streaming: buffers completed in this epoch
  std::uint64_t batch = 0;  // batches returned from the current buffer (in memory: from the epoch)
  std::uint64_t lines = 0;  // streaming: corpus lines read before the current buffer
  RngState rng;             // RNG state before the current buffer was planned
};

struct EpochStats {
  std::uint64_t batches = 0, pairs = 0;
  std::uint64_t tokens = 0;     // non-padding positions (source + target with </s>)
  std::uint64_t positions = 0;  // all positions, padding included
  double padding_ratio() const {
    return positions ? 1.0 - static_cast<double>(tokens) / static_cast<double>(positions) : 0.0;
  }
};

class Batcher {
 public:
  Batcher(std::shared_ptr<const Dataset> data, BatchOptions options);
  // Streaming: `encoder` (and the tokenizers and vocabularies it points to)
  // must outlive the Batcher.
  Batcher(CorpusSpec corpus, PairEncoder* encoder, LoadOptions load, BatchOptions options);

  // Fills `out` with the next batch. Returns false once at the end of each
  // epoch; the call after that starts the next epoch.
  bool next(Batch& out);

  BatcherState state() const;
  void restore(const BatcherState& state);

  // The epoch so far; after next() returned false, the epoch that just ended.
  const EpochStats& epoch_stats() const { return stats_; }
  // Streaming: what reading this epoch has kept and skipped so far.
  const LoadStats& load_stats() const { return load_stats_; }
  bool streaming() const { return encoder_ != nullptr; }
  // The pairs of the current plan (the Dataset, or the stream buffer).
  const Dataset& pool() const { return *pool_; }

 private:
  void start_pool();

  BatchOptions options_;
  std::shared_ptr<const Dataset> pool_;
  // Streaming only.
  CorpusSpec corpus_;
  PairEncoder* encoder_ = nullptr;
  LoadOptions load_;
  std::shared_ptr<Dataset> buffer_;
  std::unique_ptr<PairReader> reader_;
  bool stream_done_ = false;
  LoadStats load_stats_;

  Rng rng_;
  RngState pool_rng_;
  BatcherState pos_;
  bool planned_ = false;
  bool epoch_has_pairs_ = false;
  BatchPlan plan_;
  EpochStats stats_;
};

}  // namespace s2s::data
