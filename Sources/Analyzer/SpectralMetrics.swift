import Spectrum
#if canImport(Glibc)
import Glibc
#endif

/// Norm, rank and shape statistics of a layer's ESD (WeightWatcher's definitions).
public struct SpectralMetrics: Sendable, Equatable {
    /// λmax, the squared largest singular value (also WeightWatcher's `spectral_norm`).
    public var lambdaMax: Double
    public var lambdaMin: Double
    /// Σλ = ‖W‖_F² (times the conv norm for convolutions).
    public var norm: Double
    /// Σλ / λmax; nil for a zero matrix (λmax = 0), which has no stable rank.
    public var stableRank: Double?
    /// #{λ > λmax · N · ε}: the numerical rank as resolved by the Gram eigenvalues
    /// (see `init`); equals WeightWatcher's `matrix_rank` for matrices that are not
    /// rank-deficient to within √ε.
    public var matrixRank: Int
    /// Number of eigenvalues minus `matrixRank`.
    public var rankLoss: Int
    /// #{λ < 1e-6}.
    public var weakRankLoss: Int
    /// Spectral entropy `−Σ p ln p / ln(matrix_rank)` with `p = λ/Σλ + 1e-10`; nil when the
    /// rank is ≤ 1 (the normaliser ln 1 = 0).
    public var entropy: Double?
    /// λmax / λ[⌊n/2⌋] (nil when the median eigenvalue is 0).
    public var eigRatio: Double?

    public var spectralNorm: Double { lambdaMax }
    public var logNorm: Double { log10(norm) }
    public var logSpectralNorm: Double { log10(lambdaMax) }
    public var svMax: Double { lambdaMax.squareRoot() }
    public var svMin: Double { lambdaMin.squareRoot() }

    /// Computes the metrics of an ESD.
    ///
    /// `matrix_rank`: WeightWatcher counts σ > σmax · N · ε on SVD singular values. Eigenvalues
    /// of a Gram matrix carry an absolute error of about ε·λmax, so a zero singular value comes
    /// out near √ε·σmax; the threshold is therefore applied to λ, `λ > λmax · N · ε`, which is the
    /// Gram's own resolution (numpy's `matrix_rank` rule applied to WᵀW).
    public init(_ esd: ESD) {
        let values = esd.eigenvalues
        let n = values.count
        lambdaMax = values.last ?? 0
        lambdaMin = values.first ?? 0
        norm = values.reduce(0, +)
        stableRank = lambdaMax > 0 ? norm / lambdaMax : nil
        let tolerance = lambdaMax * Double(esd.matrices.N) * Double.ulpOfOne
        matrixRank = values.reduce(0) { $0 + ($1 > tolerance ? 1 : 0) }
        rankLoss = n - matrixRank
        weakRankLoss = values.reduce(0) { $0 + ($1 < 1e-6 ? 1 : 0) }
        if matrixRank > 1, norm > 0 {
            var h = 0.0
            for v in values {
                let p = v / norm + 1e-10
                h -= p * log(p)
            }
            entropy = h / log(Double(matrixRank))
        } else {
            entropy = nil
        }
        let median = n > 0 ? values[n / 2] : 0
        eigRatio = median > 0 ? lambdaMax / median : nil
    }
}

/// `log10 Σ λ_i^α` over all eigenvalues, computed as `α·log10 λmax + log10 Σ (λ_i/λmax)^α`
/// so that large α does not overflow.
public func logAlphaNormOf(_ values: [Double], alpha: Double) -> Double? {
    guard let top = values.last, top > 0 else { return nil }
    var s = 0.0
    for v in values where v > 0 { s += pow(v / top, alpha) }
    return alpha * log10(top) + log10(s)
}
