#include "CKernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define HTSR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HTSR_CLONES
#endif

HTSR_CLONES
void htsr_gelu_forward_f32(float *y, const float *x, long n) {
    for (long i = 0; i < n; i++) {
        float v = x[i];
        y[i] = v * 0.5f * (1.0f + htsr_fast_erf(v * 0.707106781f));
    }
}

HTSR_CLONES
void htsr_gelu_backward_f32(float *dx, const float *dy, const float *x, long n) {
    for (long i = 0; i < n; i++) {
        float v = x[i];
        float cdf = 0.5f * (1.0f + htsr_fast_erf(v * 0.707106781f));
        dx[i] = dy[i] * (cdf + v * 0.398942280f * htsr_fast_exp(-0.5f * v * v));
    }
}

HTSR_CLONES
void htsr_exp_f32(float *x, long n) {
    for (long i = 0; i < n; i++) x[i] = htsr_fast_exp(x[i]);
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
