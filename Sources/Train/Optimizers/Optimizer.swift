/// The shared optimizer loop (mlx-swift's `OptimizerBase`): one `UpdateRule` applied tensor by
/// tensor over a model's named parameters. The loop owns what every rule shares:
/// - the per-tensor learning rate η_k = η · m_k (the scheduled rate times the tensor's
///   multiplier, e.g. TempBalance's; PyTorch param groups),
/// - weight decay λ_k per tensor, chosen by the caller (`DecayRule`), applied as the rule's
///   `weightDecayMode` says (L2 in the gradient, or decoupled as AdamW),
/// - optional gradient clipping by global norm before the step (`clip_grad_norm_`),
/// - the rule's state for every tensor, the step count, and their checkpoint form.
public struct Optimizer: Sendable {
    public let rule: any UpdateRule
    public let layout: TensorLayout
    /// λ_k of every tensor in layout order (0: no decay).
    public let weightDecay: [Float]
    /// If set, gradients are clipped to this global L2 norm before each step.
    public var maxGradientNorm: Float?
    /// Steps taken (the next step is number `stepCount + 1`).
    public private(set) var stepCount = 0
    /// Slot k of tensor e at `k · layout.count + e.offset`.
    private var state: [Float]

    /// - Parameter weightDecay: λ_k per tensor, in layout order.
    public init(_ rule: any UpdateRule, layout: TensorLayout, weightDecay: [Float], maxGradientNorm: Float? = nil) {
        precondition(weightDecay.count == layout.entries.count, "one weight decay per tensor")
        self.rule = rule
        self.layout = layout
        self.weightDecay = weightDecay
        self.maxGradientNorm = maxGradientNorm
        state = Array(repeating: 0, count: rule.stateNames.count * layout.count)
    }

    /// λ for the tensors `decays` selects, 0 for the others.
    public init(_ rule: any UpdateRule, layout: TensorLayout, weightDecay: Float = 0, decays: DecayRule = .matrices,
                maxGradientNorm: Float? = nil) {
        self.init(rule, layout: layout, weightDecay: layout.entries.map { decays.decays($0) ? weightDecay : 0 },
                  maxGradientNorm: maxGradientNorm)
    }

    /// One step with tensor k at rate `Float(eta · multipliers[k])`.
    /// - Returns: the gradient norm before clipping, when clipping is on.
    @discardableResult
    public mutating func step(_ parameters: ParameterSet<Float>, eta: Double, multipliers: [Double]) -> Double? {
        precondition(multipliers.count == layout.entries.count, "one multiplier per tensor")
        return step(parameters) { k in Float(eta * multipliers[k]) }
    }

    /// One step with tensor k at rate `learningRates[k]`.
    @discardableResult
    public mutating func step(_ parameters: ParameterSet<Float>, learningRates: [Float]) -> Double? {
        precondition(learningRates.count == layout.entries.count, "one learning rate per tensor")
        return step(parameters) { learningRates[$0] }
    }

    private mutating func step(_ parameters: ParameterSet<Float>, rate: (Int) -> Float) -> Double? {
        precondition(parameters.layout == layout, "the optimizer was made for another parameter layout")
        let norm = maxGradientNorm.map { GradientClipping.clip(parameters.grads, maxNorm: $0) }
        stepCount += 1
        let t = stepCount, n = layout.count, rule = rule, mode = rule.weightDecayMode
        let entries = layout.entries, decay = weightDecay
        state.withUnsafeMutableBufferPointer { s in
            for (k, e) in entries.enumerated() {
                let p = parameters.values[e], g = parameters.grads[e]
                let lr = rate(k), wd = decay[k]
                // Decoupled decay first (λ = 0 would only turn a −0 weight into +0; weights are never −0).
                if mode == .decoupled && wd != 0 { for i in 0..<e.count { p[i] -= lr * wd * p[i] } }
                rule.update(TensorStep(count: e.count, values: p, gradients: g, l2: mode == .l2 ? wd : nil, rate: lr, step: t,
                                       state: s.baseAddress.map { $0 + e.offset }, stateStride: n))
            }
        }
        return norm
    }
}

extension Optimizer {
    /// The state to checkpoint: one tensor per parameter tensor and state slot, named
    /// `<parameter>.<slot>` (e.g. `fc1.weight.exp_avg`) with the parameter's shape.
    public var stateTensors: [(name: String, shape: [Int], values: [Float])] {
        let n = layout.count
        return rule.stateNames.enumerated().flatMap { k, slot in
            layout.entries.map { e in (e.name + "." + slot, e.shape, Array(state[(k * n + e.offset)..<(k * n + e.offset + e.count)])) }
        }
    }

    /// Restores what `stateTensors` and `stepCount` gave (exactly: a resumed run continues bit
    /// for bit). A missing, mis-sized or non-finite tensor throws `TrainError.badResumeState`.
    public mutating func restore(tensors: [String: [Float]], stepCount: Int) throws {
        guard stepCount >= 0 else { throw TrainError.badResumeState("the optimizer step count \(stepCount) is negative") }
        let n = layout.count
        var restored = state
        for (k, slot) in rule.stateNames.enumerated() {
            for e in layout.entries {
                let name = e.name + "." + slot
                guard let values = tensors[name] else { throw TrainError.badResumeState("the optimizer state '\(name)' is missing") }
                guard values.count == e.count else {
                    throw TrainError.badResumeState("the optimizer state '\(name)' has \(values.count) values, expected \(e.count)")
                }
                guard values.allSatisfy(\.isFinite) else {
                    throw TrainError.badResumeState("the optimizer state '\(name)' holds NaN or infinite values")
                }
                restored.replaceSubrange((k * n + e.offset)..<(k * n + e.offset + e.count), with: values)
            }
        }
        state = restored
        self.stepCount = stepCount
    }
}
