/// How a power-law tail was chosen and fitted.
public enum FitMethod: String, Sendable, Codable, CaseIterable {
    /// Hill estimator at a fixed xmin, `λ[⌊N / xmin_pos⌋]` (TempBalance's `xmin_mid`, PL_Alpha_Hill).
    case hill
    /// Continuous power-law MLE with xmin chosen by the smallest KS distance (Clauset et al. 2009).
    case ks
    /// As `ks`, with candidates restricted around the peak of the log-ESD histogram (`xmin_peak`).
    case peak
}

/// A successful power-law fit `p(λ) ∝ λ^(−α)` for `λ ≥ xmin`.
public struct PowerLawFit: Sendable, Equatable, Codable {
    public var method: FitMethod
    /// The exponent α > 1.
    public var alpha: Double
    /// The lower cut-off, an eigenvalue of the spectrum.
    public var xmin: Double
    /// The largest eigenvalue (no upper cut-off is fitted).
    public var xmax: Double
    /// Index of `xmin` in the ascending spectrum.
    public var xminIndex: Int
    /// Number of values in the tail, `N − xminIndex` (xmin included).
    public var tailCount: Int
    /// Kolmogorov–Smirnov distance between the tail and the fitted law.
    public var D: Double
    /// Standard error of α, `(α − 1) / √n` with n the tail count.
    public var sigma: Double
    /// `#{λ ≥ xmin}` (WeightWatcher's num_pl_spikes; counts duplicates of xmin below the index).
    public var numPLSpikes: Int

    public init(method: FitMethod, alpha: Double, xmin: Double, xmax: Double, xminIndex: Int,
                tailCount: Int, D: Double, numPLSpikes: Int) {
        self.method = method
        self.alpha = alpha
        self.xmin = xmin
        self.xmax = xmax
        self.xminIndex = xminIndex
        self.tailCount = tailCount
        self.D = D
        self.sigma = (alpha - 1) / Double(tailCount).squareRoot()
        self.numPLSpikes = numPLSpikes
    }
}

/// Why a fit could not be made.
public enum FitFailure: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// Fewer eigenvalues than the method needs.
    case tooFewValues(count: Int, needed: Int)
    /// The tail starts at a value ≤ 0, so `ln xmin` is undefined.
    case nonPositiveXmin(xmin: Double)
    /// All tail values are equal: `Σ ln(λ/xmin) = 0` and α is unbounded.
    case degenerateTail
    /// No candidate xmin gave α > 1.
    case noValidCandidate
    /// The spectrum contains NaN or infinity.
    case nonFinite

    public var description: String {
        switch self {
        case let .tooFewValues(count, needed): return "too few eigenvalues (\(count) < \(needed))"
        case let .nonPositiveXmin(xmin): return "xmin = \(xmin) is not positive"
        case .degenerateTail: return "all tail eigenvalues are equal"
        case .noValidCandidate: return "no candidate xmin gives alpha > 1"
        case .nonFinite: return "the spectrum has NaN or infinite values"
        }
    }
}

/// The outcome of a fit: a `PowerLawFit` or the reason there is none.
public typealias FitResult = Result<PowerLawFit, FitFailure>

extension Result where Success == PowerLawFit, Failure == FitFailure {
    /// The fit, if it succeeded.
    public var fit: PowerLawFit? { if case let .success(f) = self { return f } else { return nil } }
    /// The failure, if there is one.
    public var failure: FitFailure? { if case let .failure(e) = self { return e } else { return nil } }
}
