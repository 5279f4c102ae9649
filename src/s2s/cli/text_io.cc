#include "s2s/cli/text_io.h"

#include <stdio_ext.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "s2s/core/error.h"
#include "s2s/data/file_util.h"
#include "s2s/data/utf8.h"

namespace s2s::cli {

InputLines::InputLines(const std::string& path) : path_(path) {
  data::LineReaderOptions o;
  o.check_utf8 = false;  // checked below, the same way for a file and for stdin
  if (path != "-") file_ = std::make_unique<data::LineReader>(path, o);
}

bool InputLines::next(std::string& line, std::string* problem) {
  std::string bad_line;
  if (file_) {
    std::string_view v;
    if (!file_->next(v)) return false;
    line_ = file_->line_number();
    if (file_->too_long()) bad_line = detail::concat(name(), ":", line_, ": line too long");
    line.assign(v);
  } else {
    if (!std::getline(std::cin, line)) return false;
    ++line_;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_ == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // byte-order mark
  }
  if (std::size_t bad = data::find_invalid_utf8(line); bad_line.empty() && bad != data::kValidUtf8)
    bad_line = detail::concat(name(), ":", line_, ":", bad + 1, ": invalid UTF-8 (byte ",
                              data::hex_byte(static_cast<unsigned char>(line[bad])), ")");
  if (problem) *problem = bad_line;
  if (bad_line.empty()) return true;
  S2S_CHECK(problem != nullptr, bad_line);
  line.clear();
  return true;
}

OutputText::OutputText(const std::string& path) : path_(path) {
  if (path == "-") {
    f_ = stdout;
  } else {
    f_ = std::fopen(path.c_str(), "wb");
    S2S_CHECK(f_ != nullptr, path, ": cannot open for writing (", std::strerror(errno), ")");
  }
}

OutputText::~OutputText() {
  if (f_ && f_ != stdout) std::fclose(f_);
}

void OutputText::write(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), f_) != text.size()) write_failed(errno);
}

void OutputText::flush() {
  if (std::fflush(f_) != 0) write_failed(errno);
  if (f_ != stdout) flushed_ = ::ftello(f_);
}

void OutputText::close() {
  if (!f_) return;
  flush();
  if (f_ != stdout) {
    std::FILE* f = f_;
    f_ = nullptr;
    if (std::fclose(f) != 0) write_failed(errno);
  }
}

void OutputText::write_failed(int err) {
  if (f_ && f_ != stdout) {
    // Drop what stdio still buffers and cut the file back to whole lines.
    __fpurge(f_);
    int rc = ::ftruncate(::fileno(f_), flushed_);
    (void)rc;  // the write error below is what matters
    std::fclose(f_);
    f_ = nullptr;
  } else if (!f_ && path_ != "-") {
    int rc = ::truncate(path_.c_str(), flushed_);  // fclose failed: its last bytes may be cut
    (void)rc;
  }
  throw OutputWriteError(detail::concat(name(), ": write failed (", std::strerror(err), ")"));
}

void write_text_file(const std::string& path, const std::string& text) { data::write_file(path, text); }

}  // namespace s2s::cli
