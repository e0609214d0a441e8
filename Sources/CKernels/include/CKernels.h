#ifndef HTSR_CKERNELS_H
#define HTSR_CKERNELS_H

/// Element-wise single-precision kernels, compiled once per x86-64 level (v4: AVX-512, v3: AVX2 +
/// FMA, baseline SSE2) and chosen at load time (GCC/Clang `target_clones`, an ifunc), so that the
/// same binary runs everywhere and uses the widest vectors the CPU has. Swift code is built for the
/// baseline only, where these loops ran 4 lanes wide. The formulas are Train's `FastMath` (Cephes'
/// expf; the Eigen/XLA rational erf), `GELU` (exact form) and `Adam`, operation for operation and
/// compiled without FMA contraction (-ffp-contract=off), so every clone gives the bits the Swift
/// loops gave (the optimizer pins hold). Reached only through Train (`internal import CKernels`).

/// y[i] = x[i] · ½(1 + erf(x[i]/√2)), i < n. y may be x.
void htsr_gelu_forward_f32(float *y, const float *x, long n);

/// dx[i] = dy[i] · (Φ(x[i]) + x[i] · φ(x[i])), i < n. dx may be dy.
void htsr_gelu_backward_f32(float *dx, const float *dy, const float *x, long n);

/// x[i] = e^{x[i]}, i < n (0 below −87.3, +∞ above 88.7).
void htsr_exp_f32(float *x, long n);

/// One Adam step (PyTorch's torch.optim.Adam) on n elements, in this order per element:
/// g = grad + l2·p (p before the step), m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g²,
/// p ← p − lr·(m / c1) / (√(v / c2) + eps), with c1 = 1 − β1ᵗ, c2 = 1 − β2ᵗ. l2 = 0: no decay.
/// The four arrays must not overlap.
void htsr_adam_f32(float *restrict p, const float *restrict grad, float *restrict m, float *restrict v, long n, float l2, float beta1, float beta2,
                   float c1, float c2, float lr, float eps);

#endif
