/// The trainers' seeded generator: xoshiro256** (Blackman and Vigna, "Scrambled linear
/// pseudorandom number generators", ACM TOMS 2021) with its 256-bit state filled by four
/// `SplitMix64` outputs, passed explicitly wherever a trainer draws, so that every run is
/// reproducible from its seed.
///
/// `SeededRNG(seed:stream:)` gives independent named streams (weights, data subset, data order
/// per epoch, dropout per step; see `RandomStream`) that can be recreated at any step, which is
/// what makes resuming exact.
public struct SeededRNG: SeededGenerator {
    @usableFromInline var s: (UInt64, UInt64, UInt64, UInt64)

    /// Stream `stream` of `seed`: the state is four outputs of
    /// `SplitMix64(seed · 0x9E3779B97F4A7C15 ⊕ (stream + 0x632BE59BD9B4E019) · 0xD1B54A32D192ED03)`
    /// (wrapping arithmetic).
    public init(seed: UInt64, stream: RandomStream = .main) {
        let mixed = seed &* 0x9E37_79B9_7F4A_7C15 ^ (stream.number &+ 0x632B_E59B_D9B4_E019) &* 0xD1B5_4A32_D192_ED03
        var filler = SplitMix64(seed: mixed)
        s = (filler.next(), filler.next(), filler.next(), filler.next())
    }

    /// The next word: `rotl(s₁ · 5, 7) · 9`, then the xoshiro256 state transition.
    @inlinable public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    @inlinable @inline(__always) func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A standard normal draw by Box–Muller, one value per call: `u₁ = uniform()` redrawn while
    /// it is 0, then `√(−2 ln u₁) · cos(2π u₂)` (the pair's sine value is discarded, so the
    /// stream position depends only on the number of calls and the rare redraws).
    public mutating func normal() -> Double {
        var u1 = uniform()
        while u1 <= 0 { u1 = uniform() }
        let u2 = uniform()
        return BoxMuller.cosine(u1, u2)
    }

    /// A random permutation of `0..<n` by Fisher–Yates, `j = next() mod (i + 1)` for
    /// i = n − 1 … 1.
    ///
    /// The modulo is slightly biased: a value j is drawn with probability
    /// `(⌊2⁶⁴/(i+1)⌋ or ⌈2⁶⁴/(i+1)⌉) / 2⁶⁴`, a relative deviation from uniform of at most about
    /// `(i + 1)/2⁶⁴` (≈ n/2⁶⁴, below 10⁻¹³ for any data set that fits in memory). It is kept on
    /// purpose: the data subsets and epoch orders of committed results depend on this exact
    /// stream. `SplitMix64.next(below:)` is the bias-free draw for new uses.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) {
                let j = Int(next() % UInt64(i + 1))
                p.swapAt(i, j)
            }
        }
        return p
    }
}
