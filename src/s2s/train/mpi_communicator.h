#pragma once
// The MPI implementation of Communicator (built when CMake finds MPI; see
// make_communicator). Its header stays free of mpi.h.
#include <memory>

#include "s2s/train/communicator.h"

namespace s2s::train {

// Initialises MPI (once per process; finalised when the communicator is
// destroyed on a normal exit) over MPI_COMM_WORLD. Every transfer is
// non-blocking underneath and polled against `timeout_s`, so a peer that
// stopped answering ends the wait with an error naming it instead of a hang.
std::unique_ptr<Communicator> make_mpi_communicator(double timeout_s);

}  // namespace s2s::train
