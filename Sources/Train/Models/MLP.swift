import Random

/// A multilayer perceptron classifier on flat buffers (llm.c style).
///
/// Dimensions: B = batch (≤ maxBatch), I = inputs, H_l = hidden widths, C = classes.
/// Forward, per hidden layer l:  z_l [B,H_l] = Linear(h_{l−1});  n_l = LayerNorm(z_l) (optional);
/// a_l = act(n_l or z_l);  h_l = Dropout(a_l) (training, p > 0), then  logits [B,C] = Linear(h_L),
/// probs = softmax(logits), loss = mean cross-entropy. `backward` replays these in reverse.
public final class MLP<T: TrainScalar>: @unchecked Sendable {  // scratch buffers: forward/backward run from one thread at a time
    public let config: MLPConfig
    public let parameters: ParameterSet<T>
    public let maxBatch: Int
    /// Activations and their gradients: one buffer each, same layout.
    let actLayout: TensorLayout
    let acts: FlatBuffer<T>
    let dActs: FlatBuffer<T>
    let labels: UnsafeMutablePointer<Int32>
    /// Batch size and whether dropout ran, from the last forward pass (backward needs them).
    private var lastBatch = 0
    private var lastDropout = false

    public init(config: MLPConfig, maxBatch: Int) {
        precondition(maxBatch > 0)
        self.config = config
        self.maxBatch = maxBatch
        parameters = ParameterSet(layout: config.parameterLayout)
        var a = TensorLayout()
        let B = maxBatch
        a.add("x", [B, config.inputs])
        for (l, h) in config.hidden.enumerated() {
            a.add("z\(l)", [B, h])
            if config.layerNorm {
                a.add("n\(l)", [B, h]); a.add("mean\(l)", [B]); a.add("rstd\(l)", [B])
            }
            a.add("a\(l)", [B, h])
            if config.dropout > 0 { a.add("h\(l)", [B, h]); a.add("mask\(l)", [B, h]) }
        }
        a.add("logits", [B, config.classes])
        a.add("probs", [B, config.classes])
        actLayout = a
        acts = FlatBuffer(count: a.count)
        dActs = FlatBuffer(count: a.count)
        labels = .allocate(capacity: B)
        labels.initialize(repeating: 0, count: B)
    }

    deinit { labels.deallocate() }

    @inline(__always) func act(_ name: String) -> UnsafeMutablePointer<T> { acts[actLayout[name]!] }
    @inline(__always) func dAct(_ name: String) -> UnsafeMutablePointer<T> { dActs[actLayout[name]!] }
    @inline(__always) func param(_ name: String) -> UnsafeMutablePointer<T> { parameters.values[parameters.entry(name)] }
    @inline(__always) func grad(_ name: String) -> UnsafeMutablePointer<T> { parameters.grads[parameters.entry(name)] }

    /// PyTorch's defaults: Linear W, b ~ U(−1/√in, 1/√in) (kaiming_uniform with a = √5);
    /// LayerNorm γ = 1, β = 0. Tensors are filled in layout order from `rng`.
    public func initialize(rng: inout SeededRNG) {
        for e in parameters.entries {
            let p = parameters.values[e]
            if e.module.hasPrefix("ln") {
                p.update(repeating: e.role == "weight" ? 1 : 0, count: e.count)
            } else {
                let fanIn = parameters.entry(e.module + ".weight").shape[1]
                let bound = 1 / Double(fanIn).squareRoot()
                for i in 0..<e.count { p[i] = T((2 * rng.uniform() - 1) * bound) }
            }
        }
    }

    /// The name of the activation that feeds linear layer l (0-based).
    private func inputName(_ l: Int, dropout: Bool) -> String {
        l == 0 ? "x" : (dropout ? "h\(l - 1)" : "a\(l - 1)")
    }

    /// Runs the network on B rows of x [B, I] with labels [B]; returns the mean loss.
    /// Dropout is applied only when `training` (its mask drawn from `rng`).
    @discardableResult
    @_specialize(exported: true, where T == Float)
    public func forward(_ x: UnsafePointer<T>, labels y: UnsafePointer<Int32>, batch B: Int,
                        training: Bool, rng: inout SeededRNG) -> Double {
        precondition(B > 0 && B <= maxBatch, "batch \(B) exceeds the model's maximum \(maxBatch)")
        let w = config.widths, L = config.hidden.count
        let dropout = training && config.dropout > 0
        lastBatch = B
        lastDropout = dropout
        act("x").update(from: x, count: B * w[0])
        labels.update(from: y, count: B)
        for l in 0..<L {
            let H = w[l + 1]
            Linear.forward(act("z\(l)"), act(inputName(l, dropout: dropout)), weight: param("fc\(l + 1).weight"),
                           bias: param("fc\(l + 1).bias"), batch: B, inputs: w[l], outputs: H)
            var pre = "z\(l)"
            if config.layerNorm {
                LayerNorm.forward(act("n\(l)"), mean: act("mean\(l)"), rstd: act("rstd\(l)"), act(pre),
                                  weight: param("ln\(l + 1).weight"), bias: param("ln\(l + 1).bias"), batch: B, channels: H)
                pre = "n\(l)"
            }
            config.activation.forward(act("a\(l)"), act(pre), count: B * H)
            if dropout {
                Dropout.forward(act("h\(l)"), mask: act("mask\(l)"), act("a\(l)"), count: B * H, p: config.dropout, rng: &rng)
            }
        }
        Linear.forward(act("logits"), act(inputName(L, dropout: dropout)), weight: param("fc\(L + 1).weight"),
                       bias: param("fc\(L + 1).bias"), batch: B, inputs: w[L], outputs: config.classes)
        return SoftmaxCrossEntropy.forward(probs: act("probs"), logits: act("logits"), labels: labels,
                                           batch: B, classes: config.classes)
    }

    /// Accumulates the gradient of the last forward pass's loss into `parameters.grads`
    /// (zero them first); a straight reverse replay of `forward`.
    @_specialize(exported: true, where T == Float)
    public func backward() {
        let B = lastBatch, dropout = lastDropout
        let w = config.widths, L = config.hidden.count
        precondition(B > 0, "backward before forward")
        SoftmaxCrossEntropy.backward(dLogits: dAct("logits"), probs: act("probs"), labels: labels, batch: B, classes: config.classes)
        Linear.backward(dx: dAct(inputName(L, dropout: dropout)), dWeight: grad("fc\(L + 1).weight"), dBias: grad("fc\(L + 1).bias"),
                        dy: dAct("logits"), x: act(inputName(L, dropout: dropout)), weight: param("fc\(L + 1).weight"),
                        batch: B, inputs: w[L], outputs: config.classes)
        for l in stride(from: L - 1, through: 0, by: -1) {
            let H = w[l + 1]
            if dropout { Dropout.backward(dAct("a\(l)"), dy: dAct("h\(l)"), mask: act("mask\(l)"), count: B * H) }
            let pre = config.layerNorm ? "n\(l)" : "z\(l)"
            config.activation.backward(dAct(pre), dy: dAct("a\(l)"), x: act(pre), count: B * H)
            if config.layerNorm {
                LayerNorm.backward(dAct("z\(l)"), dWeight: grad("ln\(l + 1).weight"), dBias: grad("ln\(l + 1).bias"),
                                   dy: dAct("n\(l)"), x: act("z\(l)"), weight: param("ln\(l + 1).weight"),
                                   mean: act("mean\(l)"), rstd: act("rstd\(l)"), batch: B, channels: H)
            }
            Linear.backward(dx: l > 0 ? dAct(inputName(l, dropout: dropout)) : nil, dWeight: grad("fc\(l + 1).weight"),
                            dBias: grad("fc\(l + 1).bias"), dy: dAct("z\(l)"), x: act(inputName(l, dropout: dropout)),
                            weight: param("fc\(l + 1).weight"), batch: B, inputs: w[l], outputs: H)
        }
    }

    /// The class probabilities of the last forward pass, [B, C].
    public var probabilities: UnsafePointer<T> { UnsafePointer(act("probs")) }
}
