#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small, fast, seeded random number generator (SplitMix64, Steele et al. 2014) with
/// standard-normal draws, so every generated sample is reproducible from `(seed, stream)`.
///
/// Streams make parallel generation deterministic: sample `i` of a data set draws from
/// `SeededRandom(seed: seed, stream: i)`, independent of which thread generates it.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator for `seed`.
    public init(seed: UInt64) { state = seed }

    /// A generator for sub-stream `stream` of `seed` (the pair is hashed through two SplitMix64
    /// rounds, so neighbouring streams are unrelated).
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SeededRandom(seed: seed ^ 0x6A09_E667_F3BC_C909)
        let a = mixer.next()
        var second = SeededRandom(seed: a &+ stream &* 0x9E37_79B9_7F4A_7C15)
        state = second.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw from `[0, 1)` with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A standard normal draw (Box–Muller, one value per call: `√(−2 ln u₁) cos(2π u₂)` with
    /// `u₁ ∈ (0, 1]`).
    public mutating func normal() -> Double {
        let u1 = 1 - uniform()
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
