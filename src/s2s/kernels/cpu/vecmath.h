#pragma once
// Fast exp, tanh and sigmoid for float arrays, accurate to a few ulp (max
// relative error < 1e-6 against the exact function wherever the result is a
// normal float) and with the special values of std::: exp overflows to +inf,
// underflows gracefully to 0, tanh saturates at +-1, sigmoid at 0 and 1, NaN
// propagates.
//
// Three forms, each computing bit-for-bit the same result for every input:
//   vexp / vtanh / vsigmoid      arrays (AVX2 body, scalar tail);
//   exp8 / tanh8 / sigmoid8      one __m256 (for hand-vectorised fused kernels);
//   fast_exp / fast_tanh / ...   scalar inline, branch-free, so GCC vectorises
//                                loops that call them.
// Identical results across forms let a fused kernel (scalar or SIMD) match the
// primitive ops exactly.
//
// Algorithms (Cephes single precision):
//   exp(x)  = 2^n * e^r, n = round(x / ln 2), r = x - n ln 2 (Cody-Waite, FMA),
//             e^r by a degree-7 polynomial; 2^n applied as two factors so the
//             denormal range and overflow to inf come out right.
//   tanh(x) = x + x^3 P(x^2) for |x| < 0.625 (no cancellation near 0),
//             sign(x) (1 - 2 / (e^{2|x|} + 1)) otherwise.
//   sigmoid = 1 / (1 + e^{-|x|}), mirrored as e * s for x < 0 (exact tails).
#include <bit>
#include <cmath>
#include <cstdint>

#ifdef __AVX2__
#include <immintrin.h>
#endif

namespace s2s::kernels::cpu {

namespace vecmath_detail {
inline constexpr float kExpHi = 89.0f;     // exp(89) overflows float: result +inf
inline constexpr float kExpLo = -104.0f;   // exp(-104) rounds to 0
inline constexpr float kLog2e = 1.44269504088896341f;
inline constexpr float kLn2Hi = 0.693359375f;       // exact in 9 bits: n * kLn2Hi is exact
inline constexpr float kLn2Lo = -2.12194440e-4f;
inline constexpr float kRound = 12582912.0f;        // 1.5 * 2^23: adding it rounds to an integer
inline constexpr std::int32_t kRoundBits = 0x4B400000;
inline constexpr float kP0 = 1.9875691500e-4f, kP1 = 1.3981999507e-3f, kP2 = 8.3334519073e-3f,
                       kP3 = 4.1665795894e-2f, kP4 = 1.6666665459e-1f, kP5 = 5.0000001201e-1f;
inline constexpr float kTanhSmall = 0.625f;
inline constexpr float kT0 = -5.70498872745e-3f, kT1 = 2.06390887954e-2f, kT2 = -5.37397155531e-2f,
                       kT3 = 1.33314422036e-1f, kT4 = -3.33332819422e-1f;

// Bitwise select: a plain `c ? a : b` lets GCC sink the division feeding one
// arm into a branch, which stops loops from vectorising.
inline float select(bool c, float a, float b) {
  std::uint32_t m = 0u - static_cast<std::uint32_t>(c);
  return std::bit_cast<float>((std::bit_cast<std::uint32_t>(a) & m) | (std::bit_cast<std::uint32_t>(b) & ~m));
}
}  // namespace vecmath_detail

inline float fast_exp(float x) {
  using namespace vecmath_detail;
  // (a < b ? b : a) keeps NaN and maps onto maxps/minps when vectorised.
  x = x < kExpLo ? kExpLo : x;
  x = kExpHi < x ? kExpHi : x;
  float kn = std::fma(x, kLog2e, kRound);
  std::int32_t n = std::bit_cast<std::int32_t>(kn) - kRoundBits;
  float fn = kn - kRound;
  float r = std::fma(fn, -kLn2Hi, x);
  r = std::fma(fn, -kLn2Lo, r);
  float p = std::fma(kP0, r, kP1);
  p = std::fma(p, r, kP2);
  p = std::fma(p, r, kP3);
  p = std::fma(p, r, kP4);
  p = std::fma(p, r, kP5);
  float r2 = r * r;
  p = std::fma(p, r2, r) + 1.0f;
  std::int32_t n1 = n >> 1, n2 = n - n1;
  float s1 = std::bit_cast<float>((n1 + 127) << 23);
  float s2 = std::bit_cast<float>((n2 + 127) << 23);
  return p * s1 * s2;
}

inline float fast_tanh(float x) {
  using namespace vecmath_detail;
  float ax = std::fabs(x);
  float z = x * x;
  float p = std::fma(kT0, z, kT1);
  p = std::fma(p, z, kT2);
  p = std::fma(p, z, kT3);
  p = std::fma(p, z, kT4);
  float small = std::fma(p * z, x, x);
  float e = fast_exp(ax + ax);
  float big = std::copysign(1.0f - 2.0f / (e + 1.0f), x);
  return select(ax < kTanhSmall, small, big);
}

inline float fast_sigmoid(float x) {
  using namespace vecmath_detail;
  float e = fast_exp(-std::fabs(x));
  float s = 1.0f / (1.0f + e);
  return select(x >= 0.0f, s, e * s);
}

#ifdef __AVX2__
inline __m256 exp8(__m256 x) {
  using namespace vecmath_detail;
  // max/min return their second operand when either is NaN: x second keeps NaN.
  x = _mm256_max_ps(_mm256_set1_ps(kExpLo), x);
  x = _mm256_min_ps(_mm256_set1_ps(kExpHi), x);
  __m256 kn = _mm256_fmadd_ps(x, _mm256_set1_ps(kLog2e), _mm256_set1_ps(kRound));
  __m256i n = _mm256_sub_epi32(_mm256_castps_si256(kn), _mm256_set1_epi32(kRoundBits));
  __m256 fn = _mm256_sub_ps(kn, _mm256_set1_ps(kRound));
  __m256 r = _mm256_fmadd_ps(fn, _mm256_set1_ps(-kLn2Hi), x);
  r = _mm256_fmadd_ps(fn, _mm256_set1_ps(-kLn2Lo), r);
  __m256 p = _mm256_fmadd_ps(_mm256_set1_ps(kP0), r, _mm256_set1_ps(kP1));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP2));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP3));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP4));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP5));
  __m256 r2 = _mm256_mul_ps(r, r);
  p = _mm256_add_ps(_mm256_fmadd_ps(p, r2, r), _mm256_set1_ps(1.0f));
  __m256i n1 = _mm256_srai_epi32(n, 1);
  __m256i n2 = _mm256_sub_epi32(n, n1);
  __m256i bias = _mm256_set1_epi32(127);
  __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
  __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

inline __m256 tanh8(__m256 x) {
  using namespace vecmath_detail;
  __m256 sign = _mm256_set1_ps(-0.0f);
  __m256 ax = _mm256_andnot_ps(sign, x);
  __m256 z = _mm256_mul_ps(x, x);
  __m256 p = _mm256_fmadd_ps(_mm256_set1_ps(kT0), z, _mm256_set1_ps(kT1));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(kT2));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(kT3));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(kT4));
  __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, z), x, x);
  __m256 one = _mm256_set1_ps(1.0f);
  __m256 e = exp8(_mm256_add_ps(ax, ax));
  __m256 big = _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, one)));
  big = _mm256_or_ps(_mm256_andnot_ps(sign, big), _mm256_and_ps(sign, x));  // copysign
  __m256 is_small = _mm256_cmp_ps(ax, _mm256_set1_ps(kTanhSmall), _CMP_LT_OQ);
  return _mm256_blendv_ps(big, small, is_small);
}

inline __m256 sigmoid8(__m256 x) {
  __m256 one = _mm256_set1_ps(1.0f);
  __m256 e = exp8(_mm256_or_ps(x, _mm256_set1_ps(-0.0f)));  // exp(-|x|)
  __m256 s = _mm256_div_ps(one, _mm256_add_ps(one, e));
  __m256 nonneg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ);
  return _mm256_blendv_ps(_mm256_mul_ps(e, s), s, nonneg);
}
#endif

// y may equal x (in place).
inline void vexp(const float* x, float* y, std::int64_t n) {
  std::int64_t i = 0;
#ifdef __AVX2__
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, exp8(_mm256_loadu_ps(x + i)));
#endif
  for (; i < n; ++i) y[i] = fast_exp(x[i]);
}

inline void vtanh(const float* x, float* y, std::int64_t n) {
  std::int64_t i = 0;
#ifdef __AVX2__
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, tanh8(_mm256_loadu_ps(x + i)));
#endif
  for (; i < n; ++i) y[i] = fast_tanh(x[i]);
}

inline void vsigmoid(const float* x, float* y, std::int64_t n) {
  std::int64_t i = 0;
#ifdef __AVX2__
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, sigmoid8(_mm256_loadu_ps(x + i)));
#endif
  for (; i < n; ++i) y[i] = fast_sigmoid(x[i]);
}

}  // namespace s2s::kernels::cpu
