#pragma once
// Python-style fixed-point formatting (f"{x:.{digits}f}"): both Python and
// glibc's printf round the exact binary value half to even.
#include <string>

namespace s2s::metrics {

std::string fixed(double value, int digits);

}  // namespace s2s::metrics
