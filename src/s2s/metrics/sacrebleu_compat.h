#pragma once
// The sacreBLEU release whose results and signature lines this folder
// reproduces. tests/metrics checks it against that release (pinned in
// scripts/python_env.sh); bump all three together.
namespace s2s::metrics {

inline constexpr const char* kSacrebleuVersion = "2.6.0";

}  // namespace s2s::metrics
