// libFuzzer target: the input is the config.yaml of a model directory whose
// other files (vocabularies, weights) are the reference model's; the
// directory is loaded as translate/serve/eval load it (load_model_dir). A
// bad config must be refused with one line naming the file.
#include <filesystem>
#include <fstream>

#include "fuzz/models/fuzz_util.h"
#include "s2s/io/model_dir.h"

using namespace s2s;
namespace fs = std::filesystem;

namespace {
std::string g_dir;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::string ref = fuzz::reference_model_dir();
  // A private copy in memory-backed /dev/shm; config.yaml is rewritten per input.
  g_dir = "/dev/shm/s2s-fuzz-config-" + std::to_string(::getpid());
  fs::remove_all(g_dir);
  fs::create_directories(g_dir);
  for (const auto& e : fs::directory_iterator(ref))
    if (e.is_regular_file()) fs::copy_file(e.path(), g_dir + "/" + e.path().filename().string());
  std::atexit([] { fs::remove_all(g_dir); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::ofstream out(g_dir + "/config.yaml", std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  fuzz::refused([&] { io::load_model_dir(g_dir); });
  return 0;
}
