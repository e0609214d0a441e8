internal import CKernels

/// Single-precision `exp` and `erf` as branch-free polynomials, so that element-wise loops over
/// them (GELU, the attention softmax) vectorise; the library functions (`expf`, `erff`) are scalar
/// calls and made GELU the FNO's most expensive layer. The formulas live once, in CKernels' header
/// (`htsr_fast_exp`: Cephes' `expf` — n = round(x·log₂e), r = x − n·ln 2 in two parts, a degree-7
/// polynomial for e^r on |r| ≤ ln2/2, 2^n put into the exponent bits; `htsr_fast_erf`: the rational
/// minimax approximation Eigen and XLA use for float on x clamped to [−4, 4]); the loops that use
/// them are CKernels' too.
///
/// Accuracy (checked in `FastMathTests` against the C library over a dense grid): `exp`
/// relative error < 1e-7 on [−87, 88] (0 below −87.3, +∞ above 88.7); `erf` absolute error
/// < 5e-7 (±1 beyond ±4, where erf rounds to ±1 in Float).
public enum FastMath {
    /// e^x (see above).
    public static func exp(_ x: Float) -> Float { htsr_fast_exp(x) }

    /// erf(x) (see above).
    public static func erf(_ x: Float) -> Float { htsr_fast_erf(x) }

    /// x[i] = exp(x[i]) for i < n: `exp` above in a CKernels loop (cloned per x86-64 level, so
    /// 16 or 8 lanes where the CPU has AVX-512 or AVX2; Swift code is built for the baseline's 4).
    public static func exp(_ x: UnsafeMutablePointer<Float>, count n: Int) {
        htsr_exp_f32(x, n)
    }
}
