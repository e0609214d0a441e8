#ifndef HTSR_CKERNELS_H
#define HTSR_CKERNELS_H

#include <stdint.h>
#include <string.h>

// The scalar formulas below are also called from Swift (`FastMath.exp`, `FastMath.erf`); no FMA
// contraction where the header is compiled either, so Swift's scalar calls and the loops agree.
#pragma STDC FP_CONTRACT OFF

/// Element-wise single-precision kernels, compiled once per x86-64 level (v4: AVX-512, v3: AVX2 +
/// FMA, baseline SSE2) and chosen at load time (GCC/Clang `target_clones`, an ifunc), so that the
/// same binary runs everywhere and uses the widest vectors the CPU has. Swift code is built for the
/// baseline only, where these loops ran 4 lanes wide. The formulas are Train's `FastMath` (Cephes'
/// expf; the Eigen/XLA rational erf), `GELU` (exact form) and `Adam`, operation for operation and
/// compiled without FMA contraction (-ffp-contract=off), so every clone gives the bits the Swift
/// loops gave (the optimizer pins hold). Reached only through Train (`internal import CKernels`).

/// e^x: Cephes' expf, Train's `FastMath.exp`: n = round(x·log₂e) by the 1.5·2²³
/// trick, r = x − n·ln 2 in two parts, a degree-7 polynomial, 2^n into the exponent bits.
static inline float htsr_fast_exp(float x) {
    float xc = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
    float t = xc * 1.44269504f + 12582912.0f;
    float n = t - 12582912.0f;
    float r = xc - n * 0.693359375f + n * 2.12194440e-4f;
    float r2 = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float e = p * r2 + r + 1.0f;
    int32_t tb;
    memcpy(&tb, &t, sizeof tb);
    int32_t sb = (int32_t)(((uint32_t)tb - 0x4B400000u + 127u) << 23);
    float s;
    memcpy(&s, &sb, sizeof s);
    float v = e * s;
    return x < -87.3f ? 0.0f : (x > 88.7f ? __builtin_inff() : v);
}

/// erf(x): the rational approximation Eigen and XLA use for float, on x clamped to [−4, 4].
static inline float htsr_fast_erf(float x) {
    x = x < -4.0f ? -4.0f : (x > 4.0f ? 4.0f : x);
    float x2 = x * x;
    float p = -2.72614225801306e-10f;
    p = p * x2 + 2.77068142495902e-08f;
    p = p * x2 - 2.10102402082508e-06f;
    p = p * x2 - 5.69250639462346e-05f;
    p = p * x2 - 7.34990630326855e-04f;
    p = p * x2 - 2.95459980854025e-03f;
    p = p * x2 - 1.60960333262415e-02f;
    p *= x;
    float q = -1.45660718464996e-05f;
    q = q * x2 - 2.13374055278905e-04f;
    q = q * x2 - 1.68282697438203e-03f;
    q = q * x2 - 7.37332916720468e-03f;
    q = q * x2 - 1.42647390514189e-02f;
    return p / q;
}

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
