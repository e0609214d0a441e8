/// A per-parameter update rule (mlx-swift's `OptimizerBase.applySingle`): how one tensor moves
/// given its gradient, its learning rate and its own state. Everything common to all rules —
/// the loop over named tensors, per-tensor rates, weight decay, gradient clipping, the state
/// buffers and the step count — belongs to `Optimizer`, the one shared loop.
public protocol UpdateRule: Sendable {
    /// The per-element state the rule keeps for every tensor (PyTorch's state keys, e.g.
    /// `exp_avg`), each zero before the first step; empty for a stateless rule.
    var stateNames: [String] { get }
    /// How the loop applies a tensor's weight decay λ before calling `update`.
    var weightDecayMode: WeightDecayMode { get }
    /// Updates one tensor in place (`t.values`), through `t.forEachGradient`.
    func update(_ t: TensorStep)
}

/// How weight decay λ enters a step; the loop applies it, tensor by tensor, before the rule.
public enum WeightDecayMode: String, Sendable {
    /// L2 added to the gradient (`torch.optim.SGD` / `Adam` `weight_decay`): the rule steps on
    /// g = ∇ + λ·p (`TensorStep.forEachGradient`); the gradient buffer is not changed.
    case l2
    /// Decoupled (`torch.optim.AdamW`; Loshchilov & Hutter 2019): p ← p − η·λ·p.
    case decoupled
}

/// Which tensors take weight decay: a per-tensor choice of the caller (PyTorch param groups).
public enum DecayRule: String, Sendable, Codable {
    /// Rank ≥ 2 tensors (weights), not biases or norm scales/shifts: the NLP recipe (Hugging
    /// Face's `no_decay = ["bias", "LayerNorm.weight"]` groups).
    case matrices
    /// Every tensor: `torch.optim.Adam(model.parameters(), weight_decay=λ)` (the FNO recipe).
    case all

    /// Whether `entry` takes weight decay under this rule.
    public func decays(_ entry: TensorEntry) -> Bool { self == .all || entry.shape.count >= 2 }
}

/// One tensor's step as an update rule sees it: pointers into the parameter, gradient and state
/// buffers, valid only during `UpdateRule.update`.
public struct TensorStep {
    /// Elements in the tensor.
    public let count: Int
    public let values: UnsafeMutablePointer<Float>
    let gradients: UnsafePointer<Float>
    /// λ under `.l2` decay (0 for a tensor the caller does not decay); nil under `.decoupled`.
    let l2: Float?
    /// This tensor's learning rate (its group's rate: the scheduled η times its multiplier).
    public let rate: Float
    /// The step number t, from 1 (for bias corrections).
    public let step: Int
    /// Slot k of this tensor's state is at `state + k·stateStride` (`count` elements).
    let state: UnsafeMutablePointer<Float>?
    let stateStride: Int

    /// Calls `body(i, g)` for every element i in order, g the gradient the rule steps on:
    /// ∇ + λ·p (read before `body` runs) under L2 decay, else ∇. (Two loops, so each vectorises.)
    @inline(__always) public func forEachGradient(_ body: (Int, Float) -> Void) {
        let g = gradients, p = values
        if let l2 {
            for i in 0..<count { body(i, g[i] + l2 * p[i]) }
        } else {
            for i in 0..<count { body(i, g[i]) }
        }
    }

    /// The rule's state `stateNames[k]` for this tensor: `count` elements.
    @inline(__always) public func state(_ k: Int) -> UnsafeMutablePointer<Float> {
        guard let state else { preconditionFailure("the rule declared no state") }
        return state + k * stateStride
    }
}
