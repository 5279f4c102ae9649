#pragma once
// Shared pieces of the model-file fuzzers (fuzz/models/*_fuzz.cc): the input
// exposed as a file without touching the disk, the reference model directory
// the seeds were made from, and the one outcome allowed besides success.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <string>

#include "s2s/core/error.h"

namespace s2s::fuzz {

// An in-memory file whose /proc path the loaders open like any other.
class MemFile {
 public:
  explicit MemFile(const char* name) : fd_(memfd_create(name, 0)), path_("/proc/self/fd/" + std::to_string(fd_)) {}
  void set(const std::uint8_t* data, std::size_t size) const {
    if (ftruncate(fd_, 0) != 0) std::abort();
    if (size && pwrite(fd_, data, size, 0) != static_cast<ssize_t>(size)) std::abort();
  }
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

// The tiny trained model directory fuzz/build_models.sh made (the seeds come from it).
inline std::string reference_model_dir() {
  const char* dir = std::getenv("S2S_FUZZ_MODEL_DIR");
  if (!dir || !std::filesystem::is_directory(dir)) {
    std::fprintf(stderr, "set S2S_FUZZ_MODEL_DIR to the model directory fuzz/build_models.sh trained (fuzz/run_models.sh does)\n");
    std::exit(1);
  }
  return dir;
}

// A bad file must be refused with s2s::Error (one line naming the file);
// anything else escaping, a crash or a sanitizer report is a bug.
template <typename F>
bool refused(F&& f) {
  try {
    f();
    return false;
  } catch (const s2s::Error& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) {
      std::fprintf(stderr, "error message is not one line: %s\n", e.what());
      std::abort();
    }
    return true;
  }
}

inline void promise(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "promise broken: %s\n", what);
    std::abort();
  }
}

}  // namespace s2s::fuzz
