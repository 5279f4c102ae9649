// libFuzzer target: the input is a SentencePiece model file (a serialized
// ModelProto), loaded as a model directory's src.spm.model is. A bad model
// must be refused with one line; a loaded one must tokenize and detokenize
// text without crashing.
#include <memory>

#include "fuzz/models/fuzz_util.h"
#include "s2s/data/spm_tokenizer.h"

using namespace s2s;

namespace {
std::unique_ptr<fuzz::MemFile> g_file;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_file = std::make_unique<fuzz::MemFile>("spm.model");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  g_file->set(data, size);
  std::unique_ptr<data::SpmTokenizer> spm;
  if (fuzz::refused([&] { spm = data::SpmTokenizer::load(g_file->path()); })) return 0;
  data::TokenList tokens;
  for (const char* text : {"", "hello world", "  a  b ", "ka ri mo 漢字 ñu", "\xE2\x96\x81x"}) {
    fuzz::refused([&] {
      spm->tokenize(text, tokens);
      spm->detokenize(tokens.span());
    });
  }
  for (int id = 0; id < std::min(spm->piece_count(), 64); ++id) spm->piece(id);
  return 0;
}
