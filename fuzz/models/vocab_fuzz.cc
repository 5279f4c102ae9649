// libFuzzer target: the input is a vocabulary file (token<TAB>count lines).
// A bad file must be refused with one line naming file:line; a good one must
// save and load back to the same tokens and counts.
#include <memory>

#include "fuzz/models/fuzz_util.h"
#include "s2s/data/vocab.h"

using namespace s2s;

namespace {
std::unique_ptr<fuzz::MemFile> g_file;
std::string g_copy;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_file = std::make_unique<fuzz::MemFile>("src.vocab");
  g_copy = "/dev/shm/s2s-fuzz-vocab-" + std::to_string(::getpid());
  std::atexit([] { std::filesystem::remove(g_copy); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  g_file->set(data, size);
  data::Vocab v;
  if (fuzz::refused([&] { v = data::Vocab::load(g_file->path()); })) return 0;
  v.save(g_copy);
  data::Vocab again = data::Vocab::load(g_copy);
  fuzz::promise(again.size() == v.size(), "vocabulary size changed on save and load");
  for (std::int32_t id = 0; id < v.size(); ++id) {
    fuzz::promise(again.token(id) == v.token(id) && again.count(id) == v.count(id), "token changed on save and load");
    fuzz::promise(v.id(v.token(id)) == id, "token does not map back to its id");
  }
  return 0;
}
