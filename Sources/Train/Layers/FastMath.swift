internal import CKernels

/// Single-precision `exp` and `erf` written as branch-free polynomials, so that element-wise
/// loops over them (GELU) vectorise; the library functions (`expf`, `erff`) are scalar calls
/// and made GELU the FNO's most expensive layer.
///
/// Accuracy (checked in `FastMathTests` against the C library over a dense grid): `exp`
/// relative error < 1e-7 on [−87, 88] (0 below −87.3, +∞ above 88.7); `erf` absolute error
/// < 5e-7 (±1 beyond ±4, where erf rounds to ±1 in Float).
public enum FastMath {
    /// e^x: Cephes' `expf` — n = round(x·log₂e), r = x − n·ln 2 in two parts, a degree-7
    /// polynomial for e^r on |r| ≤ ln2/2, and 2^n put into the exponent bits.
    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let xc = Swift.min(Swift.max(x, -87.3), 88.7)
        // Round to the nearest integer with the 1.5·2²³ trick (no conversion that could trap,
        // so the loop vectorises): the low bits of t hold n.
        let t = xc * 1.442_695_04 + 12_582_912
        let n = t - 12_582_912
        let r = xc - n * 0.693_359_375 + n * 2.121_944_40e-4
        let r2 = r * r
        var p: Float = 1.987_569_150_0e-4
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        let e = p * r2 + r + 1
        let v = e * Float(bitPattern: (t.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
        return x < -87.3 ? 0 : (x > 88.7 ? .infinity : v)
    }

    /// erf(x): the rational minimax approximation Eigen and XLA use for float
    /// (odd degree-13 numerator, even degree-8 denominator) on x clamped to [−4, 4].
    @inlinable @inline(__always)
    public static func erf(_ x: Float) -> Float {
        let x = Swift.min(Swift.max(x, -4), 4)
        let x2 = x * x
        var p: Float = -2.726_142_258_013_06e-10
        p = p * x2 + 2.770_681_424_959_02e-08
        p = p * x2 - 2.101_024_020_825_08e-06
        p = p * x2 - 5.692_506_394_623_46e-05
        p = p * x2 - 7.349_906_303_268_55e-04
        p = p * x2 - 2.954_599_808_540_25e-03
        p = p * x2 - 1.609_603_332_624_15e-02
        p *= x
        var q: Float = -1.456_607_184_649_96e-05
        q = q * x2 - 2.133_740_552_789_05e-04
        q = q * x2 - 1.682_826_974_382_03e-03
        q = q * x2 - 7.373_329_167_204_68e-03
        q = q * x2 - 1.426_473_905_141_89e-02
        return p / q
    }

    /// x[i] = exp(x[i]) for i < n: `exp` above in a CKernels loop (cloned per x86-64 level, so
    /// 16 or 8 lanes where the CPU has AVX-512 or AVX2; Swift code is built for the baseline's 4).
    public static func exp(_ x: UnsafeMutablePointer<Float>, count n: Int) {
        htsr_exp_f32(x, n)
    }
}
