#pragma once
// Weight normalisation (Salimans & Kingma 2016), row by row as
// torch.nn.utils.weight_norm(module, dim=0) for a weight [out, in]:
// w[o, :] = g[o] v[o, :] / ||v[o, :]||.
#include "s2s/core/tensor.h"

namespace s2s::kernels {

// v [out, in], g [out] -> w [out, in] and norms [out] (||v[o, :]||, summed in double).
void weight_norm(const Tensor& v, const Tensor& g, Tensor& w, Tensor& norms);

// With u = v[o, :] / n[o]:  dg[o] = gw[o, :] . u,  dv[o, :] = g[o] / n[o] (gw[o, :] - dg[o] u).
// gv, gg may be nullptr (not needed); each is written (= ) or accumulated (+=)
// as its flag says.
void weight_norm_backward(const Tensor& v, const Tensor& g, const Tensor& norms, const Tensor& gw, Tensor* gv,
                          bool accumulate_v, Tensor* gg, bool accumulate_g);

}  // namespace s2s::kernels
