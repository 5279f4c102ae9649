#include "s2s/cli/interrupt.h"

#include <atomic>
#include <csignal>
#include <cstdlib>

namespace s2s::cli {

namespace {

std::atomic<int> g_signal{0};

extern "C" void on_stop_signal(int sig) {
  if (g_signal.load() != 0) std::_Exit(130);  // a second Ctrl-C stops at once
  g_signal.store(sig);
}

void set_action(void (*handler)(int)) {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a read blocked on stdin returns
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace

InterruptScope::InterruptScope() {
  g_signal.store(0);
  set_action(on_stop_signal);
}

InterruptScope::~InterruptScope() { set_action(SIG_DFL); }

int InterruptScope::signal() { return g_signal.load(); }

const char* InterruptScope::signal_name() {
  switch (g_signal.load()) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "";
  }
}

}  // namespace s2s::cli
