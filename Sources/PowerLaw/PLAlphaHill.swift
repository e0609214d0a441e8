/// The reference's `filter_zeros` (`tempbalance-spec.md` §1): eigenvalues at or below a small
/// threshold count as zeros of a rank-deficient layer and are dropped before a fit.
public enum ZeroFilter {
    /// The reference threshold: eigenvalues λ ≤ 1e-5 are dropped.
    public static let referenceThreshold = 1e-5

    /// The values above `threshold`, in their order; all of `values` when none is above it (the
    /// reference's "if none are left, keep all"), so a fit always sees the whole spectrum of an
    /// all-zero layer rather than nothing.
    public static func apply(_ values: [Double], above threshold: Double = referenceThreshold) -> [Double] {
        let kept = values.filter { $0 > threshold }
        return kept.isEmpty ? values : kept
    }
}

/// TempBalance's per-layer metric PL_Alpha_Hill: the ESD, optionally zero-filtered
/// (`ZeroFilter`), then the Hill estimator at `xmin = λ[⌊N / xminPos⌋]` of the kept values:
///
///     α = 1 + n / ( Σ_{j=i}^{N−1} ln λ[j] − n · ln λ[i] ),   i = ⌊N / xminPos⌋, n = N − i
///
/// (N counts the kept values). The one place the analyzer (`hill_*` columns), the trainer's
/// in-loop probe and the FNO policy compute it, so the three agree to the bit.
///
/// Edge cases are `Hill.fit`'s typed failures: fewer than 2 kept values, xmin ≤ 0 (possible only
/// without filtering, or when every value is ≤ the threshold), or a tail of equal values.
public struct PLAlphaHill: Sendable {
    /// The eigenvalues the fit used, ascending (all of them, or the zero-filtered ones).
    public let fitValues: [Double]
    /// The Hill fit at `xminPos`.
    public let result: FitResult

    /// - Parameters:
    ///   - eigenvalues: the ESD, ascending.
    ///   - xminPos: a real number ≥ 1 (2 = top half, the FNO default; 1.5 = top third, RoBERTa).
    ///   - filterZeros: drop the values ≤ `zeroThreshold` first (on in the FNO reference, off in NLP).
    ///   - zeroThreshold: the filter's threshold, `ZeroFilter.referenceThreshold` unless a caller
    ///     offers another.
    public init(eigenvalues: [Double], xminPos: Double, filterZeros: Bool,
                zeroThreshold: Double = ZeroFilter.referenceThreshold) {
        fitValues = filterZeros ? ZeroFilter.apply(eigenvalues, above: zeroThreshold) : eigenvalues
        result = Hill.fit(fitValues, xminPos: xminPos)
    }

    /// α, or nil when the fit failed.
    public var alpha: Double? { result.fit?.alpha }
}
