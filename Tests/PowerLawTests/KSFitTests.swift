import Random
import Testing
@testable import PowerLaw

@Suite struct KSFitTests {
    @Test func specCheckValuesPickTheMidpoint() throws {
        let fit = try KSFit.fit((1...10).map(Double.init)).get()
        #expect(fit.xminIndex == 5)
        #expect(rel(fit.alpha, 4.681550358521012) < 1e-12)
        #expect(rel(fit.D, 0.25323780014523245) < 1e-12)
    }

    /// The early-stopping scan must choose exactly what the full scan's first argmin chooses.
    @Test(arguments: 0..<40)
    func earlyStoppingMatchesFullScan(seed: Int) throws {
        var g = SplitMix64(seed: UInt64(seed))
        let n = Int.random(in: 2...300, using: &g)
        var values = (0..<n).map { _ in Double.random(in: 0..<1, using: &g) }
        if seed % 3 == 0 { values = values.map { exp(8 * $0) } }                 // wide range
        if seed % 5 == 0 { values = values.map { ($0 * 4).rounded() + 1 } }     // ties
        values.sort()
        let scan = KSFit.scan(values)
        let valid = scan.filter { ($0.alpha ?? 0) > 1 }
        let fit = KSFit.fit(values)
        guard let bestD = valid.compactMap(\.D).min() else {
            #expect(fit.failure == .noValidCandidate)
            return
        }
        let first = valid.first { $0.D == bestD }!
        let f = try fit.get()
        #expect(f.xminIndex == first.index)
        #expect(f.D == bestD)
        #expect(f.alpha == first.alpha)
    }

    @Test(arguments: [2.0, 3.0, 5.0])
    func recoversParetoExponentAboveNoise(alpha: Double) throws {
        // A Pareto tail above a uniform bulk: the KS choice of xmin should land near the
        // junction and recover α within 5 standard errors of the chosen tail.
        var g = SplitMix64(seed: 7)
        let bulk = (0..<5_000).map { _ in Double.random(in: 0.01..<1, using: &g) }
        let tail = paretoSample(alpha: alpha, xmin: 1, count: 5_000, seed: 11)
        let fit = try KSFit.fit((bulk + tail).sorted()).get()
        #expect(abs(fit.alpha - alpha) < 5 * fit.sigma, "α̂ = \(fit.alpha) ± \(fit.sigma)")
        #expect(fit.xmin > 0.5)
    }

    @Test func failures() {
        #expect(KSFit.fit([1]).failure == .tooFewValues(count: 1, needed: 2))
        #expect(KSFit.fit([5, 5, 5]).failure == .noValidCandidate)
        #expect(KSFit.fit([0, 0, 0]).failure == .noValidCandidate)
        #expect(KSFit.fit([1, .nan]).failure == .nonFinite)
    }
}

@Suite struct XminPeakTests {
    @Test func peakIsTheLeftEdgeOfTheFullestBin() throws {
        // log10 values 0 … 2 with a cluster at 1.0: bins are 0.02 wide; 1.0 falls in bin 50.
        var values = (0...100).map { pow(10, Double($0) / 50) }
        values += Array(repeating: 10, count: 5)
        values.sort()
        let peak = try #require(XminPeak.peak(values))
        #expect(abs(log10(peak) - 1.0) < 1e-12)
    }

    @Test func restrictsCandidatesAroundThePeak() throws {
        var g = SplitMix64(seed: 3)
        let bulk = (0..<3_000).map { _ in Double.random(in: 0.5..<1.5, using: &g) }
        let tail = paretoSample(alpha: 3, xmin: 1.5, count: 1_000, seed: 5)
        let values = (bulk + tail).sorted()
        let peak = try #require(XminPeak.peak(values))
        let fit = try XminPeak.fit(values).get()
        #expect(fit.method == .peak)
        #expect(fit.xmin >= 0.95 * peak && fit.xmin <= 1.5 * peak)
        // The quirk admits everything below 1.5·peak, so its choice is at least as good in D.
        let quirk = try XminPeak.fit(values, referenceQuirk: true).get()
        #expect(quirk.D <= fit.D)
    }
}

#if canImport(Glibc)
import Glibc
#endif
