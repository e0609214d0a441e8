import Checkpoint
import Foundation
import Testing
@testable import Experiments

/// The protocol's statistics against scipy (`fixtures/statistics/scipy.json`, written by
/// `Scripts/make-stats-fixture.py` with scipy 1.17.1), and the exact rank tests against a brute-force
/// enumeration of the sign patterns.
@Suite struct StatisticsTests {
    static let fixture: JSONValue = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/statistics/scipy.json")
        return try! JSONParser.parse([UInt8](try! Data(contentsOf: url)))
    }()

    static func section(_ name: String) -> [JSONValue] { fixture[name]!.arrayValue! }

    static func close(_ a: Double, _ b: Double, _ rel: Double) -> Bool {
        abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-300
    }

    @Test func incompleteBetaMatchesScipy() throws {
        let rows = Self.section("betainc")
        #expect(rows.count == 90)
        for r in rows {
            let x = r["x"]!.doubleValue!, a = r["a"]!.doubleValue!, b = r["b"]!.doubleValue!, want = r["value"]!.doubleValue!
            let got = try #require(SpecialFunctions.regularizedIncompleteBeta(x, a: a, b: b))
            #expect(Self.close(got, want, 1e-12), "I_\(x)(\(a), \(b)) = \(got), scipy \(want)")
        }
    }

    @Test func incompleteBetaEdges() {
        #expect(SpecialFunctions.regularizedIncompleteBeta(0, a: 2, b: 3) == 0)
        #expect(SpecialFunctions.regularizedIncompleteBeta(1, a: 2, b: 3) == 1)
        #expect(SpecialFunctions.regularizedIncompleteBeta(0.5, a: 0, b: 3) == nil)
        #expect(SpecialFunctions.regularizedIncompleteBeta(1.5, a: 1, b: 3) == nil)
        #expect(SpecialFunctions.regularizedIncompleteBeta(.nan, a: 1, b: 3) == nil)
        // I_x(1, 1) = x; I_x(a, 1) = x^a.
        #expect(abs(SpecialFunctions.regularizedIncompleteBeta(0.37, a: 1, b: 1)! - 0.37) < 1e-15)
        #expect(abs(SpecialFunctions.regularizedIncompleteBeta(0.37, a: 3, b: 1)! - pow(0.37, 3)) < 1e-15)
    }

    @Test func tDistributionMatchesScipy() throws {
        for r in Self.section("t_cdf") {
            let t = r["t"]!.doubleValue!, df = r["df"]!.doubleValue!
            let dist = try #require(StudentT(degreesOfFreedom: df))
            #expect(Self.close(dist.cdf(t), r["cdf"]!.doubleValue!, 1e-11), "cdf(\(t); \(df))")
            #expect(Self.close(dist.sf(t), r["sf"]!.doubleValue!, 1e-11), "sf(\(t); \(df))")
        }
        for r in Self.section("t_ppf") {
            let p = r["p"]!.doubleValue!, df = r["df"]!.doubleValue!
            let got = try #require(StudentT(degreesOfFreedom: df)?.quantile(p))
            #expect(Self.close(got, r["value"]!.doubleValue!, 1e-11), "ppf(\(p); \(df)) = \(got)")
        }
        #expect(StudentT(degreesOfFreedom: 0) == nil)
        #expect(StudentT(degreesOfFreedom: 3)!.quantile(0) == nil)
        #expect(StudentT(degreesOfFreedom: 3)!.quantile(1) == nil)
        #expect(StudentT(degreesOfFreedom: 3)!.cdf(.nan).isNaN)
    }

    @Test func pairedComparisonMatchesScipy() throws {
        let rows = Self.section("paired")
        #expect(rows.count == 8)
        for r in rows {
            let treatment = r["treatment"]!.arrayValue!.map { $0.doubleValue! }
            let control = r["control"]!.arrayValue!.map { $0.doubleValue! }
            let direction = try #require(Direction(rawValue: r["direction"]!.stringValue!))
            let c = try #require(PairedComparison(treatment: treatment, control: control, direction: direction))
            func check(_ got: Double?, _ key: String, _ rel: Double = 1e-10) {
                let want = r[key]!.doubleValue!
                #expect(got.map { Self.close($0, want, rel) } == true, "\(key): \(String(describing: got)), scipy \(want)")
            }
            check(c.mean, "mean")
            check(c.std, "std")
            check(c.interval.lowerBound, "low")
            check(c.interval.upperBound, "high")
            check(c.pBetter, "p_better")
            check(c.pWorse, "p_worse")
            check(c.pSignedRank, "p_signed_rank", 1e-12)
            check(c.pSign, "p_sign", 1e-12)
            #expect(c.better + c.worse == c.n)
        }
    }

    /// P(W⁺ ≥ w) by listing all 2ⁿ sign patterns of the mid-ranks.
    static func bruteSignedRank(_ d: [Double]) -> Double {
        let nz = d.filter { $0 != 0 }
        let ranks = RankTests.midRanks(nz.map(abs))
        let observed = zip(nz, ranks).reduce(0.0) { $0 + ($1.0 > 0 ? $1.1 : 0) }
        var hits = 0
        for mask in 0..<(1 << nz.count) {
            var w = 0.0
            for (k, r) in ranks.enumerated() where mask & (1 << k) != 0 { w += r }
            if w >= observed - 1e-9 { hits += 1 }
        }
        return Double(hits) / Double(1 << nz.count)
    }

    @Test func signedRankIsExactWithTiesAndZeros() {
        let samples: [[Double]] = [[0.3, -0.1, 0.2, 0.5, 0.4, 0.6], [1, 1, -1, 2, 2, -2, 3, 0], [-0.5, -0.2, -0.1, -0.3, -0.4, -0.6],
                                   [0.1, 0.1, 0.1, 0.1, 0.1, 0.1], [2, -2, 3, -3, 1, 0, 0, 5, -1, 4, 4, -4]]
        for d in samples {
            #expect(abs(RankTests.signedRankGreater(d)! - Self.bruteSignedRank(d)) < 1e-15, "\(d)")
        }
        // All six positive: 1/64, the smallest p six pairs can give; all negative: 1.
        #expect(RankTests.signedRankGreater([1, 2, 3, 4, 5, 6]) == 1.0 / 64)
        #expect(RankTests.signedRankGreater([-1, -2, -3, -4, -5, -6]) == 1)
        #expect(RankTests.signedRankGreater([0, 0]) == 1)
        #expect(RankTests.signedRankGreater([1, .nan]) == nil)
        #expect(RankTests.midRanks([3, 1, 3, 2]) == [3.5, 1, 3.5, 2])
    }

    @Test func signTest() {
        // 5 of 6 positive: P(K ≥ 5) = 7/64.
        #expect(abs(RankTests.signGreater([1, 2, 3, 4, 5, -1])! - 7.0 / 64) < 1e-15)
        #expect(abs(RankTests.signGreater([1, 1, 1, 1, 1, 1, 1, 1])! - 1.0 / 256) < 1e-15)
        #expect(RankTests.signGreater([0, 0, 0]) == 1)
        #expect(RankTests.signGreater([-1, -1])! == 1)
    }

    @Test func pairedComparisonVerdictsAndDegenerateInputs() throws {
        // nRMSE lower is better: the treatment is lower by 0.1 ± small noise in every pair → wins.
        let control = [1.0, 1.2, 0.9, 1.1, 1.05, 0.95]
        let noise = [0.01, -0.02, 0.015, 0.0, -0.01, 0.005]
        let lower = zip(control, noise).map { $0 - 0.1 + $1 }
        let w = try #require(PairedComparison(treatment: lower, control: control, direction: .lower))
        #expect(w.verdict == .wins && w.interval.upperBound < 0 && w.pBetter! < 0.001 && w.pWorse! > 0.999 && w.better == 6)
        // The same numbers read as accuracies (higher is better) → loses.
        #expect(PairedComparison(treatment: lower, control: control, direction: .higher)!.verdict == .loses)
        // Noise only → indistinguishable.
        let same = zip(control, noise).map { $0 + $1 }
        #expect(PairedComparison(treatment: same, control: control, direction: .lower)!.verdict == .indistinguishable)
        // Identical arms: no spread, so no t-test; the rank tests see no nonzero difference.
        let tie = try #require(PairedComparison(treatment: control, control: control, direction: .lower))
        #expect(tie.pBetter == nil && tie.pSignedRank == 1 && tie.verdict == .indistinguishable)
        #expect(PairedComparison(treatment: [1], control: [2], direction: .lower) == nil)
        #expect(PairedComparison(treatment: [1, 2], control: [2], direction: .lower) == nil)
        #expect(PairedComparison(treatment: [1, .infinity], control: [2, 3], direction: .lower) == nil)
        #expect(SampleSummary([]) == nil)
        #expect(SampleSummary([2])!.std == 0)
    }
}
