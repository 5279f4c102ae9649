#pragma once
// The processes of a data-parallel training run as the trainer sees them:
// a rank, a count, and blocking byte transfers between them. One process is
// `SingleProcess`; `mpirun -np N s2s train` gets the MPI implementation
// (train/mpi_communicator.cc, the only file that includes mpi.h, built when
// CMake finds MPI). Sums are not offered here on purpose: the trainer adds
// gradients itself, in rank order (train/gradient_exchange.h), so that the
// result does not depend on the algorithm an MPI library picks.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace s2s::train {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Blocking; fail (s2s::Error naming the peer) when the peer has not
  // answered within the communicator's timeout.
  virtual void send(int to, std::span<const std::byte> data) = 0;
  virtual void recv(int from, std::span<std::byte> data) = 0;
  // Every rank passes a buffer of the same size; afterwards all hold root's bytes.
  virtual void broadcast(std::span<std::byte> data, int root) = 0;
  // Ends every process of the run at once with `code` (after the caller has
  // printed why). Never returns.
  [[noreturn]] virtual void abort(int code) = 0;
  // "rank 1 of 4" (or "" for one process), for messages.
  std::string where() const;
};

class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void send(int to, std::span<const std::byte> data) override;
  void recv(int from, std::span<std::byte> data) override;
  void broadcast(std::span<std::byte>, int) override {}
  [[noreturn]] void abort(int code) override;
};

// The process count a launcher (mpirun, srun, mpiexec.hydra) gave this
// process through its environment (OMPI_COMM_WORLD_SIZE, PMIX_SIZE,
// PMI_SIZE); 1 when none did.
int launcher_process_count();

// True when this build has MPI support.
bool mpi_built_in();

// The communicator of this process: MPI when a launcher started more than
// one process, else SingleProcess. Fails with a message saying how to get
// MPI support when launched as one of several processes by a build without
// it. timeout_s: how long a transfer waits for its peer before failing.
std::unique_ptr<Communicator> make_communicator(double timeout_s);

// Every rank's `mine`, in rank order, on every rank.
std::vector<std::uint64_t> exchange_values(Communicator& comm, std::uint64_t mine);

// Root's bytes on every rank, whatever their sizes were.
void broadcast_string(Communicator& comm, std::string& text, int root);

}  // namespace s2s::train
