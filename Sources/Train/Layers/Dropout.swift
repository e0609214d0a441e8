import Random

/// Inverted dropout (PyTorch's `nn.Dropout(p)` in training mode): each element is kept with
/// probability 1 − p and scaled by 1/(1 − p), else zeroed. The mask (0 or 1/(1 − p)) is drawn
/// from the given generator and kept for backward: `dx = dy · mask`.
public enum Dropout {
    /// Draws the mask and applies it: y = x · mask. With p = 0 the mask is all ones and nothing is
    /// drawn.
    ///
    /// An element is kept when `rng.uniform() ≥ p`. The draw is `k · 2⁻⁵³` with the integer
    /// `k = next() >> 11 < 2⁵³`, exact in Double, and `p · 2⁵³` is exact too (a power-of-two scale),
    /// so the test is `k ≥ ⌈p · 2⁵³⌉` in integers: the same mask, without a conversion per element.
    @_specialize(exported: true, where T == Float)
    public static func forward<T: TrainScalar>(_ y: UnsafeMutablePointer<T>, mask: UnsafeMutablePointer<T>,
                                               _ x: UnsafePointer<T>, count n: Int, p: Double, rng: inout SeededRNG) {
        precondition(p >= 0 && p < 1, "dropout probability \(p) outside [0, 1)")
        let scale = T(1 / (1 - p))
        if p == 0 {
            for i in 0..<n { mask[i] = scale; y[i] = x[i] * scale }
            return
        }
        let threshold = keepThreshold(p)
        var local = rng   // the state in registers, not reloaded through `inout` after every store
        defer { rng = local }
        for i in 0..<n {
            let m = local.next() >> 11 >= threshold ? scale : 0
            mask[i] = m
            y[i] = x[i] * m
        }
    }

    /// `⌈p · 2⁵³⌉`: `(next() >> 11) ≥ keepThreshold(p)` exactly when `uniform() ≥ p` (p in [0, 1)).
    static func keepThreshold(_ p: Double) -> UInt64 { UInt64((p * 0x1p53).rounded(.up)) }

    @_specialize(exported: true, where T == Float)
    public static func backward<T: TrainScalar>(_ dx: UnsafeMutablePointer<T>, dy: UnsafePointer<T>,
                                                mask: UnsafePointer<T>, count n: Int) {
        for i in 0..<n { dx[i] = dy[i] * mask[i] }
    }
}
