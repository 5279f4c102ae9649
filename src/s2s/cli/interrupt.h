#pragma once
// Ctrl-C (SIGINT) and SIGTERM for commands that stop cleanly: the first one
// sets a flag the command polls at a safe point (after an update, after a
// chunk of translations is written), a second one exits at once (status 130).
// The handler is installed without SA_RESTART, so a blocking read of stdin
// returns instead of waiting for the next line.
namespace s2s::cli {

class InterruptScope {
 public:
  InterruptScope();   // installs the handler for SIGINT and SIGTERM
  ~InterruptScope();  // restores the default action
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  // The signal that arrived (SIGINT or SIGTERM), 0 while none has.
  static int signal();
  static const char* signal_name();  // "SIGINT", "SIGTERM" or ""
};

}  // namespace s2s::cli
