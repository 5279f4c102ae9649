#pragma once
// Line input from a file or stdin ("-") and output to a file or stdout, for
// the streaming commands. Files may be gzip-compressed (data::LineReader);
// stdin is read a line at a time, so output can follow input interactively.
// Every line is checked to be UTF-8; errors name the input and line.
#include <cstdio>
#include <memory>
#include <string>

#include "s2s/core/error.h"
#include "s2s/data/line_reader.h"

namespace s2s::cli {

class InputLines {
 public:
  explicit InputLines(const std::string& path);
  // The next line without its line end; false at the end of the input. A line
  // that is not UTF-8 or too long is an error naming input:line[:byte], unless
  // `problem` is given: then it comes back empty and *problem holds that
  // message ("" for a good line), so a caller can skip it and go on.
  bool next(std::string& line, std::string* problem = nullptr);
  std::string name() const { return path_ == "-" ? "<stdin>" : path_; }
  // 1-based number of the line last returned.
  std::uint64_t line_number() const { return line_; }

 private:
  std::string path_;
  std::unique_ptr<data::LineReader> file_;
  std::uint64_t line_ = 0;
};

// What OutputText throws when the output cannot be written (a full disk).
class OutputWriteError : public Error {
 public:
  using Error::Error;
};

// Text written as it is produced. A write error is an OutputWriteError
// naming the output; a file is then cut back to what the last
// successful flush() wrote, so it never ends in half a line.
class OutputText {
 public:
  explicit OutputText(const std::string& path);  // "-": stdout
  ~OutputText();
  OutputText(const OutputText&) = delete;
  OutputText& operator=(const OutputText&) = delete;

  void write(const std::string& text);
  void flush();
  void close();

 private:
  [[noreturn]] void write_failed(int err);
  std::string name() const { return path_ == "-" ? "<stdout>" : path_; }

  std::string path_;
  std::FILE* f_ = nullptr;
  long long flushed_ = 0;  // bytes of the file known to be written whole
};

// Writes a whole file (atomically: a temporary renamed into place).
void write_text_file(const std::string& path, const std::string& text);

}  // namespace s2s::cli
