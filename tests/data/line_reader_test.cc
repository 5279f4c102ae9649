// UTF-8 validation and the chunked line reader: plain, gzip, CRLF, BOM,
// over-long lines, and the error for each unreadable input.
#include <sys/stat.h>

#include "data/data_test_util.h"
#include "s2s/data/line_reader.h"
#include "s2s/data/utf8.h"

namespace s2s::data {
namespace {

using s2s::testing::fixture;
using s2s::testing::TempDir;

std::vector<std::string> read_all(const std::string& path, LineReaderOptions o = {}) {
  LineReader r(path, o);
  std::vector<std::string> lines;
  std::string_view line;
  while (r.next(line)) lines.push_back(r.too_long() ? "<too long>" : std::string(line));
  return lines;
}

TEST(Utf8, AcceptsValidText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("fué á ñ ▁ 漢字 😀"));
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_EQ(utf8_length("fué▁😀"), 5u);
}

TEST(Utf8, FindsTheFirstInvalidByte) {
  EXPECT_EQ(find_invalid_utf8("ab\xFF"), 2u);
  EXPECT_EQ(find_invalid_utf8("a\x80"), 1u);              // lone continuation byte
  EXPECT_EQ(find_invalid_utf8("\xC0\xAF"), 0u);           // overlong '/'
  EXPECT_EQ(find_invalid_utf8("x\xE0\x80\xAF"), 1u);      // overlong 3-byte form
  EXPECT_EQ(find_invalid_utf8("\xED\xA0\x80"), 0u);       // UTF-16 surrogate
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);   // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("ok\xE2\x96"), 2u);         // truncated sequence
  EXPECT_EQ(find_invalid_utf8("é\xC3(x"), 2u);            // bad continuation
}

TEST(LineReader, ReadsLinesWithAndWithoutFinalNewline) {
  TempDir t;
  EXPECT_EQ(read_all(t.file("a.txt", "one\ntwo\n")), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(read_all(t.file("b.txt", "one\n\nthree")), (std::vector<std::string>{"one", "", "three"}));
  EXPECT_EQ(count_lines(t.file("c.txt", "a\nb\nc")), 3u);
}

TEST(LineReader, AcceptsCrlfAndBomSilently) {
  EXPECT_EQ(read_all(fixture("crlf_bom.tsv")),
            (std::vector<std::string>{"h e l l o\tHH AH L OW", "w o r l d\tW ER L D"}));
}

TEST(LineReader, ReadsGzipTransparently) {
  TempDir t;
  std::string big;
  for (int i = 0; i < 100000; ++i) big += "line " + std::to_string(i) + "\n";
  auto lines = read_all(t.gz("big.txt.gz", big));
  ASSERT_EQ(lines.size(), 100000u);
  EXPECT_EQ(lines[0], "line 0");
  EXPECT_EQ(lines[99999], "line 99999");
  // Named without .gz: detected from the content.
  EXPECT_EQ(read_all(t.gz("nosuffix", "x\ty\n")), (std::vector<std::string>{"x\ty"}));
}

TEST(LineReader, LinesAcrossChunkBoundaries) {
  TempDir t;
  std::string text;
  std::vector<std::string> expected;
  for (int i = 0; i < 3000; ++i) {
    expected.push_back(std::string(static_cast<std::size_t>(i % 997) + 1, static_cast<char>('a' + i % 26)));
    text += expected.back() + "\n";
  }
  std::string path = t.file("chunks.txt", text);
  EXPECT_EQ(read_all(path), expected);
  for (std::size_t chunk : {1, 7, 4096}) {
    LineReaderOptions o;
    o.chunk_bytes = chunk;
    EXPECT_EQ(read_all(path, o), expected) << chunk;
    EXPECT_EQ(read_all(t.gz("chunks.gz", text), o), expected) << chunk;
  }
}

TEST(LineReader, OverLongLinesComeBackEmptyAndFlagged) {
  TempDir t;
  LineReaderOptions o;
  o.max_line_bytes = 10;
  std::string huge(5'000'000, 'x');  // several buffer refills inside one line
  std::string path = t.file("long.txt", "short\n" + huge + "\nafter\n" + std::string(11, 'y'));
  std::vector<std::string> expected = {"short", "<too long>", "after", "<too long>"};
  EXPECT_EQ(read_all(path, o), expected);
  o.chunk_bytes = 3;
  EXPECT_EQ(read_all(path, o), expected);
  o.max_line_bytes = 5;  // "short" fits exactly, with the LF in the next chunk
  EXPECT_EQ(read_all(path, o), expected);
}

TEST(LineReader, InvalidUtf8NamesFileLineAndByte) {
  std::string path = fixture("invalid_utf8.tsv");
  EXPECT_ERROR(read_all(path), path + ":2:5: invalid UTF-8 (byte 0xFF)");
  TempDir t;
  // The byte position counts the BOM on line 1.
  std::string bom = t.file("bom.txt", "\xEF\xBB\xBF" "ab\xC3");
  EXPECT_ERROR(read_all(bom), bom + ":1:6: invalid UTF-8 (byte 0xC3)");
}

TEST(LineReader, MissingFileAndDirectory) {
  EXPECT_ERROR(LineReader("/nonexistent/train.tsv"), "cannot open /nonexistent/train.tsv: No such file or directory");
  TempDir t;
  EXPECT_ERROR(LineReader(t.dir()), "cannot read " + t.dir() + ": is a directory");
}

TEST(LineReader, UnreadableFile) {
  TempDir t;
  std::string locked = t.file("locked.tsv", "a\tb\n");
  ::chmod(locked.c_str(), 0);
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: permissions cannot make a file unreadable";
  EXPECT_ERROR(LineReader{locked}, "cannot open " + locked + ": Permission denied");
}

TEST(LineReader, CorruptAndTruncatedGzip) {
  TempDir t;
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "some line of text " + std::to_string(i) + "\n";
  std::string gz = t.gz("full.gz", text);
  std::ifstream in(gz, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::string truncated = t.file("truncated.gz", bytes.substr(0, bytes.size() / 2));
  EXPECT_ERROR_HAS(read_all(truncated), truncated + ":");
  EXPECT_ERROR_HAS(read_all(truncated), "(corrupt or truncated gzip data?)");
  std::string garbled = bytes;
  for (std::size_t i = 20; i < 60; ++i) garbled[i] = static_cast<char>(garbled[i] ^ 0x5A);
  std::string corrupt = t.file("corrupt.gz", garbled);
  EXPECT_ERROR_HAS(read_all(corrupt), "(corrupt or truncated gzip data?)");
}

TEST(LineReader, SkipResumesAtTheRightLine) {
  TempDir t;
  LineReader r(t.file("s.txt", "a\nb\nc\nd\n"));
  EXPECT_EQ(r.skip(2), 2u);
  std::string_view line;
  ASSERT_TRUE(r.next(line));
  EXPECT_EQ(line, "c");
  EXPECT_EQ(r.line_number(), 3u);
  EXPECT_EQ(r.skip(10), 1u);
  EXPECT_FALSE(r.next(line));
}

}  // namespace
}  // namespace s2s::data

namespace s2s::data {
namespace {

// A gzip file cut short: every complete line before the cut comes back, then
// the error names the line the cut falls in, not line 1.
TEST(LineReader, TruncatedGzipNamesTheLineItCuts) {
  s2s::testing::TempDir t;
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "some line of text " + std::to_string(i) + "\n";
  std::string gz = t.gz("full.gz", text);
  std::ifstream in(gz, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::string truncated = t.file("truncated.gz", bytes.substr(0, bytes.size() / 2));
  std::vector<std::uint64_t> counts;  // every chunk size reads the same lines
  for (std::size_t chunk : {std::size_t{1} << 20, std::size_t{4096}, std::size_t{100}}) {
    LineReaderOptions o;
    o.chunk_bytes = chunk;
    LineReader r(truncated, o);
    std::string_view line;
    std::uint64_t good = 0;
    std::string error = s2s::testing::error_of([&] {
      while (r.next(line)) {
        ASSERT_EQ(line, "some line of text " + std::to_string(good));
        ++good;
      }
    });
    EXPECT_GT(good, 1000u) << "chunk " << chunk;
    EXPECT_LT(good, 20000u);
    EXPECT_EQ(error, truncated + ":" + std::to_string(good + 1) +
                         ": cannot read: unexpected end of file (corrupt or truncated gzip data?)");
    counts.push_back(good);
  }
  EXPECT_EQ(counts[1], counts[0]);
  EXPECT_EQ(counts[2], counts[0]);
}

}  // namespace
}  // namespace s2s::data
