/// WeightWatcher's power-law fit for small spectra (`WWFit.fit_powerlaw_smallN`, 0.7.7), which
/// WeightWatcher switches to by itself when the fitted spectrum has fewer than 20 values.
/// htsr uses it only on request (`--small-n-fit`) and labels the result (`Estimator.smallN`).
public enum SmallNFit {
    /// WeightWatcher's switch-over: spectra with fewer values than this use the small-n fit.
    public static let cutoff = 20
    /// The smallest tail a candidate xmin may have.
    public static let minimumTail = 8

    /// For every candidate `xmin = λ[i]` with a tail of `n = N − i ≥ 8` values:
    ///
    ///     s = Σ_{j≥i} ln(λ[j]/λ[i])          (skipped if s ≤ 1e-12)
    ///     α = 1 + (n − 1) / s                 (bias-corrected MLE; skipped if α ≤ 1)
    ///     D = max_t | t/n − 1 + (λ[i+t]/λ[i])^(1−α) |
    ///     J = D − 0.868 / √n
    ///
    /// and picks the first candidate with the smallest J. If no candidate qualifies (N < 9),
    /// the whole spectrum is the tail (i = 0), as in the reference.
    ///
    /// - Returns: the fit (`estimator == .smallN`), or a failure when the spectrum is too short,
    ///   non-finite, or its tail is degenerate.
    public static func fit(_ values: [Double], method: FitMethod = .ks) -> FitResult {
        if let failure = validateSpectrum(values) { return .failure(failure) }
        let N = values.count
        guard N >= 2 else { return .failure(.tooFewValues(count: N, needed: 2)) }
        let tail = LogTail(sortedAscending: values)
        var best: (index: Int, alpha: Double, D: Double, J: Double)?
        for i in 0..<(N - 1) where N - i >= minimumTail && values[i] > 0 {
            guard let candidate = evaluate(tail, at: i) else { continue }
            if best == nil || candidate.J < best!.J { best = (i, candidate.alpha, candidate.D, candidate.J) }
        }
        if best == nil {
            guard values[0] > 0 else { return .failure(.nonPositiveXmin(xmin: values[0])) }
            guard let whole = evaluate(tail, at: 0) else { return .failure(.degenerateTail) }
            best = (0, whole.alpha, whole.D, whole.J)
        }
        let b = best!
        return .success(tail.makeFit(method: method, index: b.index, alpha: b.alpha, D: b.D, estimator: .smallN))
    }

    private static func evaluate(_ tail: LogTail, at i: Int) -> (alpha: Double, D: Double, J: Double)? {
        let n = Double(tail.count - i)
        let s = tail.logExcess(at: i)
        guard s > 1e-12 else { return nil }
        let alpha = 1 + (n - 1) / s
        guard alpha > 1 else { return nil }
        let D = tail.ksDistance(at: i, alpha: alpha)
        return (alpha, D, D - 0.868 / n.squareRoot())
    }
}
