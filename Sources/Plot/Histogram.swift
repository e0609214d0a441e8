import Foundation

/// Counts of values in consecutive bins `[edges[i], edges[i+1])` (the last bin is closed).
public struct Histogram: Sendable, Equatable {
    public var edges: [Double]
    public var counts: [Int]
    /// The number of values the density is normalised by (all values given, in range or not).
    public var total: Int

    public var binCount: Int { counts.count }

    /// `counts[i] / (total · width_i)`: integrates to the fraction of values inside the edges.
    public func density(_ i: Int) -> Double {
        let w = edges[i + 1] - edges[i]
        return total > 0 && w > 0 ? Double(counts[i]) / (Double(total) * w) : 0
    }

    /// `n` equal-width bins from the smallest to the largest value; a single value (or all equal)
    /// gets one bin of width 1 around it (numpy's convention). nil for no finite values.
    public static func linear(_ values: [Double], bins n: Int) -> Histogram? {
        let xs = values.filter(\.isFinite)
        guard let lo = xs.min(), let hi = xs.max(), n >= 1 else { return nil }
        let (a, b) = lo == hi ? (lo - 0.5, hi + 0.5) : (lo, hi)
        let edges = (0...n).map { a + (b - a) * Double($0) / Double(n) }
        return fill(xs, edges: edges, index: { min(n - 1, Int((($0 - a) / (b - a)) * Double(n))) }, total: xs.count)
    }

    /// `n` bins equally spaced in log10 from the smallest to the largest positive value; the
    /// density is normalised by the number of positive values. All-equal values get one bin
    /// spanning a factor 10^0.1 around them. nil when no value is positive.
    public static func logarithmic(_ values: [Double], bins n: Int) -> Histogram? {
        let xs = values.filter { $0 > 0 && $0.isFinite }
        guard let lo = xs.min(), let hi = xs.max(), n >= 1 else { return nil }
        let (a, b) = lo == hi ? (log10(lo) - 0.05, log10(hi) + 0.05) : (log10(lo), log10(hi))
        let edges = (0...n).map { pow(10, a + (b - a) * Double($0) / Double(n)) }
        return fill(xs, edges: edges, index: { min(n - 1, max(0, Int(((log10($0) - a) / (b - a)) * Double(n)))) }, total: xs.count)
    }

    private static func fill(_ xs: [Double], edges: [Double], index: (Double) -> Int, total: Int) -> Histogram {
        var counts = [Int](repeating: 0, count: edges.count - 1)
        for x in xs { counts[index(x)] += 1 }
        return Histogram(edges: edges, counts: counts, total: total)
    }

    /// A bin count for `n` values: √n clamped to [10, 80] (enough resolution for a few hundred
    /// eigenvalues, not so many that most bins are empty).
    public static func defaultBins(for n: Int) -> Int {
        min(80, max(10, Int(Double(n).squareRoot().rounded())))
    }
}
