/// Stochastic gradient descent with momentum and L2 weight decay, as PyTorch's `torch.optim.SGD`
/// (dampening 0):
///
///     g ← ∇ + wd·p            (wd only for decayed tensors)
///     b ← μ·b + g             (b = g on the first step; b starts at 0, so the same formula)
///     d ← g + μ·b (Nesterov)  or  d ← b
///     p ← p − lr·d
///
/// With μ = 0 this is plain SGD (no buffer is kept).
public struct SGD: Optimizer {
    public let momentum: Float
    public let nesterov: Bool
    public let weightDecay: Float
    private var buffer: [Float]
    public private(set) var stepCount = 0

    public init(count: Int, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        buffer = momentum == 0 ? [] : Array(repeating: 0, count: count)
    }

    public mutating func step(_ parameters: ParameterSet<Float>, learningRates: [Float]) {
        precondition(learningRates.count == parameters.entries.count)
        stepCount += 1
        let mu = momentum, nesterov = nesterov
        buffer.withUnsafeMutableBufferPointer { buf in
            for (k, e) in parameters.entries.enumerated() {
                let p = parameters.values[e], g = parameters.grads[e]
                let lr = learningRates[k], wd = parameters.decays(e) ? weightDecay : 0
                if mu == 0 {
                    for i in 0..<e.count { p[i] -= lr * (g[i] + wd * p[i]) }
                } else {
                    let b = buf.baseAddress! + e.offset
                    for i in 0..<e.count {
                        let gi = g[i] + wd * p[i]
                        b[i] = mu * b[i] + gi
                        p[i] -= lr * (nesterov ? gi + mu * b[i] : b[i])
                    }
                }
            }
        }
    }

    public var stateTensors: [(name: String, values: [Float])] { momentum == 0 ? [] : [("momentum", buffer)] }

    public mutating func restore(tensors: [String: [Float]], stepCount: Int) throws {
        if momentum != 0 { buffer = try stateTensor(tensors, "momentum", count: buffer.count) }
        self.stepCount = stepCount
    }
}
