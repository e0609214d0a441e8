/// The truncated power law `p(λ) ∝ λ^(−α) e^(−Λλ)` for `λ ≥ xmin`, fitted by maximum likelihood
/// at every candidate xmin, with xmin chosen by the smallest Kolmogorov–Smirnov distance.
///
/// In the scaled variable `t = λ/xmin ≥ 1` with `β = Λ·xmin`, the law is an exponential family
/// with sufficient statistics `(ln t, t)` and natural parameters `(−α, −β)`:
///
///     log p(t) = −α ln t − β t − ln E(α, β),   E(α, β) = ∫_1^∞ u^(−α) e^(−βu) du
///
/// so the mean log-likelihood `ℓ = −α·mean(ln t) − β·mean(t) − ln E` is jointly concave, its
/// gradient is `(E[ln u] − mean(ln t), E[u] − mean(t))` and its Hessian is `−Cov(ln u, u)`
/// under the model. The MLE is found by Newton's method with backtracking, constrained to
/// `β ≥ 0` and `α ≥ 1` (powerlaw 1.x's range). At `β = 0` the law is the pure power law, whose
/// MLE is `α = 1 + n / Σ ln t`; that point is the constrained optimum exactly when `∂ℓ/∂β ≤ 0`
/// there (`E[u] = (α−1)/(α−2) ≤ mean(t)`, which needs α > 2), and then the TPL fit *is* the PL
/// fit (Λ = 0, the same α and D). When the unconstrained optimum has α < 1, the constrained one
/// is on the face α = 1, a one-dimensional concave problem in β.
///
/// `E` and the moments are integrals over `s = ln u ≥ 0` of `exp((1−α)s − βe^s)`, a log-concave
/// integrand, computed by 8-point Gauss–Legendre panels whose width keeps the exponent's change
/// per panel below 4 (relative error below 1e-12). The KS distance uses the model CDF at every
/// tail value, accumulated between consecutive values.
///
/// Reference: Clauset, Shalizi and Newman, SIAM Review 51 (2009), §3 and Appendix; the
/// `powerlaw` package's `Truncated_Power_Law` (which WeightWatcher 0.7.7 calls, and which fails
/// with powerlaw 2.0.0).
public enum TruncatedPowerLaw {
    /// The fitted parameters at one xmin.
    public struct Estimate: Sendable, Equatable {
        /// The exponent α ≥ 1 (`minimumAlpha`; > 1 when Λ = 0).
        public var alpha: Double
        /// `β = Λ·xmin` ≥ 0, the dimensionless rate.
        public var beta: Double
        /// The mean log-likelihood per value of the scaled tail.
        public var logLikelihood: Double
        /// The standard error of α from the Fisher information, `√((C⁻¹)_αα / n)`.
        public var sigma: Double
        /// `ln E(α, β)`, the log normaliser (for the CDF).
        var logE: Double = 0
        /// Whether the optimum is the pure power law (`β = 0`).
        public var isPowerLaw: Bool { beta == 0 }
    }

    /// Scans every candidate `xmin = λ[i]`, `i = 0 … N−2`, fits the TPL to the tail `λ[i...]`
    /// and picks the first candidate with the smallest KS distance
    /// `D = max_t |F(λ[i+t]) − t/n|` (the empirical CDF as in `KSFit`).
    ///
    /// Consecutive candidates start Newton from the previous optimum (Λ is scale-free), so each
    /// usually converges in a few steps; a candidate's D stops early once it reaches the best D.
    ///
    /// - Returns: a fit with `method == .tpl`, `estimator == .truncated`, `lambda = Λ` in units
    ///   of 1/λ, `sigma` from the Fisher information; or a failure.
    public static func fit(_ values: [Double]) -> FitResult {
        if let failure = validateSpectrum(values) { return .failure(failure) }
        let N = values.count
        guard N >= 2 else { return .failure(.tooFewValues(count: N, needed: 2)) }
        let tail = LogTail(sortedAscending: values)
        let sums = suffixSums(values)
        var best: (index: Int, estimate: Estimate, D: Double)?
        var startLambda: (alpha: Double, lambda: Double)?
        var anyCandidate = false
        var firstFailure: FitFailure?
        for i in 0..<(N - 1) {
            switch estimate(tail, at: i, suffixSum: sums[i], start: startLambda) {
            case let .failure(f):
                if firstFailure == nil { firstFailure = f }
                continue
            case let .success(e):
                anyCandidate = true
                if e.beta > 0 { startLambda = (e.alpha, e.beta / values[i]) }
                let D = ksDistance(tail, at: i, estimate: e, cutoff: best?.D ?? .infinity)
                if best == nil || D < best!.D { best = (i, e, D) }
            }
        }
        guard let b = best else {
            return .failure(anyCandidate ? .noValidCandidate : (firstFailure ?? .noValidCandidate))
        }
        let xmin = values[b.index]
        return .success(PowerLawFit(method: .tpl, alpha: b.estimate.alpha, xmin: xmin, xmax: values[N - 1],
                                    xminIndex: b.index, tailCount: N - b.index, D: b.D,
                                    numPLSpikes: tail.countAtLeast(xmin), estimator: .truncated,
                                    lambda: b.estimate.beta / xmin, sigma: b.estimate.sigma))
    }

    /// The TPL MLE for the tail `values[i...]` (ascending), `xmin = values[i]`.
    public static func estimate(_ values: [Double], at i: Int) -> Result<Estimate, FitFailure> {
        if let failure = validateSpectrum(values) { return .failure(failure) }
        guard values.count - i >= 2 else { return .failure(.tooFewValues(count: values.count - i, needed: 2)) }
        return estimate(LogTail(sortedAscending: values), at: i, suffixSum: suffixSums(values)[i], start: nil)
    }

    /// `sums[i] = Σ_{j≥i} values[j]`, compensated.
    static func suffixSums(_ values: [Double]) -> [Double] {
        var sums = [Double](repeating: 0, count: values.count + 1)
        var sum = 0.0, comp = 0.0
        for i in stride(from: values.count - 1, through: 0, by: -1) {
            let x = values[i], t = sum + x
            if abs(sum) >= abs(x) { comp += (sum - t) + x } else { comp += (x - t) + sum }
            sum = t
            sums[i] = sum + comp
        }
        return sums
    }

    /// The CDF of the fitted law at `x ≥ xmin`: `1 − ∫_x^∞ / ∫_xmin^∞` of `u^(−α) e^(−Λu)`.
    public static func cdf(_ x: Double, alpha: Double, lambda: Double, xmin: Double) -> Double {
        guard x > xmin else { return 0 }
        let s = Double.log(x / xmin)
        let beta = lambda * xmin
        if beta == 0 { return 1 - Double.exp((1 - alpha) * s) }
        let law = ScaledLaw(alpha: alpha, beta: beta)
        let total = law.moments().i00
        return min(1, law.integral(from: 0, to: s) / total)
    }

    // MARK: - Estimation at one xmin

    /// - Parameters:
    ///   - suffixSum: `Σ_{j≥i} λ[j]`.
    ///   - start: α and Λ of a nearby candidate's optimum, to start Newton from.
    static func estimate(_ tail: LogTail, at i: Int, suffixSum: Double,
                         start: (alpha: Double, lambda: Double)?) -> Result<Estimate, FitFailure> {
        let xmin = tail.values[i]
        guard xmin > 0 else { return .failure(.nonPositiveXmin(xmin: xmin)) }
        let n = tail.count - i
        let sumLog = tail.logExcess(at: i)
        guard sumLog > 0 else { return .failure(.degenerateTail) }
        let m1 = sumLog / Double(n)
        let m2 = suffixSum / xmin / Double(n)
        let stats = TailStats(m1: m1, m2: m2, n: n)

        // The pure power law at β = 0 (the same expression as `LogTail.alpha(at:)`) and its β-gradient.
        let alphaPL = 1 + Double(n) / sumLog
        if alphaPL > 2 && (alphaPL - 1) / (alphaPL - 2) <= m2 {
            let ll = -alphaPL * m1 - Double.log(1 / (alphaPL - 1))
            return .success(Estimate(alpha: alphaPL, beta: 0, logLikelihood: ll,
                                     sigma: (alphaPL - 1) / Double(n).squareRoot(), logE: -Double.log(alphaPL - 1)))
        }
        // Otherwise β > 0 at the optimum. Newton (unconstrained in α) from the previous
        // candidate's optimum, else a default start; the concave likelihood makes any feasible
        // start converge. If that optimum has α < 1, the constrained one lies on the face α = 1
        // (the β = 0 face is excluded above).
        // A previous optimum on the face α = 1 is likely to stay there: solve the face first and
        // accept it if it satisfies the KKT condition ∂ℓ/∂α = E[ln u] − mean(ln t) ≤ 0, which for
        // a concave problem proves it optimal.
        if let s = start, s.alpha == minimumAlpha,
           let face = optimiseBeta(stats, alpha: minimumAlpha, start: s.lambda * xmin),
           ScaledLaw(alpha: minimumAlpha, beta: face.beta).moments().meanS <= m1 {
            return .success(face)
        }
        var starts: [(Double, Double)] = []
        if let s = start { starts.append((s.alpha, s.lambda * xmin)) }
        starts.append((min(alphaPL, 1.5), 1 / m2))
        for (a0, b0) in starts {
            guard let e = newton(stats, alpha: a0, beta: b0) else { continue }
            if e.alpha >= minimumAlpha { return .success(e) }
            if let face = optimiseBeta(stats, alpha: minimumAlpha, start: e.beta) { return .success(face) }
        }
        return .failure(.noConvergence)
    }

    /// The lower bound of α: powerlaw 1.x's `Truncated_Power_Law` requires α > 1 (the version
    /// WeightWatcher's TPL was written for). Below it the law is a gamma-like bump that fits
    /// the Marchenko–Pastur bulk itself, and the KS scan then picks xmin at the bottom of the
    /// spectrum, which says nothing about the tail.
    public static let minimumAlpha = 1.0

    /// The maximum over β > 0 with α fixed: the root of `E[u] − mean(t)` (decreasing in β, from
    /// +∞ at β → 0 for α ≤ 2 to 1 − mean(t) < 0), by safeguarded Newton in ln β.
    static func optimiseBeta(_ stats: TailStats, alpha: Double, start: Double) -> Estimate? {
        func g(_ b: Double) -> (value: Double, slope: Double, moments: ScaledLaw.Moments)? {
            let beta = Double.exp(b)
            let m = ScaledLaw(alpha: alpha, beta: beta).moments()
            guard m.isUsable else { return nil }
            return (m.meanU - stats.m2, -beta * m.varU, m)
        }
        // Bracket the root around the start, widening the step geometrically.
        let b0 = Double.log(max(start, 1e-300))
        guard let g0 = g(b0) else { return nil }
        var lo = b0, hi = b0
        var step = 0.25
        var bracketed = false
        for _ in 0..<60 where g0.value > 0 {
            hi += step; step *= 2
            guard let v = g(hi) else { return nil }
            if v.value < 0 { bracketed = true; break }
            lo = hi
        }
        step = 0.25
        for _ in 0..<60 where g0.value <= 0 {
            lo -= step; step *= 2
            guard let v = g(lo) else { return nil }
            if v.value > 0 { bracketed = true; break }
            hi = lo
        }
        guard bracketed else { return nil }
        var b = g0.value > 0 ? lo : hi
        for _ in 0..<200 {
            guard let v = g(b) else { return nil }
            if v.value > 0 { lo = b } else { hi = b }
            var next = v.slope < 0 ? b - v.value / v.slope : 0.5 * (lo + hi)
            if !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
            if abs(next - b) <= 1e-13 * max(1, abs(b)) || hi - lo <= 1e-13 * max(1, abs(b)) {
                let beta = Double.exp(next)
                let m = ScaledLaw(alpha: alpha, beta: beta).moments()
                return finish(alpha, beta, stats.logLikelihood(alpha, beta, logE: m.logE), m, stats)
            }
            b = next
        }
        return nil
    }

    struct TailStats {
        let m1: Double
        let m2: Double
        let n: Int
        func logLikelihood(_ alpha: Double, _ beta: Double, logE: Double) -> Double {
            -alpha * m1 - beta * m2 - logE
        }
    }

    /// Damped Newton ascent on the concave mean log-likelihood, keeping β > 0.
    static func newton(_ stats: TailStats, alpha a0: Double, beta b0: Double) -> Estimate? {
        var alpha = a0, beta = b0
        guard beta > 0, beta.isFinite, alpha.isFinite else { return nil }
        var mom = ScaledLaw(alpha: alpha, beta: beta).moments()
        guard mom.isUsable else { return nil }
        var ll = stats.logLikelihood(alpha, beta, logE: mom.logE)
        for _ in 0..<200 {
            let gA = mom.meanS - stats.m1
            let gB = mom.meanU - stats.m2
            let (cSS, cSU, cUU) = (mom.varS, mom.covSU, mom.varU)
            let det = cSS * cUU - cSU * cSU
            guard det > 0, det.isFinite else { return nil }
            let dA = (cUU * gA - cSU * gB) / det
            let dB = (cSS * gB - cSU * gA) / det
            let decrement = gA * dA + gB * dB
            guard !decrement.isNaN else { return nil }
            if decrement < 1e-14 || (abs(dA) <= 1e-11 * max(1, abs(alpha)) && abs(dB) <= 1e-11 * beta) {
                return finish(alpha, beta, ll, mom, stats)
            }
            var t = 1.0
            var accepted = false
            for _ in 0..<60 {
                let na = alpha + t * dA, nb = beta + t * dB
                if nb > 0 {
                    let m = ScaledLaw(alpha: na, beta: nb).moments()
                    if m.isUsable {
                        let nll = stats.logLikelihood(na, nb, logE: m.logE)
                        if nll >= ll + 1e-4 * t * decrement {
                            alpha = na; beta = nb; ll = nll; mom = m
                            accepted = true
                            break
                        }
                    }
                }
                t *= 0.5
            }
            // No ascent possible within the quadrature's rounding (~1e-13 in ℓ): at the optimum
            // if the predicted gain decrement/2 is below 5e-9 per value (α then lies within
            // ~1e-4 standard errors of the maximum for n below 1e8).
            if !accepted { return decrement < 1e-8 ? finish(alpha, beta, ll, mom, stats) : nil }
        }
        return nil
    }

    static func finish(_ alpha: Double, _ beta: Double, _ ll: Double, _ mom: ScaledLaw.Moments, _ stats: TailStats) -> Estimate {
        let det = mom.varS * mom.varU - mom.covSU * mom.covSU
        let varAlpha = mom.varU / det / Double(stats.n)
        return Estimate(alpha: alpha, beta: beta, logLikelihood: ll, sigma: varAlpha.squareRoot(), logE: mom.logE)
    }

    // MARK: - KS distance

    /// `max_t |F(λ[i+t]) − t/n|`, early-stopped at `cutoff` like `LogTail.ksDistance`.
    static func ksDistance(_ tail: LogTail, at i: Int, estimate e: Estimate, cutoff: Double) -> Double {
        if e.beta == 0 { return tail.ksDistance(at: i, alpha: e.alpha, cutoff: cutoff) }
        let n = tail.count - i
        let invN = 1.0 / Double(n)
        let base = tail.shiftedLogs[i]
        let law = ScaledLaw(alpha: e.alpha, beta: e.beta)
        let total = Double.exp(e.logE - law.G)
        let xmin = tail.values[i]
        var cumulative = 0.0
        var previous = 0.0, previousT = 1.0
        var d = 0.0
        for t in 0..<n {
            let s = tail.shiftedLogs[i + t] - base
            if s > previous {
                let u = tail.values[i + t] / xmin
                cumulative += law.gapIntegral(from: previous, to: s, uFrom: previousT, uTo: u)
                previous = s
                previousT = u
            }
            let gap = abs(min(1, cumulative / total) - Double(t) * invN)
            if gap > d {
                d = gap
                if d >= cutoff { return d }
            }
        }
        return d
    }
}

/// The integrand `exp((1−α)s − βe^s)` over `s = ln(λ/xmin) ≥ 0` (β > 0), with its integrals and
/// moments, all relative to `exp(G)` where G is the exponent's maximum on s ≥ 0.
struct ScaledLaw {
    let alpha: Double
    let beta: Double
    /// The exponent's maximum on s ≥ 0 and where it is.
    let peak: Double
    let G: Double

    init(alpha: Double, beta: Double) {
        self.alpha = alpha
        self.beta = beta
        let a = 1 - alpha
        let p = a > beta ? Double.log(a / beta) : 0
        peak = p
        G = a * p - beta * Double.exp(p)
    }

    @inline(__always) func exponent(_ s: Double) -> Double { (1 - alpha) * s - beta * Double.exp(s) }
    @inline(__always) func slope(_ s: Double) -> Double { (1 - alpha) - beta * Double.exp(s) }

    /// What the likelihood needs: `I00 = ∫ e^(g−G)`, `ln E = ln I00 + G`, and the mean and
    /// (co)variances of `s` and `u = e^s` under the law.
    struct Moments {
        var i00: Double
        var logE: Double
        var meanS: Double
        var meanU: Double
        var varS: Double
        var covSU: Double
        var varU: Double
        var isUsable: Bool { i00 > 0 && logE.isFinite && varS.isFinite && varU.isFinite && covSU.isFinite && meanU.isFinite }
    }

    /// The drop of the exponent, from its maximum, beyond which the integrand is neglected.
    static let drop = 40.0

    /// Where the exponent `g + j·s` (the integrand of the moment of `u^j`) falls `drop` below its
    /// maximum on the right, and on the left (or 0).
    func range(extraSlope j: Double) -> ClosedRange<Double> {
        let a = 1 + j - alpha
        let top = a > beta ? Double.log(a / beta) : 0
        func h(_ s: Double) -> Double { a * s - beta * Double.exp(s) }
        let level = h(top) - Self.drop
        var hi = top + 1
        while h(hi) > level && hi < 700 { hi = top + 2 * (hi - top) }
        hi = bisect(lo: top, hi: min(hi, 700), level: level, h)
        var lo = 0.0
        if top > 0 && h(0) < level { lo = bisect(lo: top, hi: 0, level: level, h) }
        return lo...hi
    }

    /// The point between `lo` (above `level`) and `hi` (below) where `h` crosses `level`.
    private func bisect(lo: Double, hi: Double, level: Double, _ h: (Double) -> Double) -> Double {
        var a = lo, b = hi
        // 32 halvings of a bracket of at most 700 leave 2e-7: the range needs no more.
        for _ in 0..<32 {
            let m = 0.5 * (a + b)
            if h(m) > level { a = m } else { b = m }
        }
        return b
    }

    /// Integrals over the union of the ranges of the 0th, 1st and 2nd moments of u.
    func moments() -> Moments {
        let r0 = range(extraSlope: 0), r2 = range(extraSlope: 2)
        let lo = min(r0.lowerBound, r2.lowerBound), hi = max(r0.upperBound, r2.upperBound)
        var i00 = 0.0, i10 = 0.0, i20 = 0.0, i01 = 0.0, i11 = 0.0, i02 = 0.0
        forEachPanel(from: lo, to: hi, extraSlope: 2) { a, b in
            let half = 0.5 * (b - a), mid = 0.5 * (a + b)
            for k in 0..<GaussLegendre8.nodes.count {
                let s = mid + half * GaussLegendre8.nodes[k]
                let u = Double.exp(s)
                let w = half * GaussLegendre8.weights[k] * Double.exp((1 - alpha) * s - beta * u - G)
                i00 += w; i10 += w * s; i20 += w * s * s
                i01 += w * u; i11 += w * s * u; i02 += w * u * u
            }
        }
        let meanS = i10 / i00, meanU = i01 / i00
        return Moments(i00: i00, logE: Double.log(i00) + G, meanS: meanS, meanU: meanU,
                       varS: max(0, i20 / i00 - meanS * meanS), covSU: i11 / i00 - meanS * meanU,
                       varU: max(0, i02 / i00 - meanU * meanU))
    }

    /// `∫_a^b exp(g(s) − G) ds` between consecutive data points `u = e^a`, `e^b` (given, so the
    /// slope at the ends costs no exponential): one 4-point Gauss–Legendre panel when the
    /// exponent changes by at most 1/2 across the gap (relative error ~1e-12), else `integral`.
    func gapIntegral(from a: Double, to b: Double, uFrom: Double, uTo: Double) -> Double {
        let h = b - a
        let steep = max(abs((1 - alpha) - beta * uFrom), abs((1 - alpha) - beta * uTo))
        guard h <= 0.5, h * steep <= 0.5 else { return integral(from: a, to: b) }
        let half = 0.5 * h, mid = a + half
        var total = 0.0
        for k in 0..<GaussLegendre4.nodes.count {
            let s = mid + half * GaussLegendre4.nodes[k]
            total += GaussLegendre4.weights[k] * Double.exp(exponent(s) - G)
        }
        return half * total
    }

    /// `∫_a^b exp(g(s) − G) ds`.
    func integral(from a: Double, to b: Double) -> Double {
        var total = 0.0
        forEachPanel(from: a, to: b, extraSlope: 0) { p, q in
            let half = 0.5 * (q - p), mid = 0.5 * (p + q)
            for k in 0..<GaussLegendre8.nodes.count {
                let s = mid + half * GaussLegendre8.nodes[k]
                total += half * GaussLegendre8.weights[k] * Double.exp(exponent(s) - G)
            }
        }
        return total
    }

    /// Splits `[a, b]` into panels of width ≤ 1 over which the exponent (plus up to
    /// `extraSlope·s`) changes by at most 4.
    private func forEachPanel(from a: Double, to b: Double, extraSlope: Double, _ body: (Double, Double) -> Void) {
        func steepness(_ s: Double) -> Double {
            let g = slope(s)
            return max(abs(g), abs(g + extraSlope))
        }
        var p = a
        while p < b {
            var h = min(1, b - p, 4 / max(steepness(p), 1e-300))
            while h > 1e-9 && h * steepness(p + h) > 4 { h *= 0.5 }
            let q = b - p <= h ? b : p + h
            body(p, q)
            p = q
        }
    }
}

/// 8-point Gauss–Legendre nodes and weights on [−1, 1] (exact for polynomials of degree ≤ 15).
enum GaussLegendre8 {
    static let nodes: [Double] = [
        -0.9602898564975363, -0.7966664774136267, -0.5255324099163290, -0.1834346424956498,
        0.1834346424956498, 0.5255324099163290, 0.7966664774136267, 0.9602898564975363,
    ]
    static let weights: [Double] = [
        0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.3626837833783620,
        0.3626837833783620, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763,
    ]
}

/// 4-point Gauss–Legendre nodes and weights on [−1, 1] (exact for polynomials of degree ≤ 7).
enum GaussLegendre4 {
    static let nodes: [Double] = [-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526]
    static let weights: [Double] = [0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538]
}
