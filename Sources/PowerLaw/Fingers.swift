/// The outcome of `ClipXmax.fit`: the fit after clipping, how many top eigenvalues were clipped,
/// and the fit of the whole spectrum.
public struct FingersFit: Sendable, Equatable {
    /// The selected fit: the first clipped fit whose α dropped enough, else the unclipped one.
    public var fit: FitResult
    /// The number of largest eigenvalues removed for `fit` (0 when none was).
    public var numFingers: Int
    /// The KS fit of the whole spectrum (WeightWatcher's `raw_alpha` is its α).
    public var raw: FitResult
}

/// WeightWatcher's `fix_fingers='clip_xmax'` (`fit_clipped_powerlaw`, 0.7.7): "fingers" are a few
/// outlying top eigenvalues (finite-size effects) that inflate the KS power-law α; clipping them
/// reveals the tail's exponent.
public enum ClipXmax {
    /// Fits the whole spectrum (KS, `raw`), then refits with the top `k` values removed for
    /// `k = 2 … maxFingers − 1`, stopping at the first `k` with `α_k + threshold < α_raw` (that
    /// fit is selected and `numFingers = k`) or with `α_k ≤ minAlpha` (nothing is selected).
    ///
    /// Differences from WeightWatcher, on purpose: `numFingers` is the number of values clipped,
    /// `k` (WeightWatcher reports `k − 1`); `maxFingers` is used as given (WeightWatcher replaces
    /// any value below half the spectrum size by 10); a refit that fails stops the search
    /// instead of failing the layer. `num_pl_spikes` counts the tail in the whole spectrum, as
    /// WeightWatcher does.
    ///
    /// - Parameters:
    ///   - values: the eigenvalues, ascending (already restricted to λ above the zero threshold).
    ///   - maxFingers: one more than the most values clipped (WeightWatcher's `max_fingers`, 10).
    ///   - threshold: the drop in α that counts as a finger (`finger_thresh`, 1.0).
    ///   - minAlpha: stop once a clipped α is at most this (2.0).
    public static func fit(_ values: [Double], maxFingers: Int = 10, threshold: Double = 1.0,
                           minAlpha: Double = 2.0) -> FingersFit {
        let raw = KSFit.fit(values)
        guard let rawFit = raw.fit else { return FingersFit(fit: raw, numFingers: 0, raw: raw) }
        var k = 2
        while k < maxFingers && values.count - k >= 2 {
            guard var clipped = KSFit.fit(Array(values.dropLast(k))).fit else { break }
            if clipped.alpha + threshold < rawFit.alpha {
                clipped.numPLSpikes = LogTail(sortedAscending: values).countAtLeast(clipped.xmin)
                return FingersFit(fit: .success(clipped), numFingers: k, raw: raw)
            }
            if clipped.alpha <= minAlpha { break }
            k += 1
        }
        return FingersFit(fit: raw, numFingers: 0, raw: raw)
    }
}
