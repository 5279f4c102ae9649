#include "s2s/data/file_util.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "s2s/core/error.h"

namespace s2s::data {

std::string read_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail("cannot open ", path, ": ", std::strerror(errno));
  if (S_ISDIR(st.st_mode)) fail("cannot read ", path, ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open ", path, ": ", std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) fail("cannot read ", path, ": ", std::strerror(errno));
  return buf.str();
}

// Written to a unique temporary next to `path`, fsynced and renamed over it,
// so a full disk or a crash leaves the old file or the complete new one, never
// a cut one under the final name; the temporary is removed on failure so it
// does not hold space. (io::write_file_atomic also fsyncs the directory.)
void write_file(const std::string& path, std::string_view bytes) {
  std::string tmp = path + ".tmp.XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) fail(path, ": cannot create a temporary file next to it (", std::strerror(errno), ")");
  int err = 0;
  for (std::size_t done = 0; done < bytes.size() && err == 0;) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) err = n < 0 ? errno : EIO;
    else done += static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (err == 0) ::fchmod(fd, 0644);  // mkstemp creates 0600; these are ordinary user files
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && std::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    fail(path, ": cannot write (", std::strerror(err), ")");
  }
}

bool same_file(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty() || a == "-" || b == "-") return false;
  struct stat sa {}, sb {};
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;  // a file yet to be written is no input
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

void check_output_is_not_input(const std::string& command, const NamedPath& output, std::span<const NamedPath> inputs) {
  for (const NamedPath& in : inputs)
    S2S_CHECK(!same_file(output.path, in.path), command, ": ", output.option, " ", output.path, " is the same file as ",
              in.option, " ", in.path, ": writing it would destroy the input; choose another output file");
}

}  // namespace s2s::data
