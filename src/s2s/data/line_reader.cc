#include "s2s/data/line_reader.h"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "s2s/core/error.h"
#include "s2s/data/utf8.h"

namespace s2s::data {

LineReader::LineReader(std::string path, LineReaderOptions options) : path_(std::move(path)), options_(options) {
  S2S_CHECK(options_.max_line_bytes > 0 && options_.chunk_bytes > 0, "line reader: sizes must be positive");
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) fail("cannot open ", path_, ": ", std::strerror(errno));
  if (S_ISDIR(st.st_mode)) fail("cannot read ", path_, ": is a directory");
  errno = 0;
  gzFile f = gzopen(path_.c_str(), "rb");
  if (!f) fail("cannot open ", path_, ": ", errno ? std::strerror(errno) : "out of memory");
  gzbuffer(f, static_cast<unsigned>(std::clamp<std::size_t>(options_.chunk_bytes, 8192, 256 * 1024)));
  file_ = f;
  // Room for the longest kept line plus one chunk, so the buffer never grows.
  capacity_ = options_.max_line_bytes + options_.chunk_bytes;
  buf_.reset(new char[capacity_]);
}

LineReader::~LineReader() {
  if (file_) gzclose(static_cast<gzFile>(file_));
}

bool LineReader::fill() {
  auto* f = static_cast<gzFile>(file_);
  std::size_t room = std::min({capacity_ - end_, options_.chunk_bytes, std::size_t{INT_MAX}});
  int n = gzread(f, buf_.get() + end_, static_cast<unsigned>(room));
  int err = Z_OK;
  const char* msg = gzerror(f, &err);
  if (n < 0 || (err != Z_OK && err != Z_STREAM_END)) {
    // The bytes before the damage are good, and zlib may still hold some of
    // them: read on until it returns nothing, return the lines they complete,
    // then fail naming the line the damage cuts.
    if (read_error_.empty()) {
      read_error_ = err == Z_ERRNO ? std::strerror(errno) : msg;
      if (read_error_.starts_with(path_ + ": ")) read_error_.erase(0, path_.size() + 2);  // zlib names the file too
    }
    n = std::max(n, 0);
  }
  if (n == 0) eof_ = true;
  end_ += static_cast<std::size_t>(n);
  return n > 0;
}

bool LineReader::read_raw(std::string_view& line) {
  too_long_ = false;
  std::size_t scan = begin_;
  for (;;) {
    const char* base = buf_.get();
    if (const void* nl = std::memchr(base + scan, '\n', end_ - scan)) {
      std::size_t pos = static_cast<const char*>(nl) - base;
      line = too_long_ ? std::string_view{} : std::string_view(base + begin_, pos - begin_);
      begin_ = pos + 1;
      break;
    }
    scan = end_;
    if (eof_ && !read_error_.empty())
      fail(path_, ":", line_ + 1, ": cannot read: ", read_error_, " (corrupt or truncated gzip data?)");
    if (eof_) {
      if (begin_ == end_ && !too_long_) return false;
      line = too_long_ ? std::string_view{} : std::string_view(base + begin_, end_ - begin_);
      begin_ = end_;
      break;
    }
    if (end_ - begin_ > options_.max_line_bytes) {
      too_long_ = true;  // drop what we have of this line and keep scanning for its end
      begin_ = end_ = scan = 0;
    } else if (begin_ > 0) {
      std::memmove(buf_.get(), base + begin_, end_ - begin_);
      end_ -= begin_;
      scan -= begin_;
      begin_ = 0;
    }
    fill();
  }
  ++line_;
  return true;
}

bool LineReader::next(std::string_view& line) {
  if (!read_raw(line)) return false;
  if (too_long_) return true;
  std::size_t bom = 0;
  if (line_ == 1 && line.starts_with("\xEF\xBB\xBF")) {
    line.remove_prefix(3);
    bom = 3;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > options_.max_line_bytes) {
    too_long_ = true;
    line = {};
    return true;
  }
  if (options_.check_utf8) {
    std::size_t bad = find_invalid_utf8(line);
    if (bad != kValidUtf8)
      fail(path_, ":", line_, ":", bad + bom + 1, ": invalid UTF-8 (byte ", hex_byte(static_cast<unsigned char>(line[bad])),
           ")");
  }
  return true;
}

std::uint64_t LineReader::skip(std::uint64_t n) {
  std::string_view ignored;
  std::uint64_t k = 0;
  while (k < n && read_raw(ignored)) ++k;
  return k;
}

std::uint64_t count_lines(const std::string& path) {
  LineReaderOptions options;
  options.check_utf8 = false;
  LineReader reader(path, options);
  return reader.skip(UINT64_MAX);
}

}  // namespace s2s::data
