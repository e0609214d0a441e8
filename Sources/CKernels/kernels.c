#include "CKernels.h"
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define HTSR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HTSR_CLONES
#endif

/// e^x: Cephes' expf, as Train's FastMath.exp (see there): n = round(x·log₂e) by the 1.5·2²³
/// trick, r = x − n·ln 2 in two parts, a degree-7 polynomial, 2^n into the exponent bits.
static inline float fast_exp(float x) {
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
static inline float fast_erf(float x) {
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

HTSR_CLONES
void htsr_gelu_forward_f32(float *y, const float *x, long n) {
    for (long i = 0; i < n; i++) {
        float v = x[i];
        y[i] = v * 0.5f * (1.0f + fast_erf(v * 0.707106781f));
    }
}

HTSR_CLONES
void htsr_gelu_backward_f32(float *dx, const float *dy, const float *x, long n) {
    for (long i = 0; i < n; i++) {
        float v = x[i];
        float cdf = 0.5f * (1.0f + fast_erf(v * 0.707106781f));
        dx[i] = dy[i] * (cdf + v * 0.398942280f * fast_exp(-0.5f * v * v));
    }
}

HTSR_CLONES
void htsr_exp_f32(float *x, long n) {
    for (long i = 0; i < n; i++) x[i] = fast_exp(x[i]);
}

/// The Adam element step on g (see the header).
static inline void adam_step(float *p, float g, float *m, float *v, float beta1, float beta2, float c1, float c2,
                             float lr, float eps) {
    float mi = beta1 * *m + (1.0f - beta1) * g;
    float vi = beta2 * *v + (1.0f - beta2) * g * g;
    *m = mi;
    *v = vi;
    *p -= lr * (mi / c1) / (__builtin_sqrtf(vi / c2) + eps);
}

HTSR_CLONES
void htsr_adam_f32(float *restrict p, const float *restrict grad, float *restrict m, float *restrict v, long n, float l2, float beta1, float beta2,
                   float c1, float c2, float lr, float eps) {
    // Two loops, so that without decay p is not read into g (0·∞ would be NaN).
    if (l2 != 0.0f) {
        for (long i = 0; i < n; i++) adam_step(p + i, grad[i] + l2 * p[i], m + i, v + i, beta1, beta2, c1, c2, lr, eps);
    } else {
        for (long i = 0; i < n; i++) adam_step(p + i, grad[i], m + i, v + i, beta1, beta2, c1, c2, lr, eps);
    }
}
