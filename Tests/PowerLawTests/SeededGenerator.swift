import Random

/// `n` ascending draws from the Pareto law `p(x) ∝ x^(−α)`, `x ≥ xmin`, by inversion:
/// `x = xmin · (1 − u)^(−1/(α−1))`.
func paretoSample(alpha: Double, xmin: Double = 1, count n: Int, seed: UInt64) -> [Double] {
    var g = SplitMix64(seed: seed)
    return (0..<n).map { _ in
        xmin * pow(1 - Double.random(in: 0..<1, using: &g), -1 / (alpha - 1))
    }.sorted()
}

#if canImport(Glibc)
import Glibc
#endif
