#pragma once
// Errors: one exception type whose message is the one line a user sees.
#include <sstream>
#include <stdexcept>
#include <string>

namespace s2s {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
template <typename... Args>
std::string concat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}
}  // namespace detail

template <typename... Args>
[[noreturn]] void fail(const Args&... args) {
  throw Error(detail::concat(args...));
}

}  // namespace s2s

// Checks an invariant that callers can violate; the message names what was expected.
#define S2S_CHECK(cond, ...)                 \
  do {                                       \
    if (!(cond)) ::s2s::fail(__VA_ARGS__);   \
  } while (0)
