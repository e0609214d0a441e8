import Foundation

/// Adam (`torch.optim.Adam`, weight decay added to the gradient) and AdamW (`torch.optim.AdamW`,
/// decoupled weight decay). With t the step count (from 1):
///
///     AdamW:  p ← p − lr·wd·p                 (decoupled; wd only for decayed tensors)
///     Adam:   g ← ∇ + wd·p                    (L2 added to the gradient)
///     m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²
///     p ← p − lr · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε)
public struct Adam: Optimizer {
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    /// true: AdamW; false: Adam with L2 in the gradient.
    public let decoupled: Bool
    private var m: [Float], v: [Float]
    public private(set) var stepCount = 0

    public init(count: Int, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, decoupled: Bool = false) {
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay; self.decoupled = decoupled
        m = Array(repeating: 0, count: count)
        v = Array(repeating: 0, count: count)
    }

    public mutating func step(_ parameters: ParameterSet<Float>, learningRates: [Float]) {
        precondition(learningRates.count == parameters.entries.count)
        stepCount += 1
        let t = Double(stepCount)
        let c1 = Float(1 - pow(Double(beta1), t)), c2 = Float(1 - pow(Double(beta2), t))
        let b1 = beta1, b2 = beta2, eps = epsilon, decoupled = decoupled
        m.withUnsafeMutableBufferPointer { mb in
            v.withUnsafeMutableBufferPointer { vb in
                for (k, e) in parameters.entries.enumerated() {
                    let p = parameters.values[e], g = parameters.grads[e]
                    let m = mb.baseAddress! + e.offset, v = vb.baseAddress! + e.offset
                    let lr = learningRates[k], wd = parameters.decays(e) ? weightDecay : 0
                    for i in 0..<e.count {
                        var gi = g[i]
                        if decoupled { p[i] -= lr * wd * p[i] } else { gi += wd * p[i] }
                        m[i] = b1 * m[i] + (1 - b1) * gi
                        v[i] = b2 * v[i] + (1 - b2) * gi * gi
                        p[i] -= lr * (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
                    }
                }
            }
        }
    }

    public var stateTensors: [(name: String, values: [Float])] { [("adam_m", m), ("adam_v", v)] }

    public mutating func restore(tensors: [String: [Float]], stepCount: Int) throws {
        m = try stateTensor(tensors, "adam_m", count: m.count)
        v = try stateTensor(tensors, "adam_v", count: v.count)
        self.stepCount = stepCount
    }
}
