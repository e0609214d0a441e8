/// Power-law MLE with xmin chosen by the Kolmogorov–Smirnov distance (Clauset, Shalizi and
/// Newman, SIAM Review 51, 2009), as WeightWatcher and TempBalance's reference code run it.
public enum KSFit {
    /// Scans every candidate `xmin = λ[i]`, `i = 0 … N−2`: α_i by MLE (no (n−1)/n correction),
    /// `D_i` the KS distance if α_i > 1, else 1; picks the first `i` with the smallest D.
    ///
    /// Exact but fast: α_i costs O(1) from suffix sums, and a candidate's D stops as soon as its
    /// running maximum reaches the best D so far (such a candidate can no longer be the first
    /// argmin), so the cost is far below N² in practice.
    ///
    /// - Parameter candidates: restricts the scanned indices (used by `xmin_peak`); all by default.
    public static func fit(_ values: [Double], candidates: Range<Int>? = nil, method: FitMethod = .ks) -> FitResult {
        if let failure = validateSpectrum(values) { return .failure(failure) }
        let N = values.count
        guard N >= 2 else { return .failure(.tooFewValues(count: N, needed: 2)) }
        let range = (candidates ?? 0..<(N - 1)).clamped(to: 0..<(N - 1))
        let tail = LogTail(sortedAscending: values)
        var best: (index: Int, alpha: Double, D: Double)?
        for i in range {
            // Candidates with undefined α or α ≤ 1 have D = 1 in the reference and never win
            // against a valid candidate (whose D ≤ 1); they are skipped.
            guard case let .success(alpha) = tail.alpha(at: i), alpha > 1 else { continue }
            let D = tail.ksDistance(at: i, alpha: alpha, cutoff: best?.D ?? .infinity)
            if best == nil || D < best!.D { best = (i, alpha, D) }
        }
        guard let b = best else { return .failure(.noValidCandidate) }
        return .success(tail.makeFit(method: method, index: b.index, alpha: b.alpha, D: b.D))
    }

    /// Every candidate's α and D, without early stopping: the data behind the "D versus xmin"
    /// and "α versus xmin" diagnostic figures. Candidates with undefined α have `nil`.
    public static func scan(_ values: [Double]) -> [KSCandidate] {
        guard values.count >= 2, validateSpectrum(values) == nil else { return [] }
        let tail = LogTail(sortedAscending: values)
        return (0..<(values.count - 1)).map { i in
            guard case let .success(alpha) = tail.alpha(at: i) else {
                return KSCandidate(index: i, xmin: values[i], alpha: nil, D: nil)
            }
            let D = alpha > 1 ? tail.ksDistance(at: i, alpha: alpha) : 1
            return KSCandidate(index: i, xmin: values[i], alpha: alpha, D: D)
        }
    }
}

/// One candidate of a KS scan.
public struct KSCandidate: Sendable, Equatable, Codable {
    public var index: Int
    public var xmin: Double
    public var alpha: Double?
    public var D: Double?
}
