#pragma once
// Which instruction set the int8 kernels run on. One Release binary is built
// for AVX2 (the baseline) and carries its AVX-512 VNNI kernels behind
// function target attributes; the path is chosen once from CPUID, or forced
// with the environment variable S2S_CPU_ISA=reference|avx2|avx512_vnni
// (a path the CPU lacks is refused with an s2s::Error). Every path gives the
// same bits (exact integer accumulation), so the choice changes speed only.
#include <string_view>

namespace s2s::kernels {

enum class CpuIsa { Reference, Avx2, Avx512Vnni };

const char* cpu_isa_name(CpuIsa isa);  // "reference", "avx2", "avx512_vnni"
// Parses a name of cpu_isa_name; fails naming `what` (e.g. "S2S_CPU_ISA") and the choices.
CpuIsa parse_cpu_isa(std::string_view name, std::string_view what);

// Whether this CPU (and OS) runs the path; the reference runs everywhere.
bool cpu_supports(CpuIsa isa);
// The fastest path this CPU supports.
CpuIsa best_cpu_isa();

// The path an S2S_CPU_ISA value asks for (null or empty: best_cpu_isa());
// fails on an unknown name or a path this CPU lacks.
CpuIsa cpu_isa_from_env(const char* value);

// The path int8 products take: S2S_CPU_ISA when set (checked on first use;
// an unknown name or an unsupported path throws), else best_cpu_isa().
CpuIsa active_cpu_isa();
// Forces a path for this process (tests, benchmarks); fails when the CPU lacks it.
void set_active_cpu_isa(CpuIsa isa);

}  // namespace s2s::kernels
