#pragma once
// N ranks of a data-parallel run as threads of one test process: a
// Communicator over in-memory mailboxes (one FIFO per ordered pair of ranks,
// as MPI keeps messages between two ranks in order), so the trainer's
// multi-process paths run without mpirun. run_ranks starts one thread per
// rank and collects each rank's error message ("" when it finished).
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "s2s/core/error.h"
#include "s2s/train/communicator.h"

namespace s2s::testing {

class Mailboxes {
 public:
  void post(int from, int to, std::span<const std::byte> data) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      boxes_[{from, to}].emplace_back(data.begin(), data.end());
    }
    cv_.notify_all();
  }
  void take(int from, int to, std::span<std::byte> data) {
    std::unique_lock<std::mutex> lock(mutex_);
    auto& box = boxes_[{from, to}];
    // A rank that failed leaves its peers waiting: give up rather than hang the test.
    S2S_CHECK(cv_.wait_for(lock, std::chrono::seconds(60), [&] { return !box.empty(); }), "thread communicator: rank ", to,
              " got nothing from rank ", from, " in 60 s");
    std::vector<std::byte> message = std::move(box.front());
    box.pop_front();
    S2S_CHECK(message.size() == data.size(), "thread communicator: rank ", to, " expected ", data.size(), " bytes from rank ", from,
              ", got ", message.size());
    if (!message.empty()) std::memcpy(data.data(), message.data(), message.size());
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::pair<int, int>, std::deque<std::vector<std::byte>>> boxes_;
};

class ThreadCommunicator final : public train::Communicator {
 public:
  ThreadCommunicator(Mailboxes& boxes, int rank, int size) : boxes_(boxes), rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void send(int to, std::span<const std::byte> data) override { boxes_.post(rank_, to, data); }
  void recv(int from, std::span<std::byte> data) override { boxes_.take(from, rank_, data); }
  void broadcast(std::span<std::byte> data, int root) override {
    if (rank_ == root) {
      for (int r = 0; r < size_; ++r)
        if (r != root) send(r, data);
    } else {
      recv(root, data);
    }
  }
  [[noreturn]] void abort(int) override { std::terminate(); }

 private:
  Mailboxes& boxes_;
  int rank_, size_;
};

// Runs fn(comm) for ranks 0..n-1 in parallel threads; returns each rank's error ("" when none).
inline std::vector<std::string> run_ranks(int n, const std::function<void(train::Communicator&)>& fn) {
  Mailboxes boxes;
  std::vector<std::string> errors(static_cast<std::size_t>(n));
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r)
    threads.emplace_back([&, r] {
      ThreadCommunicator comm(boxes, r, n);
      try {
        fn(comm);
      } catch (const std::exception& e) {
        errors[static_cast<std::size_t>(r)] = e.what();
      }
    });
  for (auto& t : threads) t.join();
  return errors;
}

}  // namespace s2s::testing
