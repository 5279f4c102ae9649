#include "s2s/train/mpi_communicator.h"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <thread>

#include "s2s/core/error.h"

namespace s2s::train {

namespace {

// MPI counts are ints: larger buffers travel in pieces of this many bytes.
constexpr std::size_t kMaxPiece = std::size_t{1} << 30;

std::string mpi_error_text(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(code, text, &len) != MPI_SUCCESS) return detail::concat("MPI error ", code);
  return std::string(text, static_cast<std::size_t>(len));
}

class MpiCommunicator final : public Communicator {
 public:
  explicit MpiCommunicator(double timeout_s) : timeout_s_(timeout_s) {
    int initialised = 0;
    MPI_Initialized(&initialised);
    S2S_CHECK(!initialised, "communicator: MPI is already initialised in this process");
    // Only the training thread calls MPI.
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread", -1);
    // Errors come back as codes and become s2s::Error with the rank named,
    // rather than MPI's default of aborting from inside the library.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiCommunicator() override { MPI_Finalize(); }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void send(int to, std::span<const std::byte> data) override {
    std::size_t at = 0;
    do {  // an empty buffer is one empty message
      const std::size_t n = std::min(kMaxPiece, data.size() - at);
      MPI_Request req;
      check(MPI_Isend(data.data() + at, static_cast<int>(n), MPI_BYTE, to, kTag, MPI_COMM_WORLD, &req), "sending to", to);
      wait(req, "sending to", to);
      at += n;
    } while (at < data.size());
  }

  void recv(int from, std::span<std::byte> data) override {
    std::size_t at = 0;
    do {
      const std::size_t n = std::min(kMaxPiece, data.size() - at);
      MPI_Request req;
      check(MPI_Irecv(data.data() + at, static_cast<int>(n), MPI_BYTE, from, kTag, MPI_COMM_WORLD, &req),
            "receiving from", from);
      wait(req, "receiving from", from);
      at += n;
    } while (at < data.size());
  }

  // A broadcast copies bytes, so whatever tree MPI uses gives the same result.
  void broadcast(std::span<std::byte> data, int root) override {
    for (std::size_t at = 0; at < data.size(); at += kMaxPiece) {
      const std::size_t n = std::min(kMaxPiece, data.size() - at);
      MPI_Request req;
      check(MPI_Ibcast(data.data() + at, static_cast<int>(n), MPI_BYTE, root, MPI_COMM_WORLD, &req), "broadcast from", root);
      wait(req, "receiving a broadcast from", root);
    }
  }

  [[noreturn]] void abort(int code) override {
    std::fflush(stdout);
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);  // MPI_Abort does not return; this keeps [[noreturn]] honest
  }

 private:
  static constexpr int kTag = 19;

  void check(int code, const char* what, int peer) const {
    if (code == MPI_SUCCESS) return;
    fail("MPI: ", what, peer >= 0 ? detail::concat(" rank ", peer) : std::string(), " failed: ", mpi_error_text(code));
  }

  // Polls rather than blocks in MPI_Wait: a dead or hung peer then ends in
  // an error naming it after timeout_s_, and a waiting rank backs off to
  // short sleeps instead of spinning on a core its neighbours could use.
  void wait(MPI_Request& req, const char* what, int peer) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    for (long polls = 0;; ++polls) {
      int done = 0;
      check(MPI_Test(&req, &done, MPI_STATUS_IGNORE), what, peer);
      if (done) return;
      if (polls < 2000) continue;
      std::this_thread::sleep_for(std::chrono::microseconds(polls < 20000 ? 50 : 1000));
      const double waited = std::chrono::duration<double>(Clock::now() - start).count();
      if (timeout_s_ > 0 && waited > timeout_s_)
        fail("rank ", peer, " has not answered for ", static_cast<long long>(waited), " s (", what, " it; train.comm_timeout): ",
             "that process has died or hangs; the run stops here, continue it from its last checkpoint with --resume");
    }
  }

  double timeout_s_;
  int rank_ = -1, size_ = 0;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator(double timeout_s) { return std::make_unique<MpiCommunicator>(timeout_s); }

}  // namespace s2s::train
