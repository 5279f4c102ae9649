#pragma once
// What the processes of a data-parallel run (mpirun -np N s2s train) must
// agree on before the first update, checked by exchanging hashes: a rank
// started with other options, other data or another checkpoint would
// silently train a different model into the shared sum, so the run is
// refused at its start with a message naming the ranks and what differs.
#include <string>

#include "s2s/train/communicator.h"
#include "s2s/train/run_config.h"
#include "s2s/train/trainer.h"
#include "s2s/train/vocab_setup.h"

namespace s2s::app {

// The options (all but those a process may set for itself: train.threads,
// train.progress, train.log, train.comm_timeout), whether the run resumes,
// and the bytes of every input file the options name (corpora, vocabulary,
// SentencePiece and embedding files). Nothing to do for one process.
void check_same_run(train::Communicator& comm, const train::RunConfig& config, const std::string& resume);

// The vocabularies, parameters, optimizer state and trainer state the
// update loop starts from (after a resume: the checkpoint's).
void check_same_start(train::Communicator& comm, const train::Trainer& trainer, const train::Vocabularies& vocab);

}  // namespace s2s::app
