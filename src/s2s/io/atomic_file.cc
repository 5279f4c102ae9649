#include "s2s/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "s2s/core/error.h"

namespace s2s::io {

namespace {

std::string errno_text() { return std::strerror(errno); }

std::string parent_dir(const std::string& path) {
  std::filesystem::path p(path);
  auto parent = p.parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

// Closes the descriptor and removes the temporary file unless released.
class TempFile {
 public:
  explicit TempFile(const std::string& target) : name_(target + ".tmp.XXXXXX") {
    fd_ = ::mkstemp(name_.data());
    S2S_CHECK(fd_ >= 0, target, ": cannot create a temporary file next to it (", errno_text(), ")");
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!released_) ::unlink(name_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  int fd() const { return fd_; }
  const std::string& name() const { return name_; }
  void close_fd(const std::string& target) {
    int rc = ::close(fd_);
    fd_ = -1;
    S2S_CHECK(rc == 0, target, ": close failed (", errno_text(), ")");
  }
  void release() { released_ = true; }

 private:
  std::string name_;
  int fd_ = -1;
  bool released_ = false;
};

}  // namespace

std::string read_file(const std::string& path) {
  // A directory opens as an empty stream on Linux: it must not read as an empty file.
  S2S_CHECK(!std::filesystem::is_directory(path), path, ": is a directory, expected a file");
  std::ifstream in(path, std::ios::binary);
  S2S_CHECK(in.good(), path, ": cannot open (", errno_text(), ")");
  std::ostringstream buf;
  buf << in.rdbuf();
  S2S_CHECK(!in.bad(), path, ": read failed");
  return buf.str();
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
  TempFile tmp(path);
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(tmp.fd(), p, left);
    if (n < 0 && errno == EINTR) continue;
    S2S_CHECK(n > 0, path, ": write failed (", errno_text(), ")");
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  S2S_CHECK(::fsync(tmp.fd()) == 0, path, ": fsync failed (", errno_text(), ")");
  // mkstemp creates 0600; model files are ordinary user files.
  ::fchmod(tmp.fd(), 0644);
  tmp.close_fd(path);
  S2S_CHECK(::rename(tmp.name().c_str(), path.c_str()) == 0, path, ": cannot rename the temporary file over it (",
            errno_text(), ")");
  tmp.release();
  sync_dir(parent_dir(path));
}

void make_dirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  S2S_CHECK(!ec, path, ": cannot create directory (", ec.message(), ")");
  S2S_CHECK(std::filesystem::is_directory(path), path, ": exists and is not a directory");
}

void sync_dir(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY);
  S2S_CHECK(fd >= 0, path, ": cannot open directory (", errno_text(), ")");
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  // Some file systems do not support fsync on directories; that is not an error worth failing a run for.
  S2S_CHECK(rc == 0 || err == EINVAL || err == ENOTSUP, path, ": fsync failed (", std::strerror(err), ")");
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

std::string write_dir_atomic(const std::string& dir, std::string_view what,
                             const std::function<void(const std::string& tmp)>& fill) {
  namespace fs = std::filesystem;
  fs::path out = fs::path(dir).lexically_normal();
  if (out.filename().empty()) out = out.parent_path();
  const fs::path parent = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  make_dirs(parent.string());
  std::string tmp_name = out.filename().string();  // built in place: "." + name + ... trips GCC 12's -Wrestrict
  tmp_name.insert(0, 1, '.');
  tmp_name += ".tmp" + std::to_string(::getpid());
  const fs::path tmp = parent / tmp_name;
  std::error_code ec;
  fs::remove_all(tmp, ec);
  try {
    make_dirs(tmp.string());
    fill(tmp.string());
    sync_dir(tmp.string());
    S2S_CHECK(!fs::exists(out), dir, " appeared while ", what, " was being written; not replacing it");
    fs::rename(tmp, out, ec);
    S2S_CHECK(!ec, dir, ": cannot move ", what, " into place (", ec.message(), ")");
    sync_dir(parent.string());
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  return out.string();
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

}  // namespace s2s::io
