import Random

/// Inverted dropout (PyTorch's `nn.Dropout(p)` in training mode): each element is kept with
/// probability 1 − p and scaled by 1/(1 − p), else zeroed. The mask (0 or 1/(1 − p)) is drawn
/// from the given generator and kept for backward: `dx = dy · mask`.
public enum Dropout {
    /// Draws the mask and applies it: y = x · mask. With p = 0 the mask is all ones.
    @_specialize(exported: true, where T == Float)
    public static func forward<T: TrainScalar>(_ y: UnsafeMutablePointer<T>, mask: UnsafeMutablePointer<T>,
                                               _ x: UnsafePointer<T>, count n: Int, p: Double, rng: inout SeededRNG) {
        precondition(p >= 0 && p < 1, "dropout probability \(p) outside [0, 1)")
        let scale = T(1 / (1 - p))
        for i in 0..<n {
            mask[i] = p == 0 || rng.uniform() >= p ? scale : 0
            y[i] = x[i] * mask[i]
        }
    }

    @_specialize(exported: true, where T == Float)
    public static func backward<T: TrainScalar>(_ dx: UnsafeMutablePointer<T>, dy: UnsafePointer<T>,
                                                mask: UnsafePointer<T>, count n: Int) {
        for i in 0..<n { dx[i] = dy[i] * mask[i] }
    }
}
