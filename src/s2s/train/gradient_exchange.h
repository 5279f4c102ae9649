#pragma once
// The sum of one update's gradients over the processes of a data-parallel
// run, in a fixed order: rank 0's sum passes down the chain of ranks
// 0 -> 1 -> ... -> N-1, each adding its own, so the total is
// (((g0 + g1) + g2) + ...), the order in which gradient accumulation
// (train.accum_steps) adds its batches; the last rank then broadcasts it.
// The buffer travels in chunks, so the ranks add in a pipeline rather than
// one after another. MPI's own reductions are not used: their order depends
// on the library, the message size and the process count.
//
// A parameter without a gradient on a rank (Parameter::grad undefined) is
// skipped there, not taken as zero, so the sum is bit for bit what adding
// the ranks' gradients one after another into Parameter::grad gives.
#include <cstdint>
#include <vector>

#include "s2s/autograd/parameter.h"
#include "s2s/core/rng.h"
#include "s2s/core/tensor.h"
#include "s2s/train/communicator.h"

namespace s2s::train {

// What travels with an update's gradients.
struct UpdateShare {
  double loss_sum = 0;  // summed in rank order (rank r adds its own)
  double coverage_sum = 0;  // the coverage loss's, likewise
  bool stop = false;    // true on any rank
  RngState rng;         // rank 0's (the others' are replaced)
  double elapsed_s = 0; // rank 0's
};

class GradientExchange {
 public:
  // chunk_floats: floats per pipelined piece (tests use small ones).
  GradientExchange(Communicator& comm, std::vector<autograd::Parameter*> params, std::int64_t chunk_floats = 1 << 18);

  // On entry each parameter's grad holds this rank's gradient (or is
  // undefined); on return every rank's holds the sum over all ranks, and
  // `share` the combined values.
  void sum(UpdateShare& share);

  // Bytes one rank sends per update (for the log and the scaling estimate).
  std::int64_t bytes_per_update() const;

 private:
  struct Header {
    double loss_sum;
    double coverage_sum;
    double elapsed_s;
    std::uint64_t rng_seed, rng_offset;
    std::uint64_t stop;
  };
  void pack();
  void combine_chunk(std::int64_t begin, std::int64_t end);
  void unpack();

  Communicator& comm_;
  std::vector<autograd::Parameter*> params_;
  std::vector<std::int64_t> offsets_;  // parameter i's values at [offsets_[i], offsets_[i + 1]) of flat_
  std::int64_t chunk_;
  Tensor flat_, incoming_;             // all gradients; one received chunk
  // Which parameters have a gradient: here; in the received sum; in the sum passed on.
  std::vector<std::uint8_t> mine_, prefix_, combined_;
};

}  // namespace s2s::train
