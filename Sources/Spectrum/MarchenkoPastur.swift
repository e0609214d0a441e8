#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Marchenko–Pastur law: the limiting ESD of `XᵀX/N` for an `N × M` matrix X of i.i.d.
/// entries with variance σ², aspect ratio `Q = N/M ≥ 1`.
public enum MarchenkoPastur {
    /// The bulk edges `x± = σ²(1 ± 1/√Q)²`.
    public struct Edges: Sendable, Equatable {
        public var lower: Double
        public var upper: Double
    }

    public static func edges(Q: Double, sigma: Double) -> Edges {
        let r = 1 / Q.squareRoot()
        return Edges(lower: sigma * sigma * (1 - r) * (1 - r), upper: sigma * sigma * (1 + r) * (1 + r))
    }

    /// The density `ρ(x) = Q / (2πσ²x) · √((x₊ − x)(x − x₋))` on `[x₋, x₊]`, 0 elsewhere
    /// (WeightWatcher's `marchenko_pastur_fun`, which maps the NaN outside the bulk to 0).
    public static func density(_ x: Double, Q: Double, sigma: Double) -> Double {
        let e = edges(Q: Q, sigma: sigma)
        guard x > 0, x > e.lower, x < e.upper else { return 0 }
        return Q / (2 * Double.pi * sigma * sigma * x) * ((e.upper - x) * (x - e.lower)).squareRoot()
    }
}

/// The quarter-circle law: the limiting density of the singular values `ν = √λ` of a square
/// matrix (Q = 1) with entry variance σ²: `ρ(ν) = √(4σ² − ν²) / (πσ²)` on `[0, 2σ]`.
///
/// WeightWatcher's `quarter_circle_fun` writes `√(4 − ν²)/(πσ²)`, which is a density only at
/// σ = 1; htsr uses the law itself (the two agree at σ = 1, where a rescaled Gaussian sits).
public enum QuarterCircle {
    public static func density(_ nu: Double, sigma: Double) -> Double {
        let r = 4 * sigma * sigma - nu * nu
        guard nu >= 0, r > 0 else { return 0 }
        return r.squareRoot() / (Double.pi * sigma * sigma)
    }
}

/// A kernel density estimate with the linear (triangular) kernel, evaluated exactly in
/// `O(log n)` per point:
///
///     f(x) = 1/(n·h) · Σ_{|x − x_i| < h} (1 − |x − x_i|/h)
///
/// (scikit-learn's `KernelDensity(kernel='linear', bandwidth=h)`, which WeightWatcher uses, with
/// its exact default tolerances). With the values sorted and their prefix sums `P`, the points
/// within `h` on each side form two index ranges found by binary search, and
/// `Σ (x − x_i) = cnt·x − (P[mid] − P[lo])`, so no kernel is evaluated one by one.
public struct LinearKDE: Sendable {
    public let bandwidth: Double
    private let sorted: [Double]
    private let prefix: [Double]

    /// - Parameter values: the sample (any order).
    public init(_ values: [Double], bandwidth: Double) {
        precondition(bandwidth > 0, "the bandwidth must be positive")
        self.bandwidth = bandwidth
        sorted = values.sorted()
        var p = [Double](repeating: 0, count: sorted.count + 1)
        for i in sorted.indices { p[i + 1] = p[i] + sorted[i] }
        prefix = p
    }

    /// The estimate at `x` (0 for an empty sample).
    public func density(at x: Double) -> Double {
        let n = sorted.count
        guard n > 0 else { return 0 }
        let h = bandwidth
        let lo = firstIndex { $0 > x - h }
        let mid = firstIndex { $0 > x }
        let hi = firstIndex { $0 >= x + h }
        let cntL = Double(mid - lo), cntR = Double(hi - mid)
        let left = cntL - (cntL * x - (prefix[mid] - prefix[lo])) / h
        let right = cntR - ((prefix[hi] - prefix[mid]) - cntR * x) / h
        return max(0, left + right) / (Double(n) * h)
    }

    /// The first index whose value satisfies the (monotone) predicate, or `count`.
    private func firstIndex(_ predicate: (Double) -> Bool) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if predicate(sorted[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
