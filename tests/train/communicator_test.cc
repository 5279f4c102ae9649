// The process count a launcher announces, the communicator a process gets
// from it, and the small collectives built on send/recv/broadcast.
#include "s2s/train/communicator.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "support/error_of.h"
#include "support/thread_communicator.h"

namespace s2s::train {
namespace {

// Sets launcher variables for one test and restores them after.
class LauncherEnv {
 public:
  LauncherEnv() {
    for (const char* name : kNames)
      if (const char* v = std::getenv(name)) saved_.emplace_back(name, v);
    for (const char* name : kNames) ::unsetenv(name);
  }
  ~LauncherEnv() {
    for (const char* name : kNames) ::unsetenv(name);
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
  }
  void set(const char* name, const char* value) { ::setenv(name, value, 1); }

 private:
  static constexpr const char* kNames[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"};
  std::vector<std::pair<std::string, std::string>> saved_;
};

TEST(Communicator, LauncherProcessCountComesFromTheEnvironment) {
  LauncherEnv env;
  EXPECT_EQ(launcher_process_count(), 1);
  env.set("PMI_SIZE", "3");  // MPICH's Hydra, Slurm
  EXPECT_EQ(launcher_process_count(), 3);
  env.set("OMPI_COMM_WORLD_SIZE", "2");  // Open MPI's mpirun
  EXPECT_EQ(launcher_process_count(), 2);
  env.set("OMPI_COMM_WORLD_SIZE", "two");  // not a count: the next one
  EXPECT_EQ(launcher_process_count(), 3);
}

TEST(Communicator, OneProcessIsSingleProcess) {
  LauncherEnv env;
  env.set("OMPI_COMM_WORLD_SIZE", "1");  // mpirun -np 1 needs no MPI
  std::unique_ptr<Communicator> c = make_communicator(10);
  EXPECT_EQ(c->size(), 1);
  EXPECT_EQ(c->rank(), 0);
  EXPECT_EQ(c->where(), "");
  EXPECT_EQ(exchange_values(*c, 42), std::vector<std::uint64_t>{42});
  std::byte b{};
  EXPECT_NE(testing::error_of([&] { c->send(1, {&b, 1}); }).find("no rank 1"), std::string::npos);
}

TEST(Communicator, ABuildWithoutMpiRefusesSeveralProcesses) {
  if (mpi_built_in()) GTEST_SKIP() << "this build has MPI; tests/cli/mpi_train_test.sh runs it under mpirun";
  LauncherEnv env;
  env.set("OMPI_COMM_WORLD_SIZE", "2");
  EXPECT_NE(testing::error_of([] { make_communicator(10); }).find("started by mpirun as one of 2 processes, but this s2s was built without MPI"),
            std::string::npos);
}

TEST(Communicator, ExchangeValuesAndBroadcastStringReachEveryRank) {
  std::vector<std::vector<std::uint64_t>> values(3);
  std::vector<std::string> texts(3);
  std::vector<std::string> wheres(3);
  auto errors = testing::run_ranks(3, [&](Communicator& comm) {
    const auto r = static_cast<std::size_t>(comm.rank());
    values[r] = exchange_values(comm, 10 + r);
    texts[r] = comm.rank() == 1 ? std::string("from rank 1\n\t with\0 bytes", 25) : std::string("other");
    broadcast_string(comm, texts[r], 1);
    wheres[r] = comm.where();
  });
  EXPECT_EQ(errors, (std::vector<std::string>{"", "", ""}));
  for (int r = 0; r < 3; ++r) {
    EXPECT_EQ(values[static_cast<std::size_t>(r)], (std::vector<std::uint64_t>{10, 11, 12}));
    EXPECT_EQ(texts[static_cast<std::size_t>(r)], std::string("from rank 1\n\t with\0 bytes", 25));
  }
  EXPECT_EQ(wheres[2], "rank 2 of 3");
}

}  // namespace
}  // namespace s2s::train
