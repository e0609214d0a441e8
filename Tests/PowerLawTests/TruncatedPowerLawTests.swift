import Random
import Testing
@testable import PowerLaw
#if canImport(Glibc)
import Glibc
#endif

/// `n` ascending draws of the truncated power law `p(x) ∝ x^(−α) e^(−Λx)`, `x ≥ xmin`, for
/// α > 1: Pareto proposals accepted with probability `e^(−Λ(x − xmin))` (exact rejection sampling).
func truncatedSample(alpha: Double, lambda: Double, xmin: Double, count n: Int, seed: UInt64) -> [Double] {
    var g = SplitMix64(seed: seed)
    var out: [Double] = []
    while out.count < n {
        let x = xmin * pow(1 - Double.random(in: 0..<1, using: &g), -1 / (alpha - 1))
        if Double.random(in: 0..<1, using: &g) < exp(-lambda * (x - xmin)) { out.append(x) }
    }
    return out.sorted()
}

@Suite struct TruncatedPowerLawTests {
    /// Golden values: `E(α, β) = ∫_1^∞ u^(−α) e^(−βu) du` is `e^(−β)/β` at α = 0 and
    /// `e^(−β)(1/β + 1/β²)` at α = −1; the mean of u is `E(α−1, β)/E(α, β)`.
    @Test(arguments: [0.05, 0.7, 3.0, 25.0])
    func partitionFunctionClosedForms(beta: Double) {
        let m0 = ScaledLaw(alpha: 0, beta: beta).moments()
        #expect(abs(m0.logE - (-beta - log(beta))) < 1e-12 * max(1, abs(m0.logE)))
        let e1 = exp(-beta) * (1 / beta + 1 / (beta * beta))
        let m1 = ScaledLaw(alpha: -1, beta: beta).moments()
        #expect(abs(m1.logE - log(e1)) < 1e-12 * max(1, abs(m1.logE)))
        // E[u] under α = 0 is E(−1, β)/E(0, β) = 1 + 1/β.
        #expect(abs(m0.meanU - (1 + 1 / beta)) < 1e-11 * (1 + 1 / beta))
    }

    /// Gradient check: ∂ln E/∂α = −E[ln u], ∂ln E/∂β = −E[u], ∂²ln E/∂α² = Var(ln u), by central
    /// differences in Double (step 1e-4: truncation error ~1e-8, rounding ~1e-12/1e-4).
    @Test(arguments: [(2.5, 0.3), (1.2, 0.01), (-3.0, 4.0), (7.0, 1.5)])
    func momentsAreDerivativesOfTheLogPartition(alpha: Double, beta: Double) {
        let h = 1e-4
        func logE(_ a: Double, _ b: Double) -> Double { ScaledLaw(alpha: a, beta: b).moments().logE }
        let m = ScaledLaw(alpha: alpha, beta: beta).moments()
        let dA = (logE(alpha + h, beta) - logE(alpha - h, beta)) / (2 * h)
        let dB = (logE(alpha, beta + h * beta) - logE(alpha, beta - h * beta)) / (2 * h * beta)
        let dAA = (logE(alpha + h, beta) - 2 * logE(alpha, beta) + logE(alpha - h, beta)) / (h * h)
        #expect(abs(dA + m.meanS) < 1e-6 * max(1, m.meanS))
        #expect(abs(dB + m.meanU) < 1e-6 * max(1, m.meanU))
        #expect(abs(dAA - m.varS) < 1e-4 * max(1, m.varS))
    }

    /// As Λ → 0 the law becomes the power law: E → 1/(α−1), E[ln u] → 1/(α−1).
    @Test func smallLambdaApproachesThePowerLaw() {
        let m = ScaledLaw(alpha: 3, beta: 1e-9).moments()
        #expect(abs(m.logE - log(0.5)) < 1e-7)
        #expect(abs(m.meanS - 0.5) < 1e-7)
    }

    /// Λ → 0 equals the PL: for Pareto data whose optimum lies on the boundary Λ = 0 (decided
    /// by the KKT condition `E[u] ≤ mean(t)` at the PL optimum), the TPL estimate is exactly the
    /// power-law MLE. Otherwise the optimum is interior and, the PL being the TPL at Λ = 0, its
    /// likelihood is at least the PL's.
    @Test(arguments: UInt64(1)...12)
    func boundaryOptimumIsExactlyThePowerLaw(seed: UInt64) throws {
        let values = paretoSample(alpha: 4, xmin: 1, count: 400, seed: seed)
        let e = try TruncatedPowerLaw.estimate(values, at: 0).get()
        let n = Double(values.count)
        let m1 = values.reduce(0) { $0 + log($1 / values[0]) } / n
        let alphaPL = 1 + 1 / m1
        let meanT = values.reduce(0, +) / values[0] / n
        let boundary = (alphaPL - 1) / (alphaPL - 2) <= meanT
        #expect(e.isPowerLaw == boundary)
        let llPL = -alphaPL * m1 + log(alphaPL - 1)
        if boundary {
            #expect(abs(e.alpha - alphaPL) < 1e-12 * alphaPL)
            #expect(abs(e.logLikelihood - llPL) < 1e-12)
        } else {
            #expect(e.beta > 0)
            #expect(e.logLikelihood > llPL)
        }
    }

    /// The whole KS scan on Pareto data: Λ ≥ 0, and where Λ = 0 at the chosen xmin the fit is
    /// the power-law fit there (same α to rounding, same D).
    @Test(arguments: UInt64(21)...24)
    func paretoDataScan(seed: UInt64) throws {
        let values = paretoSample(alpha: 3.5, xmin: 1, count: 150, seed: seed)
        let tpl = try TruncatedPowerLaw.fit(values).get()
        #expect(tpl.method == .tpl && tpl.estimator == .truncated)
        let lambda = try #require(tpl.lambda)
        #expect(lambda >= 0 && tpl.alpha.isFinite && tpl.sigma > 0)
        let scan = KSFit.scan(values)[tpl.xminIndex]
        if lambda == 0 {
            #expect(abs(tpl.alpha - scan.alpha!) < 1e-12 * tpl.alpha)
            #expect(abs(tpl.D - scan.D!) < 1e-12)
        }
        #expect(tpl.D <= KSFit.scan(values).compactMap(\.D).min()! + 0.05)
    }

    /// A truncated-power-law sample: the MLE at the true xmin recovers α and Λ within four
    /// Fisher standard errors (α) and 25 % (Λ, whose relative error at n = 20 000 is ~5 %).
    @Test(arguments: [(2.5, 0.05), (1.6, 0.2), (3.0, 0.5)])
    func recoversTruncatedParameters(alpha: Double, lambda: Double) throws {
        let values = truncatedSample(alpha: alpha, lambda: lambda, xmin: 1, count: 20_000, seed: 5)
        let e = try TruncatedPowerLaw.estimate(values, at: 0).get()
        #expect(abs(e.alpha - alpha) < 4 * e.sigma, "α̂ = \(e.alpha) ± \(e.sigma)")
        #expect(abs(e.beta / values[0] - lambda) < 0.25 * lambda, "Λ̂ = \(e.beta / values[0])")
    }

    /// A gamma-like sample (density rising from xmin, unconstrained α < 1): the estimate sits on
    /// the face α = 1, where ∂ℓ/∂β = 0 (E[u] = mean t) and ∂ℓ/∂α ≤ 0 (E[ln u] ≤ mean ln t).
    @Test func alphaIsBoundedBelowByOne() throws {
        var g = SplitMix64(seed: 4)
        // Gamma(shape 3) + 1: increasing density just above xmin = min.
        let values = (0..<2000).map { _ in 1 + (0..<3).reduce(0.0) { s, _ in s - log(1 - Double.random(in: 0..<1, using: &g)) } }.sorted()
        let e = try TruncatedPowerLaw.estimate(values, at: 0).get()
        #expect(e.alpha == 1 && e.beta > 0)
        let n = Double(values.count)
        let m1 = values.reduce(0) { $0 + log($1 / values[0]) } / n, m2 = values.reduce(0, +) / values[0] / n
        let m = ScaledLaw(alpha: 1, beta: e.beta).moments()
        #expect(abs(m.meanU - m2) < 1e-9 * m2)
        #expect(m.meanS <= m1 + 1e-12)
    }

    /// The fitted CDF is 0 at xmin, increasing, below 1, and the PL CDF when Λ = 0.
    @Test func cdfProperties() {
        #expect(TruncatedPowerLaw.cdf(1, alpha: 2, lambda: 0.3, xmin: 1) == 0)
        var previous = 0.0
        for x in stride(from: 1.1, through: 60, by: 0.7) {
            let f = TruncatedPowerLaw.cdf(x, alpha: 2, lambda: 0.3, xmin: 1)
            #expect(f > previous && f <= 1)
            previous = f
        }
        #expect(previous > 0.999_999)
        #expect(abs(TruncatedPowerLaw.cdf(4, alpha: 3, lambda: 0, xmin: 2) - (1 - 0.25)) < 1e-15)
    }

    @Test func failures() {
        #expect(TruncatedPowerLaw.fit([3]).failure == .tooFewValues(count: 1, needed: 2))
        #expect(TruncatedPowerLaw.fit([2, 2, 2]).failure == .degenerateTail)
        #expect(TruncatedPowerLaw.fit([1, .nan]).failure == .nonFinite)
    }
}

@Suite struct SmallNFitTests {
    /// Hand computation of the reference's rule on 10 values: candidates need tails of ≥ 8
    /// (i = 0, 1, 2); α = 1 + (n−1)/Σ ln(x/xmin); the winner minimises D − 0.868/√n.
    @Test func matchesTheReferenceRuleOnTenValues() throws {
        let values = (1...10).map { pow(Double($0), 1.3) }
        var best: (i: Int, alpha: Double, D: Double, J: Double)?
        for i in 0...2 {
            let tail = values[i...]
            let n = Double(tail.count)
            let s = tail.reduce(0) { $0 + log($1 / values[i]) }
            let alpha = 1 + (n - 1) / s
            var D = 0.0
            for (t, x) in tail.enumerated() { D = max(D, abs(1 - pow(x / values[i], 1 - alpha) - Double(t) / n)) }
            let J = D - 0.868 / n.squareRoot()
            if best == nil || J < best!.J { best = (i, alpha, D, J) }
        }
        let fit = try SmallNFit.fit(values).get()
        #expect(fit.estimator == .smallN)
        #expect(fit.xminIndex == best!.i)
        #expect(abs(fit.alpha - best!.alpha) < 1e-12 * fit.alpha)
        #expect(abs(fit.D - best!.D) < 1e-12)
    }

    /// Fewer than 9 values: no candidate has a tail of 8 beyond it, so the whole spectrum is the tail.
    @Test func shortSpectrumUsesEverything() throws {
        let values = [1.0, 1.5, 2.2, 3.1, 4.8]
        let fit = try SmallNFit.fit(values).get()
        #expect(fit.xminIndex == 0 && fit.tailCount == 5)
        let s = values.reduce(0) { $0 + log($1) }
        #expect(abs(fit.alpha - (1 + 4 / s)) < 1e-12)
    }

    @Test func failures() {
        #expect(SmallNFit.fit([4, 4, 4, 4]).failure == .degenerateTail)
        #expect(SmallNFit.fit([0, 1, 2]).failure == .nonPositiveXmin(xmin: 0))
    }
}

@Suite struct ClipXmaxTests {
    /// Planted fingers: a Pareto (α = 2.5) body of 150 values, topped by 12 values on the
    /// quantiles of a steep power law (α = 10). The KS fit locks onto the steep top
    /// (α ≈ 10.7); clipping the two largest values lets it see the body again.
    @Test(arguments: UInt64(1)...4)
    func clippingRevealsTheBody(seed: UInt64) throws {
        let body = paretoSample(alpha: 2.5, xmin: 1, count: 150, seed: seed)
        let top = body.last! * 1.05
        let fingers = (0..<12).map { t in top * pow((12 - Double(t) - 0.5) / 12, -1.0 / 9) }
        let values = (body + fingers).sorted()
        let raw = try KSFit.fit(values).get()
        #expect(raw.alpha > 8, "the fingers should dominate the raw fit (α = \(raw.alpha))")
        let result = ClipXmax.fit(values)
        let clipped = try result.fit.get()
        #expect(result.raw == .success(raw))
        #expect(result.numFingers >= 2 && result.numFingers <= 9)
        let bodyFit = try KSFit.fit(body).get()
        #expect(clipped.alpha < raw.alpha - 1)
        #expect(abs(clipped.alpha - bodyFit.alpha) < 0.6, "clipped α \(clipped.alpha), body α \(bodyFit.alpha)")
        // num_pl_spikes counts the whole spectrum's tail, fingers included.
        #expect(clipped.numPLSpikes == values.filter { $0 >= clipped.xmin }.count)
    }

    /// Without fingers nothing is clipped and the fit is the raw fit.
    @Test func noFingersNoClipping() throws {
        let values = paretoSample(alpha: 3, xmin: 1, count: 400, seed: 3)
        let result = ClipXmax.fit(values)
        #expect(result.numFingers == 0)
        #expect(result.fit == result.raw)
    }

    /// The search stops at the first clipped α ≤ 2 (WeightWatcher's min_alpha).
    @Test func stopsAtMinAlpha() {
        let values = paretoSample(alpha: 1.6, xmin: 1, count: 300, seed: 9)
        let result = ClipXmax.fit(values)
        #expect(result.numFingers == 0)
    }
}
