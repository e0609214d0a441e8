#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which law an MP fit matched.
public enum SpectralLaw: String, Sendable, Codable {
    /// Marchenko–Pastur on the eigenvalues (Q > 1).
    case marchenkoPastur = "MP"
    /// The quarter circle on the singular values (Q = 1).
    case quarterCircle = "QC"
}

/// The result of a Marchenko–Pastur fit of an ESD (WeightWatcher's `mp_fit` columns).
public struct MPFit: Sendable, Equatable {
    public var law: SpectralLaw
    /// The aspect ratio N/M.
    public var Q: Double
    /// σ of the best-matching law, in the rescaled units (`sigma_mp`; 1 for a Gaussian matrix).
    public var sigma: Double
    /// The rescaling `λ' = W_scale² · λ` that gives the eigenvalues mean 1 (`W_scale`).
    public var wScale: Double
    /// The bulk edges `x± = σ²(1 ± 1/√Q)²` in the ESD's own units (`bulk_min`, `bulk_max`).
    public var bulkMin: Double
    public var bulkMax: Double
    /// The Tracy–Widom width `TW = Q^(−1/2) · x₊^(2/3) · M^(−2/3)`, x₊ in rescaled units.
    public var twWidth: Double
    /// The spike threshold `x₊ + √TW`, in the ESD's units.
    public var spikeThreshold: Double
    /// `#{λ' > x₊ + √TW}` (`num_spikes`).
    public var numSpikes: Int
    /// `x₊ / λ'_max` (`mp_softrank`).
    public var softrank: Double
    /// The best σ of the reference grid (before refinement).
    public var gridSigma: Double
    /// The least-squares objective at `sigma`.
    public var objective: Double

    public init(law: SpectralLaw, Q: Double, sigma: Double, wScale: Double, bulkMin: Double, bulkMax: Double,
                twWidth: Double, spikeThreshold: Double, numSpikes: Int, softrank: Double, gridSigma: Double,
                objective: Double) {
        self.law = law
        self.Q = Q
        self.sigma = sigma
        self.wScale = wScale
        self.bulkMin = bulkMin
        self.bulkMax = bulkMax
        self.twWidth = twWidth
        self.spikeThreshold = spikeThreshold
        self.numSpikes = numSpikes
        self.softrank = softrank
        self.gridSigma = gridSigma
        self.objective = objective
    }
}

/// Why an MP fit could not be made.
public enum MPFitFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer than two eigenvalues, or Σλ = 0.
    case emptySpectrum
    /// NaN or infinite eigenvalues.
    case nonFinite
    /// Every σ of the grid violates the bulk constraints (the ESD looks nothing like MP).
    case noAdmissibleSigma

    public var description: String {
        switch self {
        case .emptySpectrum: return "the spectrum is empty or zero"
        case .nonFinite: return "the spectrum has NaN or infinite values"
        case .noAdmissibleSigma: return "no sigma satisfies the bulk-edge constraints"
        }
    }
}

/// Fits σ of the Marchenko–Pastur law (quarter circle for Q = 1) to an ESD, by the objective
/// WeightWatcher 0.7.7 minimises (`mp_fit` → `fit_density_with_range` → `resid_mp`):
///
/// 1. rescale `λ' = λ · n / Σλ` (mean 1); fit `λ'` (MP) or `ν = √λ'` (QC);
/// 2. a linear-kernel density estimate (bandwidth 0.1) on 1000 points `linspace(0, max + 0.5)`;
///    points with density ≤ 0.01 are dropped;
/// 3. objective(σ) = Σ (law(x; σ) − kde(x))² over the kept points; for MP, `1000² · count` when
///    `x₊ < x_peak`, `x₊ > max x` or `x₋ > x_peak` (x_peak = the kept point of largest density).
///
/// WeightWatcher minimises it by `scipy.optimize.brute` over `σ = s0·(0.05, 0.06, … 1.99)`,
/// `s0 = √λ'_max / (1 + 1/√Q)`, refitting the density estimate at every σ, then polishes the best
/// grid point with Nelder–Mead. Here the density estimate is computed once (it does not depend
/// on σ) with `LinearKDE`'s exact closed form, the same grid is scanned (cheap once the KDE is
/// fixed: 195 × 1000 law evaluations), the bracket of the best grid point's two neighbours is
/// scanned 64 times finer (the objective is rough at that scale: it has several local minima
/// per grid step), and the best point is polished by Brent's method to a relative tolerance
/// of 1e-10. The result minimises the reference objective at least as well as the grid does.
public enum MPFitter {
    public struct Settings: Sendable, Equatable {
        public var bandwidth = 0.1
        public var points = 1000
        public var densityThreshold = 0.01
        /// Refine the best grid point (else report the grid's σ, the reference's first stage).
        public var refine = true
        public init() {}
    }

    /// Fits an ESD.
    ///
    /// - Parameters:
    ///   - eigenvalues: the ESD, ascending.
    ///   - Q: the aspect ratio N/M of the layer's matrices.
    ///   - M: the smaller dimension of one matrix (for the Tracy–Widom width).
    public static func fit(_ eigenvalues: [Double], Q: Double, M: Int, settings: Settings = Settings()) -> Result<MPFit, MPFitFailure> {
        guard eigenvalues.allSatisfy(\.isFinite) else { return .failure(.nonFinite) }
        let n = eigenvalues.count
        let total = eigenvalues.reduce(0, +)
        guard n >= 2, total > 0 else { return .failure(.emptySpectrum) }
        let w2 = Double(n) / total
        let rescaled = eigenvalues.map { $0 * w2 }
        let lambdaMax = rescaled.max()!
        let objective = Objective(rescaled: rescaled, Q: Q, settings: settings)
        guard let best = objective.minimise(lambdaMax: lambdaMax, refine: settings.refine) else {
            return .failure(.noAdmissibleSigma)
        }
        let e = MarchenkoPastur.edges(Q: Q, sigma: best.sigma)
        let tw = pow(e.upper, 2.0 / 3) * pow(Double(M), -2.0 / 3) / Q.squareRoot()
        let threshold = e.upper + tw.squareRoot()
        let spikes = rescaled.reduce(0) { $0 + ($1 > threshold ? 1 : 0) }
        return .success(MPFit(law: objective.law, Q: Q, sigma: best.sigma, wScale: w2.squareRoot(),
                              bulkMin: e.lower / w2, bulkMax: e.upper / w2, twWidth: tw,
                              spikeThreshold: threshold / w2, numSpikes: spikes,
                              softrank: e.upper / lambdaMax, gridSigma: best.gridSigma, objective: best.value))
    }

    /// The reference objective for one rescaled ESD, with its density estimate precomputed.
    public struct Objective: Sendable {
        public let law: SpectralLaw
        public let Q: Double
        /// The kept evaluation points and the density estimate there.
        public let x: [Double]
        public let y: [Double]
        let xPeak: Double
        let xMax: Double

        /// - Parameter rescaled: `λ'` (mean 1), any order.
        public init(rescaled: [Double], Q: Double, settings: MPFitter.Settings = .init()) {
            self.Q = Q
            law = Q == 1 ? .quarterCircle : .marchenkoPastur
            let data = law == .quarterCircle ? rescaled.map { $0.squareRoot() } : rescaled
            let kde = LinearKDE(data, bandwidth: settings.bandwidth)
            let stop = (data.max() ?? 0) + 0.5
            let count = settings.points
            var xs: [Double] = [], ys: [Double] = []
            for k in 0..<count {
                // numpy.linspace: start + k·step, the last point exactly `stop`.
                let xk = k == count - 1 ? stop : Double(k) * (stop / Double(count - 1))
                let yk = kde.density(at: xk)
                if yk > settings.densityThreshold { xs.append(xk); ys.append(yk) }
            }
            x = xs
            y = ys
            var peak = 0
            for k in ys.indices where ys[k] > ys[peak] { peak = k }
            xPeak = xs.isEmpty ? 0 : xs[peak]
            xMax = xs.last ?? 0
        }

        /// The objective at σ (a penalty of `1000² · count` where the MP constraints fail).
        public func callAsFunction(_ sigma: Double) -> Double {
            switch law {
            case .quarterCircle:
                var s = 0.0
                for k in x.indices {
                    let r = QuarterCircle.density(x[k], sigma: sigma) - y[k]
                    s += r * r
                }
                return s
            case .marchenkoPastur:
                let e = MarchenkoPastur.edges(Q: Q, sigma: sigma)
                if e.upper < xPeak || e.upper > xMax || e.lower > xPeak { return penalty }
                var s = 0.0
                for k in x.indices {
                    let r = MarchenkoPastur.density(x[k], Q: Q, sigma: sigma) - y[k]
                    s += r * r
                }
                return s
            }
        }

        var penalty: Double { 1000 * 1000 * Double(x.count) }

        /// The reference grid: `numpy.arange(0.05·s0, 2·s0, 0.01·s0)`, `s0 = √λ'_max/(1 + 1/√Q)`.
        public static func grid(lambdaMax: Double, Q: Double) -> [Double] {
            let s0 = lambdaMax.squareRoot() / (1 + 1 / Q.squareRoot())
            let start = 0.05 * s0, stop = 2 * s0, step = 0.01 * s0
            let count = Int(((stop - start) / step).rounded(.up))
            return (0..<count).map { start + Double($0) * step }
        }

        struct Minimum {
            var sigma: Double
            var value: Double
            var gridSigma: Double
        }

        /// Scans the grid, then refines the best point; nil if every grid point is penalised.
        func minimise(lambdaMax: Double, refine: Bool) -> Minimum? {
            let grid = Self.grid(lambdaMax: lambdaMax, Q: Q)
            guard !x.isEmpty, !grid.isEmpty else { return nil }
            var bestK = 0
            var bestValue = Double.infinity
            for (k, s) in grid.enumerated() {
                let v = self(s)
                if v < bestValue { bestValue = v; bestK = k }
            }
            if law == .marchenkoPastur && bestValue >= penalty { return nil }
            let gridSigma = grid[bestK]
            guard refine else { return Minimum(sigma: gridSigma, value: bestValue, gridSigma: gridSigma) }
            // The objective is rough on the scale of a grid step (evaluation points enter and
            // leave the bulk as σ moves): scan the bracket of the grid neighbours finely, then
            // polish the best point with Brent's method between its fine neighbours.
            let step = grid.count > 1 ? grid[1] - grid[0] : gridSigma
            let lower = max(gridSigma - step, 0.5 * gridSigma), upper = gridSigma + step
            let fine = 64
            var bestSigma = gridSigma
            for j in 0...fine {
                let s = lower + (upper - lower) * Double(j) / Double(fine)
                let v = self(s)
                if v < bestValue { bestValue = v; bestSigma = s }
            }
            let h = (upper - lower) / Double(fine)
            let refined = Brent.minimise({ self($0) }, lower: max(bestSigma - h, 1e-12), upper: bestSigma + h, start: bestSigma,
                                         startValue: bestValue, relativeTolerance: 1e-10)
            if refined.value <= bestValue { return Minimum(sigma: refined.x, value: refined.value, gridSigma: gridSigma) }
            return Minimum(sigma: bestSigma, value: bestValue, gridSigma: gridSigma)
        }
    }
}

/// Brent's method for a one-dimensional minimum on a bracket (golden-section steps with
/// parabolic interpolation; Brent, *Algorithms for Minimization without Derivatives*, 1973, ch. 5).
enum Brent {
    struct Point {
        var x: Double
        var value: Double
    }

    /// Minimises `f` on `[lower, upper]`, starting from `start` (inside, with value `startValue`).
    static func minimise(_ f: (Double) -> Double, lower: Double, upper: Double, start: Double,
                         startValue: Double, relativeTolerance: Double, maxIterations: Int = 200) -> Point {
        let golden = 0.3819660112501051
        var a = lower, b = upper
        var x = start, w = start, v = start
        var fx = startValue, fw = startValue, fv = startValue
        var d = 0.0, e = 0.0
        for _ in 0..<maxIterations {
            let m = 0.5 * (a + b)
            let tol = relativeTolerance * abs(x) + 1e-300
            let tol2 = 2 * tol
            if abs(x - m) <= tol2 - 0.5 * (b - a) { break }
            var useGolden = true
            if abs(e) > tol {
                // Parabola through (v, fv), (w, fw), (x, fx).
                let r = (x - w) * (fx - fv)
                var q = (x - v) * (fx - fw)
                var p = (x - v) * q - (x - w) * r
                q = 2 * (q - r)
                if q > 0 { p = -p } else { q = -q }
                if abs(p) < abs(0.5 * q * e) && p > q * (a - x) && p < q * (b - x) {
                    e = d
                    d = p / q
                    let u = x + d
                    if u - a < tol2 || b - u < tol2 { d = x < m ? tol : -tol }
                    useGolden = false
                }
            }
            if useGolden {
                e = (x < m ? b : a) - x
                d = golden * e
            }
            let u = abs(d) >= tol ? x + d : x + (d > 0 ? tol : -tol)
            let fu = f(u)
            if fu <= fx {
                if u < x { b = x } else { a = x }
                v = w; fv = fw
                w = x; fw = fx
                x = u; fx = fu
            } else {
                if u < x { a = u } else { b = u }
                if fu <= fw || w == x {
                    v = w; fv = fw
                    w = u; fw = fu
                } else if fu <= fv || v == x || v == w {
                    v = u; fv = fu
                }
            }
        }
        return Point(x: x, value: fx)
    }
}
