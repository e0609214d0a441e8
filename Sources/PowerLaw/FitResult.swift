/// How a power-law tail was chosen and fitted.
public enum FitMethod: String, Sendable, Codable, CaseIterable {
    /// Hill estimator at a fixed xmin, `λ[⌊N / xmin_pos⌋]` (TempBalance's `xmin_mid`, PL_Alpha_Hill).
    case hill
    /// Continuous power-law MLE with xmin chosen by the smallest KS distance (Clauset et al. 2009).
    case ks
    /// As `ks`, with candidates restricted around the peak of the log-ESD histogram (`xmin_peak`).
    case peak
    /// Truncated power law `p(λ) ∝ λ^(−α) e^(−Λλ)`: MLE of α and Λ at every candidate xmin, KS
    /// selection (see `TruncatedPowerLaw`).
    case tpl
}

/// Which estimator produced a fit's α.
public enum Estimator: String, Sendable, Codable, CaseIterable {
    /// The continuous power-law MLE `α = 1 + n / Σ ln(λ/xmin)` (Clauset et al. 2009).
    case mle
    /// WeightWatcher's small-sample estimator (`fit_powerlaw_smallN`): `α = 1 + (n − 1) / Σ ln(λ/xmin)`,
    /// tails of at least 8 values, xmin chosen by `D − 0.868/√n` (see `SmallNFit`).
    case smallN = "small_n"
    /// The joint MLE of α and Λ of the truncated power law (see `TruncatedPowerLaw`).
    case truncated = "tpl_mle"
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
    /// How α was estimated.
    public var estimator: Estimator
    /// The truncated power law's exponential rate Λ (in units of 1/λ, ≥ 0); nil for a pure power law.
    public var lambda: Double?

    /// - Parameter sigma: the standard error of α; by default the power-law value `(α − 1)/√n`.
    public init(method: FitMethod, alpha: Double, xmin: Double, xmax: Double, xminIndex: Int,
                tailCount: Int, D: Double, numPLSpikes: Int, estimator: Estimator = .mle,
                lambda: Double? = nil, sigma: Double? = nil) {
        self.method = method
        self.alpha = alpha
        self.xmin = xmin
        self.xmax = xmax
        self.xminIndex = xminIndex
        self.tailCount = tailCount
        self.D = D
        self.sigma = sigma ?? (alpha - 1) / Double(tailCount).squareRoot()
        self.numPLSpikes = numPLSpikes
        self.estimator = estimator
        self.lambda = lambda
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
    /// The truncated power law's likelihood could not be maximised at any candidate.
    case noConvergence

    public var description: String {
        switch self {
        case let .tooFewValues(count, needed): return "too few eigenvalues (\(count) < \(needed))"
        case let .nonPositiveXmin(xmin): return "xmin = \(xmin) is not positive"
        case .degenerateTail: return "all tail eigenvalues are equal"
        case .noValidCandidate: return "no candidate xmin gives alpha > 1"
        case .nonFinite: return "the spectrum has NaN or infinite values"
        case .noConvergence: return "the likelihood maximisation did not converge"
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
