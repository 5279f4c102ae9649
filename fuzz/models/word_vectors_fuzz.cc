// libFuzzer target: the input is a pretrained word-vector file (word2vec or
// GloVe text) loaded into an 8-dimensional embedding over a small vocabulary.
// A bad file must be refused with one line naming file:line; every value
// loaded must be finite and the padding row must stay zero.
#include <cmath>
#include <memory>

#include "fuzz/models/fuzz_util.h"
#include "s2s/nn/pretrained_vectors.h"

using namespace s2s;

namespace {
std::unique_ptr<fuzz::MemFile> g_file;
std::unique_ptr<nn::Embedding> g_table;
const std::vector<std::string> g_tokens = {"<pad>", "<s>", "</s>", "<unk>", "the", "a", "cat", "dog", "漢字", "x y"};
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_file = std::make_unique<fuzz::MemFile>("vectors.txt");
  Rng rng(1);
  g_table = std::make_unique<nn::Embedding>("embedding", static_cast<std::int64_t>(g_tokens.size()), 8, 0, rng);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  g_file->set(data, size);
  if (fuzz::refused([&] { nn::load_pretrained_vectors(*g_table, g_file->path(), g_tokens, false); })) return 0;
  const float* w = g_table->weight().value.f32();
  for (std::int64_t i = 0; i < g_table->weight().value.numel(); ++i) fuzz::promise(std::isfinite(w[i]), "non-finite value loaded");
  for (int k = 0; k < 8; ++k) fuzz::promise(w[k] == 0.0f, "padding row changed");
  return 0;
}
