#pragma once
// Reads a text file line by line in large chunks, plain or gzip-compressed
// (detected from the content, so a .gz suffix is not needed). Windows line
// ends (CRLF) and a UTF-8 byte-order mark on the first line are accepted
// silently. Every line is checked to be UTF-8; errors name file:line:byte.
// Lines longer than max_line_bytes are not kept in memory: they come back
// empty with too_long() set, so one runaway line cannot exhaust memory.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace s2s::data {

struct LineReaderOptions {
  std::size_t max_line_bytes = std::size_t{1} << 20;
  std::size_t chunk_bytes = std::size_t{1} << 20;  // read size; tests and the fuzzer use tiny ones
  bool check_utf8 = true;
};

class LineReader {
 public:
  explicit LineReader(std::string path, LineReaderOptions options = {});
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its LF / CRLF; false at the end of the file. The
  // view stays valid until the next call.
  bool next(std::string_view& line);
  // True when the line last returned was over max_line_bytes (it is returned empty).
  bool too_long() const { return too_long_; }
  // 1-based number of the line last returned (0 before the first).
  std::uint64_t line_number() const { return line_; }
  const std::string& path() const { return path_; }
  std::string where() const { return path_ + ":" + std::to_string(line_); }
  // Skips up to n lines without checking them (used to resume a stream); returns how many were skipped.
  std::uint64_t skip(std::uint64_t n);

 private:
  bool read_raw(std::string_view& line);
  bool fill();

  std::string path_;
  LineReaderOptions options_;
  void* file_ = nullptr;  // gzFile
  std::unique_ptr<char[]> buf_;  // not zero-filled: opening a reader stays cheap
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  std::string read_error_;  // zlib's, reported once the lines before it are returned
  bool too_long_ = false;
  std::uint64_t line_ = 0;
};

// Number of lines in a file (a last line without LF counts), without checking them.
std::uint64_t count_lines(const std::string& path);

}  // namespace s2s::data
