// libFuzzer target over the data layer's text parsing: the input bytes are
// read as a file (plain or gzip) by the TSV reader, the multi-reference
// reader and the vocabulary loader, and tokenized by the char, word and
// SentencePiece tokenizers. Any s2s::Error is an expected rejection; a crash,
// a sanitizer report or a broken round-trip promise is a bug.
// Build and run: fuzz/build.sh, then fuzz/run.sh SECONDS.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "s2s/core/error.h"
#include "s2s/data/char_tokenizer.h"
#include "s2s/data/corpus.h"
#include "s2s/data/multi_ref.h"
#include "s2s/data/spm_tokenizer.h"
#include "s2s/data/utf8.h"
#include "s2s/data/vocab.h"
#include "s2s/data/word_tokenizer.h"

using namespace s2s::data;

namespace {

int g_fd = -1;
std::string g_path;
std::unique_ptr<SpmTokenizer> g_spm;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "round-trip promise broken: %s\n", what);
    std::abort();
  }
}

// The input as a file without touching the disk: an in-memory file.
void expose(const std::uint8_t* data, std::size_t size) {
  ftruncate(g_fd, 0);
  if (size) pwrite(g_fd, data, size, 0);
}

template <typename F>
void expect_no_crash(F&& f) {
  try {
    f();
  } catch (const s2s::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_fd = memfd_create("s2s_fuzz_input", 0);
  g_path = "/proc/self/fd/" + std::to_string(g_fd);
  const char* syl[] = {"ka", "ri", "mo", "te", "su", "na", "lo", "pé", "ñu", "漢"};
  int i = 0;
  g_spm = SpmTokenizer::train(
      [&](std::string& s) {
        if (i == 500) return false;
        s.clear();
        for (int k = 0; k < 6; ++k) s += std::string(k ? " " : "") + syl[(i * 7 + k * 3) % 10] + syl[(i + k) % 10];
        ++i;
        return true;
      },
      SpmTrainOptions{"unigram", 40, 1.0, 0, 1});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  expose(data, size);
  LineReaderOptions lines;
  lines.max_line_bytes = 256;  // exercise the over-long path too
  lines.chunk_bytes = 16;      // and lines across chunk boundaries
  expect_no_crash([&] {
    auto reader = open_pairs(CorpusSpec{{g_path}}, lines);
    RawPair p;
    while (reader->next(p)) check(is_valid_utf8(p.src) && is_valid_utf8(p.tgt), "reader returned invalid UTF-8");
  });
  expect_no_crash([&] { read_multi_ref(CorpusSpec{{g_path}}, MultiRefOptions{'|', lines}); });
  expect_no_crash([&] { Vocab::load(g_path); });

  std::string_view text(reinterpret_cast<const char*>(data), size);
  CharTokenizer chars;
  TokenList tokens;
  chars.tokenize(text, tokens);  // promised for any bytes
  check(chars.detokenize(tokens.span()) == text, "char");
  if (!is_valid_utf8(text)) return 0;
  WordTokenizer words;
  words.tokenize(text, tokens);
  std::string joined = words.detokenize(tokens.span());
  std::vector<std::string> again = words.tokenize(joined);
  check(again == tokens.to_vector(), "word");
  expect_no_crash([&] {
    g_spm->tokenize(text, tokens);
    std::string decoded = g_spm->detokenize(tokens.span());
    check(is_valid_utf8(decoded), "spm decode gave invalid UTF-8");
  });
  return 0;
}
