/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014): a 64-bit counter advanced by the golden-ratio increment and mixed by two
/// xor-shift-multiply rounds,
///
///     state += 0x9E3779B97F4A7C15
///     z = (state ⊕ state >> 30) · 0xBF58476D1CE4E5B9
///     z = (z ⊕ z >> 27) · 0x94D049BB133111EB
///     next = z ⊕ z >> 31
///
/// Its output is the same on every platform and Swift version. It is the one SplitMix64 of the
/// package: it draws the PDE data sets and the analyzer's randomisation, and seeds `SeededRNG`.
public struct SplitMix64: SeededGenerator {
    private var state: UInt64

    /// A generator whose first output is the mix of `seed + 0x9E3779B97F4A7C15`.
    public init(seed: UInt64) { state = seed }

    /// Sub-stream `stream` of `seed`: the pair is hashed through two SplitMix64 rounds,
    /// `a = SplitMix64(seed ⊕ 0x6A09E667F3BCC909).next()`, then
    /// `state = SplitMix64(a + stream · 0x9E3779B97F4A7C15).next()`, so neighbouring streams
    /// are unrelated. Sample `i` of a PDE data set draws from `.sample(i)`.
    public init(seed: UInt64, stream: RandomStream) {
        var mixer = SplitMix64(seed: seed ^ 0x6A09_E667_F3BC_C909)
        let a = mixer.next()
        var second = SplitMix64(seed: a &+ stream.number &* 0x9E37_79B9_7F4A_7C15)
        state = second.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire, "Fast random integer
    /// generation in an interval", ACM TOMACS 2019): the high word of `next() · bound`, redrawn
    /// while the low word is below `2⁶⁴ mod bound`. Draws one word except with probability
    /// `(2⁶⁴ mod bound) / 2⁶⁴`.
    ///
    /// - Precondition: `bound > 0`.
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "next(below:) needs a positive bound")
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return m.high
    }

    /// A standard normal draw by Box–Muller, one value per call, `u₁` taken as `1 − uniform()`
    /// so that it lies in (0, 1] and the logarithm is finite:
    /// `√(−2 ln u₁) · cos(2π u₂)` (the pair's sine value is discarded).
    public mutating func normal() -> Double {
        let u1 = 1 - uniform()
        let u2 = uniform()
        return BoxMuller.cosine(u1, u2)
    }
}
