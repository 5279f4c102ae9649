// The s2s program: `s2s <command> [options]`. Commands map 1:1 to library
// calls (commands.h); every user error arrives here as s2s::Error and becomes
// one line on stderr and exit status 1.
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "s2s/cli/commands.h"
#include "s2s/core/error.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(std::span<const std::string>);
};

const Command kCommands[] = {
#define S2S_COMMAND_ENTRY(name, summary) {#name, summary, &s2s::cli::name##_command},
    S2S_COMMANDS(S2S_COMMAND_ENTRY)
#undef S2S_COMMAND_ENTRY
};

void usage(std::FILE* out) {
  std::fprintf(out, "usage: s2s <command> [options]\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-12s %s\n", c.name, c.summary);
  std::fprintf(out, "  %-12s %s\n", "help", "list commands, or show one command's options: s2s help <command>");
  std::fprintf(out, "\n`s2s <command> --help` lists a command's options; `s2s --version` prints the version.\n");
}

const Command* find(const std::string& name) {
  for (const Command& c : kCommands)
    if (name == c.name) return &c;
  return nullptr;
}

int run(const std::vector<std::string>& args) {
  if (args.empty()) {
    usage(stderr);
    return 1;
  }
  const std::string& name = args[0];
  if (name == "--version" || name == "version") {
    std::printf("s2s %s\n", s2s::cli::kVersion);
    return 0;
  }
  if (name == "help" || name == "--help" || name == "-h") {
    if (args.size() > 1) {
      const Command* c = find(args[1]);
      if (!c) s2s::fail("unknown command '", args[1], "' (see s2s help)");
      std::vector<std::string> help = {"--help"};
      return c->run(help);
    }
    usage(stdout);
    return 0;
  }
  const Command* c = find(name);
  if (!c) s2s::fail("unknown command '", name, "' (see s2s help)");
  return c->run(std::span<const std::string>(args).subspan(1));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return run(args);
  } catch (const s2s::Error& e) {
    std::fprintf(stderr, "s2s: error: %s\n", e.what());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "s2s: error: out of memory\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "s2s: internal error: %s\n", e.what());
  }
  return 1;
}
