import Testing
@testable import PowerLaw

/// Relative difference, for comparing with the spec's check values (summation order differs,
/// so agreement is to about 1e-12 relative).
func rel(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }

@Suite struct HillTests {
    let oneToTen = (1...10).map(Double.init)

    @Test func specCheckValuesTopHalf() throws {
        let fit = try Hill.fit(oneToTen, xminPos: 2).get()
        #expect(rel(fit.alpha, 4.681550358521012) < 1e-12)
        #expect(rel(fit.D, 0.25323780014523245) < 1e-12)
        #expect(fit.xminIndex == 5 && fit.xmin == 6 && fit.tailCount == 5 && fit.xmax == 10)
        #expect(fit.numPLSpikes == 5)
        #expect(rel(fit.sigma, (fit.alpha - 1) / 5.0.squareRoot()) < 1e-15)
    }

    @Test func specCheckValuesTopThird() throws {
        let fit = try Hill.fit(oneToTen, xminPos: 1.5).get()
        #expect(rel(fit.alpha, 6.394319605925859) < 1e-12)
        #expect(rel(fit.D, 0.2633991049511907) < 1e-12)
        #expect(fit.xminIndex == 6)
    }

    @Test func degenerateInputsGiveTypedFailures() {
        #expect(Hill.fit([]).failure == .tooFewValues(count: 0, needed: 2))
        #expect(Hill.fit([3]).failure == .tooFewValues(count: 1, needed: 2))
        #expect(Hill.fit([2, 2, 2, 2]).failure == .degenerateTail)
        #expect(Hill.fit([0, 0, 0, 0, 1]).failure == .nonPositiveXmin(xmin: 0))
        #expect(Hill.fit([1, 2, .nan, 4]).failure == .nonFinite)
        #expect(Hill.fit([1, 2, .infinity]).failure == .nonFinite)
    }

    @Test func scaleInvariance() throws {
        // α does not depend on the units of λ; D neither.
        let a = try Hill.fit(oneToTen).get()
        let b = try Hill.fit(oneToTen.map { $0 * 1e7 }).get()
        #expect(rel(a.alpha, b.alpha) < 1e-12 && rel(a.D, b.D) < 1e-12)
    }

    /// The top half of a Pareto(α) sample is again Pareto(α) above its own xmin, so Hill
    /// recovers α; the MLE's standard error is (α − 1)/√n, and 5 standard errors bound a
    /// correct estimator's miss with probability > 1 − 1e-6.
    @Test(arguments: [1.5, 2.5, 4.0, 6.0])
    func recoversParetoExponent(alpha: Double) throws {
        let sample = paretoSample(alpha: alpha, count: 20_000, seed: 42)
        let fit = try Hill.fit(sample).get()
        let se = (alpha - 1) / Double(fit.tailCount).squareRoot()
        #expect(abs(fit.alpha - alpha) < 5 * se, "α̂ = \(fit.alpha), α = \(alpha), se = \(se)")
        #expect(fit.D < 0.02)
    }
}
