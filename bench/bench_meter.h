#pragma once
// Timing helpers shared by the seq2seq bench programs, mirroring the peer's
// Meter (../shared/bench/peer_torch_seq2seq.py): wall time, own CPU time, and
// the CPU that *other* processes used over the same span (from /proc/stat),
// so run_speed.py can reject runs that shared the cores with someone else.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <unistd.h>
#include <vector>

namespace s2s::bench {

// Busy jiffies of the whole machine (user nice system irq softirq).
inline double machine_busy_seconds() {
  std::FILE* f = std::fopen("/proc/stat", "r");
  if (!f) return 0.0;
  unsigned long long v[7] = {};
  int got = std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]);
  std::fclose(f);
  if (got != 7) return 0.0;
  return static_cast<double>(v[0] + v[1] + v[2] + v[5] + v[6]) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

inline double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

inline double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

class Meter {
 public:
  Meter() : wall0_(now_seconds()), cpu0_(process_cpu_seconds()), busy0_(machine_busy_seconds()) {}
  double wall() const { return now_seconds() - wall0_; }
  // Cores' worth of CPU used by other processes during the span.
  double other_cores() const {
    double w = wall(), own = process_cpu_seconds() - cpu0_, busy = machine_busy_seconds() - busy0_;
    return w > 0 ? std::max(0.0, busy - own) / w : 0.0;
  }

 private:
  double wall0_, cpu0_, busy0_;
};

inline double median(std::vector<double> xs) {
  if (xs.empty()) return 0.0;
  std::sort(xs.begin(), xs.end());
  std::size_t n = xs.size();
  return n % 2 ? xs[n / 2] : 0.5 * (xs[n / 2 - 1] + xs[n / 2]);
}

inline double peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

}  // namespace s2s::bench
