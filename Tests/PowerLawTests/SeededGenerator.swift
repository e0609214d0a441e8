/// SplitMix64: a small seeded generator so every synthetic test draws the same numbers.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `n` ascending draws from the Pareto law `p(x) ∝ x^(−α)`, `x ≥ xmin`, by inversion:
/// `x = xmin · (1 − u)^(−1/(α−1))`.
func paretoSample(alpha: Double, xmin: Double = 1, count n: Int, seed: UInt64) -> [Double] {
    var g = SeededGenerator(seed: seed)
    return (0..<n).map { _ in
        xmin * pow(1 - Double.random(in: 0..<1, using: &g), -1 / (alpha - 1))
    }.sorted()
}

#if canImport(Glibc)
import Glibc
#endif
