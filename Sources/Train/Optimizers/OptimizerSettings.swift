/// The optimizers `htsr train --optimizer` offers.
public enum OptimizerKind: String, Sendable, Codable, CaseIterable {
    case sgd, adam, adamw
}

/// The settings of any optimizer, as a run's configuration stores them (fields a rule does not
/// use are ignored).
public struct OptimizerSettings: Sendable, Codable, Equatable {
    public var kind: OptimizerKind = .sgd
    public var momentum: Float = 0.9
    public var nesterov = false
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightDecay: Float = 0

    public init(kind: OptimizerKind = .sgd) { self.kind = kind }

    enum CodingKeys: String, CodingKey {
        case kind, momentum, nesterov, beta1, beta2, epsilon, weightDecay = "weight_decay"
    }

    /// The update rule these settings name.
    public var rule: any UpdateRule {
        switch kind {
        case .sgd: return SGD(momentum: momentum, nesterov: nesterov)
        case .adam: return Adam(beta1: beta1, beta2: beta2, epsilon: epsilon)
        case .adamw: return AdamW(beta1: beta1, beta2: beta2, epsilon: epsilon)
        }
    }

    /// A fresh optimizer over `layout`, decaying the tensors `decays` selects by `weightDecay`.
    public func make(layout: TensorLayout, decays: DecayRule = .matrices, maxGradientNorm: Float? = nil) -> Optimizer {
        Optimizer(rule, layout: layout, weightDecay: weightDecay, decays: decays, maxGradientNorm: maxGradientNorm)
    }
}
