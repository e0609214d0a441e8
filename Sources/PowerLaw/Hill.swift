import Settings

/// The Hill estimator at a fixed xmin: TempBalance's PL_Alpha_Hill (`xmin_mid`).
public enum Hill {
    /// The documented range of `xminPos` (1 = the whole spectrum; beyond 10⁶ the tail is the
    /// whole spectrum of any real layer anyway). Callers check settings against it.
    public static let xminPosRange = SettingRange<Double>(1, 1e6)

    /// Fits the tail `λ[i...]` with `i = ⌊N / xminPos⌋`, `xmin = λ[i]`, `n = N − i`:
    ///
    ///     α = 1 + n / ( Σ_{j=i}^{N−1} ln λ[j] − n · ln λ[i] )
    ///     D = max_{t=0..n−1} | 1 − (λ[i+t]/xmin)^(1−α) − t/n |
    ///
    /// `xminPos = 2` takes the top half, `1.5` the top third. Reference: TempBalance
    /// (`esd_utils.py`, `net_esd_estimator`, NeurIPS 2023 / EMNLP 2024).
    ///
    /// - Parameters:
    ///   - values: the eigenvalues, ascending.
    ///   - xminPos: a real number ≥ 1.
    /// - Returns: the fit, or a failure when N < 2, xmin ≤ 0, or all tail values are equal.
    public static func fit(_ values: [Double], xminPos: Double = 2) -> FitResult {
        precondition(xminPos >= 1, "xminPos must be at least 1")
        if let failure = validateSpectrum(values) { return .failure(failure) }
        let N = values.count
        guard N >= 2 else { return .failure(.tooFewValues(count: N, needed: 2)) }
        let i = Int((Double(N) / xminPos).rounded(.down))
        guard i < N else { return .failure(.tooFewValues(count: N, needed: 2)) }
        let tail = LogTail(sortedAscending: values)
        switch tail.alpha(at: i) {
        case let .failure(reason): return .failure(reason)
        case let .success(alpha):
            let D = tail.ksDistance(at: i, alpha: alpha)
            return .success(tail.makeFit(method: .hill, index: i, alpha: alpha, D: D))
        }
    }
}
