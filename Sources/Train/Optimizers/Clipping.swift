/// Gradient clipping by global norm (PyTorch's `clip_grad_norm_`): with n = ‖g‖₂ over all
/// parameters, if n > maxNorm every gradient is multiplied by maxNorm / (n + 1e-6).
public enum GradientClipping {
    /// Clips in place and returns the norm before clipping (accumulated in Double).
    @discardableResult
    public static func clip(_ grads: FlatBuffer<Float>, maxNorm: Float) -> Double {
        var sum = 0.0
        let p = grads.pointer
        for i in 0..<grads.count { sum += Double(p[i]) * Double(p[i]) }
        let norm = sum.squareRoot()
        if norm > Double(maxNorm) {
            let scale = Float(Double(maxNorm) / (norm + 1e-6))
            for i in 0..<grads.count { p[i] *= scale }
        }
        return norm
    }
}
