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
#include "s2s/data/file_util.h"

namespace s2s::io {

namespace {

std::string errno_text() { return std::strerror(errno); }

std::string parent_dir(const std::string& path) {
  std::filesystem::path p(path);
  auto parent = p.parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

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
  data::write_file(path, bytes);
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
