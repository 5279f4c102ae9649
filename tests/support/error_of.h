#pragma once
// The message of the s2s::Error that fn throws, or "(no error)": lets a test
// assert the exact one-line error a user would see.
#include <functional>
#include <string>

#include "s2s/core/error.h"

namespace s2s::testing {

inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace s2s::testing
