import Foundation

/// The exact one-sided Wilcoxon signed-rank test and the sign test of paired differences.
public enum RankTests {
    /// P(W⁺ ≥ observed) under the null of symmetric differences about 0, exactly.
    ///
    /// Zero differences are dropped (Wilcoxon's own convention, scipy's `zero_method="wilcox"`);
    /// the absolute values are ranked with mid-ranks for ties; W⁺ is the rank sum of the positive
    /// differences. The null distribution is the exact one of Σ signᵢ·rankᵢ over the 2ⁿ equally
    /// likely sign patterns *with these ranks* (so it is exact with ties as well: the ranks are
    /// doubled to integers and their sums counted by dynamic programming, O(n³)). Without ties
    /// this is the classical exact test (scipy.stats.wilcoxon(d, alternative="greater",
    /// method="exact")).
    ///
    /// Edge cases: no nonzero difference gives p = 1; differences that are not finite give nil.
    public static func signedRankGreater(_ differences: [Double]) -> Double? {
        guard differences.allSatisfy(\.isFinite) else { return nil }
        let d = differences.filter { $0 != 0 }
        let n = d.count
        guard n > 0 else { return 1 }
        let doubled = midRanks(d.map(abs)).map { Int(($0 * 2).rounded()) }
        let observed = zip(d, doubled).reduce(0) { $0 + ($1.0 > 0 ? $1.1 : 0) }
        let total = doubled.reduce(0, +)
        // counts[s] = number of subsets of the ranks with doubled sum s (as Double: 2ⁿ can exceed Int for n > 62).
        var counts = [Double](repeating: 0, count: total + 1)
        counts[0] = 1
        var reach = 0
        for r in doubled {
            reach += r
            for s in stride(from: reach, through: r, by: -1) { counts[s] += counts[s - r] }
        }
        let tail = counts[observed...].reduce(0, +)
        return min(1, tail / pow(2, Double(n)))
    }

    /// Ranks 1…n of `values` (ascending), ties sharing the mean of their ranks.
    public static func midRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
            let rank = Double(i + j + 2) / 2
            for k in i...j { ranks[order[k]] = rank }
            i = j + 1
        }
        return ranks
    }

    /// The one-sided sign test: P(K ≥ k) for K ~ Binomial(n, ½), k = the number of positive
    /// differences among the n nonzero ones (scipy.stats.binomtest(k, n, 0.5,
    /// alternative="greater")). No nonzero difference gives 1; non-finite ones give nil.
    public static func signGreater(_ differences: [Double]) -> Double? {
        guard differences.allSatisfy(\.isFinite) else { return nil }
        let d = differences.filter { $0 != 0 }
        let n = d.count, k = d.filter { $0 > 0 }.count
        guard n > 0 else { return 1 }
        var p = 0.0
        for j in k...n { p += exp(logChoose(n, j) - Double(n) * log(2.0)) }
        return min(1, p)
    }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }
}
