/// An optimizer: its state plus one update rule, applied tensor by tensor with each tensor's
/// own learning rate (its parameter group's rate: the scheduled global rate times the policy's
/// multiplier). Weight decay applies to the tensors `ParameterSet.decays` selects.
public protocol Optimizer: Sendable {
    /// One update of every parameter from its gradient. `learningRates[i]` is the rate of
    /// `parameters.entries[i]`.
    mutating func step(_ parameters: ParameterSet<Float>, learningRates: [Float])
    /// The state to checkpoint (name → flat values), and the step count.
    var stateTensors: [(name: String, values: [Float])] { get }
    var stepCount: Int { get }
    /// Restores what `stateTensors` and `stepCount` gave.
    mutating func restore(tensors: [String: [Float]], stepCount: Int) throws
}

/// The optimizers `htsr train --optimizer` offers.
public enum OptimizerKind: String, Sendable, Codable, CaseIterable {
    case sgd, adam, adamw
}

/// The settings of any optimizer (fields an optimizer does not use are ignored).
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

    /// A fresh optimizer for `count` parameters.
    public func make(count: Int) -> any Optimizer {
        switch kind {
        case .sgd: return SGD(count: count, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
        case .adam: return Adam(count: count, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, decoupled: false)
        case .adamw: return Adam(count: count, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, decoupled: true)
        }
    }
}

extension Optimizer {
    /// Checks that a restored state tensor has the expected length.
    func stateTensor(_ tensors: [String: [Float]], _ name: String, count: Int) throws -> [Float] {
        guard let t = tensors[name] else { throw TrainError.badResumeState("the optimizer state '\(name)' is missing") }
        guard t.count == count else { throw TrainError.badResumeState("the optimizer state '\(name)' has \(t.count) values, expected \(count)") }
        return t
    }
}
