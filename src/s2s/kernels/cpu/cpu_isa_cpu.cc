#include "s2s/kernels/cpu_isa.h"

#include <atomic>
#include <cstdlib>
#include <string>

#include "s2s/core/error.h"

namespace s2s::kernels {

namespace {

// -1 until the first active_cpu_isa(): then the chosen CpuIsa.
std::atomic<int> g_active{-1};

}  // namespace

const char* cpu_isa_name(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::Reference: return "reference";
    case CpuIsa::Avx2: return "avx2";
    case CpuIsa::Avx512Vnni: return "avx512_vnni";
  }
  return "?";
}

CpuIsa parse_cpu_isa(std::string_view name, std::string_view what) {
  for (CpuIsa isa : {CpuIsa::Reference, CpuIsa::Avx2, CpuIsa::Avx512Vnni})
    if (name == cpu_isa_name(isa)) return isa;
  fail(what, ": unknown instruction set '", name, "' (expected reference, avx2 or avx512_vnni)");
}

bool cpu_supports(CpuIsa isa) {
  __builtin_cpu_init();
  switch (isa) {
    case CpuIsa::Reference: return true;
    case CpuIsa::Avx2: return __builtin_cpu_supports("avx2") != 0;
    case CpuIsa::Avx512Vnni:
      return __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512bw") != 0 &&
             __builtin_cpu_supports("avx512vnni") != 0;
  }
  return false;
}

CpuIsa best_cpu_isa() {
  if (cpu_supports(CpuIsa::Avx512Vnni)) return CpuIsa::Avx512Vnni;
  if (cpu_supports(CpuIsa::Avx2)) return CpuIsa::Avx2;
  return CpuIsa::Reference;
}

CpuIsa cpu_isa_from_env(const char* value) {
  if (value == nullptr || *value == '\0') return best_cpu_isa();
  const CpuIsa isa = parse_cpu_isa(value, "S2S_CPU_ISA");
  S2S_CHECK(cpu_supports(isa), "S2S_CPU_ISA=", value, ": this CPU does not support that path (best available: ",
            cpu_isa_name(best_cpu_isa()), ")");
  return isa;
}

CpuIsa active_cpu_isa() {
  int v = g_active.load(std::memory_order_relaxed);
  if (v >= 0) return static_cast<CpuIsa>(v);
  const CpuIsa isa = cpu_isa_from_env(std::getenv("S2S_CPU_ISA"));
  g_active.store(static_cast<int>(isa), std::memory_order_relaxed);
  return isa;
}

void set_active_cpu_isa(CpuIsa isa) {
  S2S_CHECK(cpu_supports(isa), "instruction set ", cpu_isa_name(isa), ": not supported by this CPU (best available: ",
            cpu_isa_name(best_cpu_isa()), ")");
  g_active.store(static_cast<int>(isa), std::memory_order_relaxed);
}

}  // namespace s2s::kernels
