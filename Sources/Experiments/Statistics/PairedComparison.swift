import Foundation

/// Mean and sample standard deviation (n − 1 in the denominator; 0 for one value).
public struct SampleSummary: Sendable, Equatable, Codable {
    public var n: Int
    public var mean: Double
    public var std: Double

    /// nil for no values.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        n = values.count
        mean = values.reduce(0, +) / Double(n)
        let m = mean
        std = n > 1 ? (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n - 1)).squareRoot() : 0
    }
}

/// Which way is better for a metric.
public enum Direction: String, Sendable, Codable {
    /// Lower is better (errors: nRMSE, loss).
    case lower
    /// Higher is better (accuracy).
    case higher
}

/// What a paired comparison shows at the 95 % level.
public enum Verdict: String, Sendable, Codable {
    /// The 95 % interval of the paired difference lies wholly on the better side.
    case wins
    /// It lies wholly on the worse side.
    case loses
    /// It contains 0: no effect detected at this power.
    case indistinguishable
}

/// A treatment against a control on the same seeds (same data subset and initialisation):
/// the paired differences dᵢ = treatmentᵢ − controlᵢ, in the metric's own units.
///
/// - `mean`, `std`: of the differences; `interval`: the two-sided 95 % t interval of their mean,
///   mean ± t₀.₉₇₅,ₙ₋₁ · std/√n.
/// - `pBetter`: the one-sided paired t-test p-value for "the treatment is better" (H₁: mean
///   difference < 0 for `.lower`, > 0 for `.higher`); `pWorse` the other side.
/// - `pSignedRank`, `pSign`: the exact Wilcoxon signed-rank and sign tests of the same one-sided
///   hypothesis (robustness checks that do not assume normal differences).
/// - `detectable`: the smallest true mean difference the one-sided t-test at 5 % would detect
///   with 80 % power given this spread, (t₀.₉₅,ₙ₋₁ + t₀.₈₀,ₙ₋₁) · std/√n (the usual approximation).
/// - `verdict`: from the interval (equivalently a one-sided p < 0.025 on either side).
///
/// Needs n ≥ 2 pairs; with zero spread the t statistics are undefined and only the rank tests
/// are given (pBetter/pWorse nil, the interval collapses to the mean).
public struct PairedComparison: Sendable, Codable, Equatable {
    public var direction: Direction
    public var n: Int
    public var mean: Double
    public var std: Double
    public var interval: ClosedRange<Double>
    public var pBetter: Double?
    public var pWorse: Double?
    public var pSignedRank: Double?
    public var pSign: Double?
    public var detectable: Double?
    /// Pairs where the treatment did better, worse, the same.
    public var better: Int
    public var worse: Int

    /// nil with fewer than two pairs, unequal lengths or non-finite values.
    public init?(treatment: [Double], control: [Double], direction: Direction) {
        guard treatment.count == control.count, treatment.count >= 2,
              (treatment + control).allSatisfy(\.isFinite) else { return nil }
        let d = zip(treatment, control).map { $0 - $1 }
        let s = SampleSummary(d)!
        self.direction = direction
        n = s.n
        mean = s.mean
        std = s.std
        let t = StudentT(degreesOfFreedom: Double(n - 1))!
        let se = std / Double(n).squareRoot()
        let q975 = t.quantile(0.975)!
        interval = (mean - q975 * se)...(mean + q975 * se)
        // The gain: positive when the treatment is better.
        let gain = direction == .lower ? d.map { -$0 } : d
        if se > 0 {
            let statistic = (direction == .lower ? -mean : mean) / se
            pBetter = t.sf(statistic)
            pWorse = t.cdf(statistic)
            detectable = (t.quantile(0.95)! + t.quantile(0.8)!) * se
        }
        pSignedRank = RankTests.signedRankGreater(gain)
        pSign = RankTests.signGreater(gain)
        better = gain.filter { $0 > 0 }.count
        worse = gain.filter { $0 < 0 }.count
    }

    public var verdict: Verdict {
        let betterSide = direction == .lower ? interval.upperBound < 0 : interval.lowerBound > 0
        let worseSide = direction == .lower ? interval.lowerBound > 0 : interval.upperBound < 0
        return betterSide ? .wins : worseSide ? .loses : .indistinguishable
    }
}
