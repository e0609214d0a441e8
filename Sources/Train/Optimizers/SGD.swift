/// Stochastic gradient descent with momentum, PyTorch's `torch.optim.SGD` (dampening 0; weight
/// decay is L2: g = ∇ + λ·p, `TensorStep.forEachGradient`):
///
///     b ← μ·b + g             (b = g on the first step: b starts at 0, so the same formula)
///     d ← g + μ·b (Nesterov)  or  d ← b
///     p ← p − η·d
///
/// With μ = 0 this is plain SGD, p ← p − η·g, and no buffer is kept.
/// Reference: https://pytorch.org/docs/stable/generated/torch.optim.SGD.html
public struct SGD: UpdateRule {
    public var momentum: Float
    public var nesterov: Bool

    public init(momentum: Float = 0, nesterov: Bool = false) {
        self.momentum = momentum
        self.nesterov = nesterov
    }

    public var stateNames: [String] { momentum == 0 ? [] : ["momentum_buffer"] }
    public var weightDecayMode: WeightDecayMode { .l2 }

    public func update(_ t: TensorStep) {
        let p = t.values, lr = t.rate, mu = momentum
        if mu == 0 {
            t.forEachGradient { i, g in p[i] -= lr * g }
            return
        }
        let b = t.state(0)
        if nesterov {
            t.forEachGradient { i, g in b[i] = mu * b[i] + g; p[i] -= lr * (g + mu * b[i]) }
        } else {
            t.forEachGradient { i, g in b[i] = mu * b[i] + g; p[i] -= lr * b[i] }
        }
    }
}
