#include "s2s/train/communicator.h"

#include <cstdlib>
#include <cstring>

#include "s2s/core/error.h"
#ifdef S2S_HAVE_MPI
#include "s2s/train/mpi_communicator.h"
#endif

namespace s2s::train {

std::string Communicator::where() const {
  return size() > 1 ? detail::concat("rank ", rank(), " of ", size()) : std::string();
}

void SingleProcess::send(int to, std::span<const std::byte>) { fail("communicator: one process has no rank ", to, " to send to"); }

void SingleProcess::recv(int from, std::span<std::byte>) { fail("communicator: one process has no rank ", from, " to receive from"); }

void SingleProcess::abort(int code) { std::exit(code); }

int launcher_process_count() {
  // Open MPI's mpirun, PMIx launchers (Open MPI 5, Slurm), MPICH's Hydra and Slurm's PMI.
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"}) {
    const char* v = std::getenv(name);
    if (v && *v) {
      char* end = nullptr;
      long n = std::strtol(v, &end, 10);
      if (end != v && *end == '\0' && n > 0) return static_cast<int>(n);
    }
  }
  return 1;
}

bool mpi_built_in() {
#ifdef S2S_HAVE_MPI
  return true;
#else
  return false;
#endif
}

std::unique_ptr<Communicator> make_communicator(double timeout_s) {
  const int n = launcher_process_count();
  if (n <= 1) return std::make_unique<SingleProcess>();
#ifdef S2S_HAVE_MPI
  std::unique_ptr<Communicator> mpi = make_mpi_communicator(timeout_s);
  // Another MPI's launcher leaves each process alone in its own world.
  S2S_CHECK(mpi->size() == n, "started as one of ", n, " processes, but MPI sees ", mpi->size(),
            ": use the mpirun of the MPI s2s was built with (Open MPI's, from openmpi-bin)");
  return mpi;
#else
  fail("started by mpirun as one of ", n,
       " processes, but this s2s was built without MPI: install Open MPI (libopenmpi-dev, openmpi-bin; "
       "scripts/setup.sh does) and rebuild, or run one process (docs/training.md, \"Several processes\")");
#endif
}

std::vector<std::uint64_t> exchange_values(Communicator& comm, std::uint64_t mine) {
  std::vector<std::uint64_t> all(static_cast<std::size_t>(comm.size()), 0);
  all[static_cast<std::size_t>(comm.rank())] = mine;
  auto bytes_of = [](std::uint64_t& v) { return std::as_writable_bytes(std::span<std::uint64_t>(&v, 1)); };
  if (comm.rank() == 0) {
    for (int r = 1; r < comm.size(); ++r) comm.recv(r, bytes_of(all[static_cast<std::size_t>(r)]));
  } else {
    comm.send(0, bytes_of(mine));
  }
  comm.broadcast(std::as_writable_bytes(std::span<std::uint64_t>(all)), 0);
  return all;
}

void broadcast_string(Communicator& comm, std::string& text, int root) {
  if (comm.size() == 1) return;
  std::uint64_t n = text.size();
  comm.broadcast(std::as_writable_bytes(std::span<std::uint64_t>(&n, 1)), root);
  text.resize(n);
  comm.broadcast(std::as_writable_bytes(std::span<char>(text.data(), text.size())), root);
}

}  // namespace s2s::train
