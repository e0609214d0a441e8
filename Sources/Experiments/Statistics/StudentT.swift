import Foundation

/// Student's t distribution with `degreesOfFreedom` ν > 0.
public struct StudentT: Sendable {
    public let degreesOfFreedom: Double

    /// nil for ν ≤ 0 or not finite.
    public init?(degreesOfFreedom: Double) {
        guard degreesOfFreedom > 0, degreesOfFreedom.isFinite else { return nil }
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// P(T > |t|) = ½ I_{ν/(ν+t²)}(ν/2, ½): one tail, computed without cancellation.
    func tail(_ t: Double) -> Double {
        let nu = degreesOfFreedom
        if t.isInfinite { return 0 }
        return 0.5 * SpecialFunctions.regularizedIncompleteBeta(nu / (nu + t * t), a: nu / 2, b: 0.5)!
    }

    /// The distribution function P(T ≤ t). NaN gives NaN.
    public func cdf(_ t: Double) -> Double {
        if t.isNaN { return .nan }
        return t > 0 ? 1 - tail(t) : tail(t)
    }

    /// The survival function P(T > t) (accurate in the upper tail, where 1 − cdf is not).
    public func sf(_ t: Double) -> Double {
        if t.isNaN { return .nan }
        return t > 0 ? tail(t) : 1 - tail(t)
    }

    /// The quantile: the t with cdf(t) = p, for p in (0, 1) (nil outside). Bisection on the
    /// monotone cdf (tails through `sf` for precision), to the last bits of a Double.
    public func quantile(_ p: Double) -> Double? {
        guard p > 0, p < 1 else { return nil }
        if p == 0.5 { return 0 }
        // By symmetry solve the upper tail: sf(t) = q with q = min(p, 1 − p), t > 0.
        let q = min(p, 1 - p)
        var lo = 0.0, hi = 1.0
        while sf(hi) > q {
            lo = hi
            hi *= 2
            if hi > 1e300 { break }
        }
        for _ in 0..<2000 {
            let mid = 0.5 * (lo + hi)
            if mid <= lo || mid >= hi { break }
            if sf(mid) > q { lo = mid } else { hi = mid }
        }
        let t = 0.5 * (lo + hi)
        return p > 0.5 ? t : -t
    }
}
