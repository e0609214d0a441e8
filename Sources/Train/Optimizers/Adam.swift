import Foundation
internal import CKernels

/// Adam, PyTorch's `torch.optim.Adam` (weight decay is L2: g = ∇ + λ·p,
/// `TensorStep.forEachGradient`). With t the step number (from 1):
///
///     m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²
///     p ← p − η · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε)
///
/// Reference: https://pytorch.org/docs/stable/generated/torch.optim.Adam.html (Kingma & Ba 2015).
public struct Adam: UpdateRule {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public var stateNames: [String] { ["exp_avg", "exp_avg_sq"] }
    public var weightDecayMode: WeightDecayMode { .l2 }

    public func update(_ t: TensorStep) {
        let s = Double(t.step)
        let c1 = Float(1 - pow(Double(beta1), s)), c2 = Float(1 - pow(Double(beta2), s))
        // The element loop runs in CKernels (cloned per x86-64 level: AVX-512 or AVX2 where the CPU
        // has it); the gradient is ∇ + λ·p under L2 decay (`TensorStep.forEachGradient`'s rule).
        htsr_adam_f32(t.values, t.gradients, t.state(0), t.state(1), t.count, t.l2 ?? 0, beta1, beta2, c1, c2, t.rate, epsilon)
    }
}

/// AdamW, PyTorch's `torch.optim.AdamW`: Adam's moments and step with decoupled weight decay,
/// p ← p − η·λ·p applied by `Optimizer` before the Adam step (on the tensors the caller decays).
/// Reference: https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html (Loshchilov &
/// Hutter 2019).
public struct AdamW: UpdateRule {
    public var adam: Adam

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        adam = Adam(beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    public var stateNames: [String] { adam.stateNames }
    public var weightDecayMode: WeightDecayMode { .decoupled }
    public func update(_ t: TensorStep) { adam.update(t) }
}
