import Random
import Testing
@testable import PDE

/// Pins a random field drawn from a sample stream (the streams themselves, `SplitMix64`
/// with `.sample(i)`, are pinned in `RandomTests`).
@Suite struct SeedStreamTests {
    /// A random field drawn from sample stream 3 (FFT round-off aside: 1e-12).
    @Test func randomFieldIsPinned() throws {
        var rng = SplitMix64(seed: 7, stream: .sample(3))
        let u = try GaussianRandomField.Periodic2D(n: 8, alpha: 2.5, tau: 7).sample(using: &rng)
        let first = Array(u.prefix(4))
        #expect(first.count == Self.field.count, "\(first)")
        for (a, b) in zip(first, Self.field) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b)), "\(first)") }
    }
    static let field: [Double] = [-0.22747730068689087, -0.1700196851806445, -0.20660285255243896, -0.07254425633994387]
}
