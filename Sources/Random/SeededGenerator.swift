#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deterministic generator of 64-bit words (`SplitMix64`, `SeededRNG`) with the uniform draw
/// every user of the package shares.
public protocol SeededGenerator: RandomNumberGenerator, Sendable {}

extension SeededGenerator {
    /// A uniform draw from [0, 1) with 53 random bits: `(next() >> 11) · 2⁻⁵³`. Never 1; 0 with
    /// probability 2⁻⁵³.
    @inlinable public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
}

/// The Box–Muller transform (Box and Muller, Ann. Math. Statist. 1958), cosine branch.
enum BoxMuller {
    /// `√(−2 ln u₁) · cos(2π u₂)`: a standard normal value for independent uniform `u₁ ∈ (0, 1]`
    /// and `u₂ ∈ [0, 1)`.
    @inline(__always) static func cosine(_ u1: Double, _ u2: Double) -> Double {
        (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
