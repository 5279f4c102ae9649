// SIGTERM drains: a request in flight when the signal arrives still gets its
// full answer, then the server returns and the process exits 0. The server
// runs in a forked child so the signal cannot reach the test runner.
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <future>
#include <nlohmann/json.hpp>

#include "s2s/serve/server.h"
#include "serve/fake_backend.h"

namespace s2s::serve {
namespace {

[[noreturn]] void child(int port_fd) {
  block_termination_signals();  // before any thread exists
  int code = 20;
  try {
    auto fake = std::make_shared<testing::FakeBackend>();
    fake->set_delay(std::chrono::milliseconds(1500));  // a wide window to signal in
    ServerOptions o;
    o.port = 0;
    Server server(o, {fake});
    int port = server.bind();
    if (write(port_fd, &port, sizeof port) != sizeof port) _exit(21);
    int sig = serve_until_signal(server);
    code = sig == SIGTERM ? 0 : 30 + sig;
  } catch (...) {
    code = 22;
  }
  _exit(code);
}

// waitpid with a bound: -1 when the child did not exit within `seconds`.
int wait_exit(pid_t pid, int seconds) {
  for (int i = 0; i < seconds * 100; ++i) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
    usleep(10000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

TEST(ServeSignal, SigtermDrainsInFlightRequestsThenExitsZero) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    child(fds[1]);
  }
  close(fds[1]);
  int port = 0;
  pollfd p{fds[0], POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 20000), 1) << "the server did not start";
  ASSERT_EQ(read(fds[0], &port, sizeof port), static_cast<ssize_t>(sizeof port));
  close(fds[0]);

  auto slow = std::async(std::launch::async, [port] {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(30, 0);
    return c.Post("/v1/translate", R"({"inputs": ["drain me"]})", "application/json");
  });
  // Send the signal once the request is being decoded.
  httplib::Client probe("127.0.0.1", port);
  bool in_flight = false;
  for (int i = 0; i < 2000 && !in_flight; ++i) {
    auto m = probe.Get("/metrics");
    in_flight = m && m->body.find("s2s_requests_in_flight 1\n") != std::string::npos;
    if (!in_flight) usleep(1000);
  }
  ASSERT_TRUE(in_flight);
  probe.stop();
  ASSERT_EQ(kill(pid, SIGTERM), 0);

  auto r = slow.get();
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(nlohmann::json::parse(r->body)["outputs"][0]["text"], "me drain");
  EXPECT_EQ(wait_exit(pid, 30), 0);
  httplib::Client after("127.0.0.1", port);
  after.set_connection_timeout(1, 0);
  EXPECT_FALSE(after.Get("/health")) << "still serving after SIGTERM";
}

}  // namespace
}  // namespace s2s::serve
