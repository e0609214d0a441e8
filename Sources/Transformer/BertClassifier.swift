import Checkpoint
import Foundation
import Train
import Random

/// A BERT encoder with a sequence-classification head on flat buffers (llm.c style), the
/// computation of Hugging Face's `BertForSequenceClassification` (or mean pooling instead of the
/// pooler).
///
/// Dimensions: B batch (≤ maxBatch), T sequence length (≤ maxLength ≤ P), N = B·T rows, C hidden,
/// NH heads, HS = C/NH, F intermediate, K classes, L layers.
///
///     e   = Embeddings(ids, types) [N, C];  x₀ = Dropout(LayerNorm(e))
///     per layer:  qkv = x·[Wq; Wk; Wv]ᵀ + b [N, 3C];  ctx = Attention(q, k, v, mask) [N, C]
///                 r₁ = Dropout(ctx·Woᵀ + bo) + x;      h = LayerNorm(r₁)
///                 r₂ = Dropout(GELU(h·Wiᵀ + bi)·Wfᵀ + bf) + h;   x' = LayerNorm(r₂)
///     pooled = tanh(x[:, 0]·Wpᵀ + bp) (cls) or the masked mean of x (mean)  [B, C]
///     logits = Dropout(pooled)·Wcᵀ + bc [B, K];  loss = mean cross-entropy
///
/// `backward` replays this in reverse: parameter gradients accumulate into `parameters.grads`
/// (zero them before a step); activation gradients go through one layer's worth of scratch.
/// Dropout runs only when `training` (each mask drawn, in forward order, from the generator passed).
public final class BertClassifier<T: TrainScalar>: @unchecked Sendable {  // buffers mutated only by forward/backward, run from one thread
    public let config: BertClassifierConfig
    public let parameters: ParameterSet<T>
    public let maxBatch: Int
    public let maxLength: Int

    /// Activations of the forward pass (kept for backward) and one layer's gradient scratch.
    let acts: FlatBuffer<T>
    let grads: FlatBuffer<T>
    let a: ActivationLayout
    let g: GradientLayout
    let ids: UnsafeMutablePointer<Int32>
    let typeIds: UnsafeMutablePointer<Int32>
    let labels: UnsafeMutablePointer<Int32>

    /// The shape and dropout use of the last forward pass (backward needs them).
    private var lastBatch = 0, lastLength = 0
    private var lastHiddenDropout = false, lastAttentionDropout = false, lastHeadDropout = false

    /// Parameter entries, resolved once.
    let p: ParameterEntries

    /// - Parameters: maxBatch, maxLength: the largest batch the buffers are sized for
    ///   (maxLength ≤ max_position_embeddings); optimizerSlots: Float values per parameter the
    ///   caller will add (AdamW: 2), counted in the memory check.
    ///   budget: the memory the buffers may take (`--max-memory`; by default 80 % of the memory
    ///   available, `MemoryBudget`).
    /// - Throws: `TransformerError.badInput` for sizes whose buffers would not fit in `budget`.
    public init(config: BertClassifierConfig, maxBatch: Int, maxLength: Int, optimizerSlots: Int = 0,
                budget: MemoryBudget = .current) throws {
        try config.validate()
        guard maxBatch >= 1, maxLength >= 1, maxLength <= config.encoder.maxPositions else {
            throw TransformerError.badInput("the maximum length must be in 1…\(config.encoder.maxPositions) (max_position_embeddings), got \(maxLength)")
        }
        let e = config.encoder
        let rows = maxBatch.multipliedReportingOverflow(by: maxLength)
        let attention = rows.partialValue.multipliedReportingOverflow(by: e.heads * maxLength)
        guard !rows.overflow, !attention.overflow, attention.partialValue <= 1 << 32,
              rows.partialValue * max(3 * e.hiddenSize, e.intermediateSize) <= 1 << 32 else {
            throw TransformerError.badInput("a batch of \(maxBatch) × \(maxLength) tokens needs more activation memory than allowed (at most 2³² values per buffer)")
        }
        let needed = Self.memoryBytes(config: config, maxBatch: maxBatch, maxLength: maxLength)
            + Double(optimizerSlots * MemoryLayout<T>.size) * Double(config.encoder.parameterCount(classes: config.classes) ?? Int.max)
        guard needed <= Double(budget.bytes) else {
            throw TransformerError.badInput("the model with batches of \(maxBatch) × \(maxLength) tokens needs \(MemoryBudget.format(needed < 9e18 ? Int(needed) : .max)) for its weights, gradients, optimizer state and activations, more than the memory budget of \(budget) (lower the batch size or the maximum length)")
        }
        self.config = config
        self.maxBatch = maxBatch
        self.maxLength = maxLength
        parameters = ParameterSet(layout: config.parameterLayout)
        p = ParameterEntries(parameters, config: config)
        a = ActivationLayout(config: config, batch: maxBatch, length: maxLength)
        g = GradientLayout(config: config, batch: maxBatch, length: maxLength)
        acts = FlatBuffer(count: a.layout.count)
        grads = FlatBuffer(count: g.layout.count)
        let n = maxBatch * maxLength
        ids = .allocate(capacity: n); ids.initialize(repeating: 0, count: n)
        typeIds = .allocate(capacity: n); typeIds.initialize(repeating: 0, count: n)
        labels = .allocate(capacity: maxBatch); labels.initialize(repeating: 0, count: maxBatch)
    }

    deinit {
        ids.deallocate(); typeIds.deallocate(); labels.deallocate()
    }

    /// Bytes of the buffers a model allocates: parameters and their gradients, the activations of
    /// a batch of maxBatch × maxLength tokens and one layer's activation gradients.
    public static func memoryBytes(config: BertClassifierConfig, maxBatch: Int, maxLength: Int) -> Double {
        let parameters = Double(config.encoder.parameterCount(classes: config.classes) ?? Int.max)
        let acts = Double(ActivationLayout(config: config, batch: maxBatch, length: maxLength).layout.count)
        let grads = Double(GradientLayout(config: config, batch: maxBatch, length: maxLength).layout.count)
        return Double(MemoryLayout<T>.size) * (2 * parameters + acts + grads)
    }

    @inline(__always) func w(_ e: TensorEntry) -> UnsafeMutablePointer<T> { parameters.values[e] }
    @inline(__always) func dw(_ e: TensorEntry) -> UnsafeMutablePointer<T> { parameters.grads[e] }
    @inline(__always) func act(_ e: TensorEntry) -> UnsafeMutablePointer<T> { acts[e] }
    @inline(__always) func grad(_ e: TensorEntry) -> UnsafeMutablePointer<T> { grads[e] }

    /// Fresh weights for the classification head as Hugging Face initialises them:
    /// W ~ N(0, initializer_range²), b = 0, drawn in row-major order from `rng`.
    public func initializeHead(rng: inout SeededRNG) {
        initializeLinear(p.classifierWeight, p.classifierBias, rng: &rng)
    }

    /// The same for the pooler (when a checkpoint has none).
    public func initializePooler(rng: inout SeededRNG) {
        initializeLinear(p.poolerWeight, p.poolerBias, rng: &rng)
    }

    func initializeLinear(_ weight: TensorEntry, _ bias: TensorEntry, rng: inout SeededRNG) {
        let sd = config.encoder.initializerRange
        let wp = w(weight)
        for i in 0..<weight.count { wp[i] = T(rng.normal() * sd) }
        w(bias).update(repeating: 0, count: bias.count)
    }

    /// Runs the model on a batch; returns the mean cross-entropy against `labels` [B].
    /// - Throws: `TransformerError.badInput` for a batch the model cannot take.
    @discardableResult
    @_specialize(exported: true, where T == Float)
    public func forward(_ batch: TokenBatch, labels y: [Int32], training: Bool, rng: inout SeededRNG) throws -> Double {
        let e = config.encoder
        try batch.validate(vocabSize: e.vocabSize, typeVocabSize: e.typeVocabSize, maxBatch: maxBatch, maxLength: maxLength)
        guard y.count == batch.batch, y.allSatisfy({ $0 >= 0 && Int($0) < config.classes }) else {
            throw TransformerError.badInput("\(batch.batch) labels in 0..<\(config.classes) needed, got \(y.count): \(y.prefix(8))")
        }
        batch.ids.withUnsafeBufferPointer { ids.update(from: $0.baseAddress!, count: $0.count) }
        batch.typeIds.withUnsafeBufferPointer { typeIds.update(from: $0.baseAddress!, count: $0.count) }
        y.withUnsafeBufferPointer { labels.update(from: $0.baseAddress!, count: $0.count) }
        let m = act(a.mask)
        for i in 0..<batch.mask.count { m[i] = T(batch.mask[i]) }
        return run(batch: batch.batch, length: batch.length, training: training, rng: &rng)
    }

    /// The forward pass on the inputs already in place.
    @_specialize(exported: true, where T == Float)
    func run(batch B: Int, length L: Int, training: Bool, rng: inout SeededRNG) -> Double {
        let e = config.encoder
        let C = e.hiddenSize, F = e.intermediateSize, K = config.classes, N = B * L
        let eps = T(e.layerNormEps)
        let hiddenP = training ? e.hiddenDropout : 0, attentionP = training ? e.attentionDropout : 0
        let headP = training ? config.classifierDropout : 0
        lastBatch = B; lastLength = L
        lastHiddenDropout = hiddenP > 0; lastAttentionDropout = attentionP > 0; lastHeadDropout = headP > 0

        Embeddings.forward(act(a.emb), ids: ids, typeIds: typeIds, wte: w(p.wordEmbeddings), wpe: w(p.positionEmbeddings),
                           wtt: w(p.tokenTypeEmbeddings), batch: B, length: L, channels: C)
        LayerNorm.forward(act(a.embNorm), mean: act(a.embMean), rstd: act(a.embRstd), act(a.emb),
                          weight: w(p.embNormWeight), bias: w(p.embNormBias), batch: N, channels: C, epsilon: eps)
        var x = act(a.embNorm)
        if hiddenP > 0 {
            Dropout.forward(act(a.embDrop), mask: act(a.embDropMask), x, count: N * C, p: hiddenP, rng: &rng)
            x = act(a.embDrop)
        }
        let attention = Attention<T>(batch: B, length: L, channels: C, heads: e.heads, qkvStride: 3 * C)
        for l in 0..<e.layers {
            let la = a.layers[l], lp = p.layers[l]
            let qkv = act(la.qkv)
            Linear.forward(qkv, x, weight: w(lp.qkvWeight), bias: w(lp.qkvBias), batch: N, inputs: C, outputs: 3 * C)
            attention.forward(ctx: act(la.ctx), probs: act(la.probs), dropped: attentionP > 0 ? act(la.dropped) : nil,
                              dropMask: attentionP > 0 ? act(la.dropMask) : nil, q: qkv, k: qkv + C, v: qkv + 2 * C,
                              mask: act(a.mask), dropout: attentionP, rng: &rng)
            Linear.forward(act(la.attnOut), act(la.ctx), weight: w(lp.attnOutWeight), bias: w(lp.attnOutBias), batch: N, inputs: C, outputs: C)
            var o = act(la.attnOut)
            if hiddenP > 0 {
                Dropout.forward(act(la.attnDrop), mask: act(la.attnDropMask), o, count: N * C, p: hiddenP, rng: &rng)
                o = act(la.attnDrop)
            }
            Self.add(act(la.res1), o, x, count: N * C)
            LayerNorm.forward(act(la.norm1), mean: act(la.norm1Mean), rstd: act(la.norm1Rstd), act(la.res1),
                              weight: w(lp.norm1Weight), bias: w(lp.norm1Bias), batch: N, channels: C, epsilon: eps)
            Linear.forward(act(la.inter), act(la.norm1), weight: w(lp.interWeight), bias: w(lp.interBias), batch: N, inputs: C, outputs: F)
            GELU.forward(act(la.gelu), act(la.inter), count: N * F)
            Linear.forward(act(la.ffOut), act(la.gelu), weight: w(lp.outWeight), bias: w(lp.outBias), batch: N, inputs: F, outputs: C)
            var f = act(la.ffOut)
            if hiddenP > 0 {
                Dropout.forward(act(la.ffDrop), mask: act(la.ffDropMask), f, count: N * C, p: hiddenP, rng: &rng)
                f = act(la.ffDrop)
            }
            Self.add(act(la.res2), f, act(la.norm1), count: N * C)
            LayerNorm.forward(act(la.norm2), mean: act(la.norm2Mean), rstd: act(la.norm2Rstd), act(la.res2),
                              weight: w(lp.norm2Weight), bias: w(lp.norm2Bias), batch: N, channels: C, epsilon: eps)
            x = act(la.norm2)
        }
        var z: UnsafeMutablePointer<T>
        switch config.pooling {
        case .cls:
            Pool.firstForward(act(a.pooledIn), x, batch: B, length: L, channels: C)
            Linear.forward(act(a.poolerPre), act(a.pooledIn), weight: w(p.poolerWeight), bias: w(p.poolerBias), batch: B, inputs: C, outputs: C)
            Tanh.forward(act(a.pooled), act(a.poolerPre), count: B * C)
            z = act(a.pooled)
        case .mean:
            Pool.meanForward(act(a.pooledIn), x, mask: act(a.mask), batch: B, length: L, channels: C)
            z = act(a.pooledIn)
        }
        if headP > 0 {
            Dropout.forward(act(a.headDrop), mask: act(a.headDropMask), z, count: B * C, p: headP, rng: &rng)
            z = act(a.headDrop)
        }
        Linear.forward(act(a.logits), z, weight: w(p.classifierWeight), bias: w(p.classifierBias), batch: B, inputs: C, outputs: K)
        return SoftmaxCrossEntropy.forward(probs: act(a.probs), logits: act(a.logits), labels: labels, batch: B, classes: K)
    }

    /// Accumulates the gradient of the last forward pass's loss into `parameters.grads`.
    @_specialize(exported: true, where T == Float)
    public func backward() {
        let B = lastBatch, L = lastLength
        precondition(B > 0, "backward before forward")
        let e = config.encoder
        let C = e.hiddenSize, F = e.intermediateSize, K = config.classes, N = B * L
        let hiddenDropout = lastHiddenDropout, attentionDropout = lastAttentionDropout

        // Head.
        SoftmaxCrossEntropy.backward(dLogits: grad(g.logits), probs: act(a.probs), labels: labels, batch: B, classes: K)
        let z: UnsafeMutablePointer<T>
        switch (config.pooling, lastHeadDropout) {
        case (.cls, false): z = act(a.pooled)
        case (.mean, false): z = act(a.pooledIn)
        case (_, true): z = act(a.headDrop)
        }
        Linear.backward(dx: grad(g.pooled), dWeight: dw(p.classifierWeight), dBias: dw(p.classifierBias), dy: grad(g.logits),
                        x: z, weight: w(p.classifierWeight), batch: B, inputs: C, outputs: K)
        if lastHeadDropout { Dropout.backward(grad(g.pooled), dy: grad(g.pooled), mask: act(a.headDropMask), count: B * C) }
        let dX = grad(g.dX)
        dX.update(repeating: 0, count: N * C)
        switch config.pooling {
        case .cls:
            Tanh.backward(grad(g.poolerPre), dy: grad(g.pooled), y: act(a.pooled), count: B * C)
            Linear.backward(dx: grad(g.pooledIn), dWeight: dw(p.poolerWeight), dBias: dw(p.poolerBias), dy: grad(g.poolerPre),
                            x: act(a.pooledIn), weight: w(p.poolerWeight), batch: B, inputs: C, outputs: C)
            Pool.firstBackward(dX, dy: grad(g.pooledIn), batch: B, length: L, channels: C)
        case .mean:
            Pool.meanBackward(dX, dy: grad(g.pooled), mask: act(a.mask), batch: B, length: L, channels: C)
        }

        // Encoder layers, last to first. dX holds the gradient of the layer's output.
        let attention = Attention<T>(batch: B, length: L, channels: C, heads: e.heads, qkvStride: 3 * C)
        let dRes = grad(g.dRes), dA = grad(g.dA), dNorm1 = grad(g.dNorm1)
        for l in stride(from: e.layers - 1, through: 0, by: -1) {
            let la = a.layers[l], lp = p.layers[l]
            let x = l == 0 ? (hiddenDropout ? act(a.embDrop) : act(a.embNorm)) : act(a.layers[l - 1].norm2)
            LayerNorm.backward(dRes, dWeight: dw(lp.norm2Weight), dBias: dw(lp.norm2Bias), dy: dX, x: act(la.res2),
                               weight: w(lp.norm2Weight), mean: act(la.norm2Mean), rstd: act(la.norm2Rstd), batch: N, channels: C)
            var df = UnsafeMutablePointer(dRes)
            if hiddenDropout { Dropout.backward(dA, dy: dRes, mask: act(la.ffDropMask), count: N * C); df = dA }
            Linear.backward(dx: grad(g.dGelu), dWeight: dw(lp.outWeight), dBias: dw(lp.outBias), dy: df, x: act(la.gelu),
                            weight: w(lp.outWeight), batch: N, inputs: F, outputs: C)
            GELU.backward(grad(g.dInter), dy: grad(g.dGelu), x: act(la.inter), count: N * F)
            Linear.backward(dx: dNorm1, dWeight: dw(lp.interWeight), dBias: dw(lp.interBias), dy: grad(g.dInter), x: act(la.norm1),
                            weight: w(lp.interWeight), batch: N, inputs: C, outputs: F)
            Self.accumulate(dNorm1, dRes, count: N * C)
            LayerNorm.backward(dRes, dWeight: dw(lp.norm1Weight), dBias: dw(lp.norm1Bias), dy: dNorm1, x: act(la.res1),
                               weight: w(lp.norm1Weight), mean: act(la.norm1Mean), rstd: act(la.norm1Rstd), batch: N, channels: C)
            var dao = UnsafeMutablePointer(dRes)
            if hiddenDropout { Dropout.backward(dA, dy: dRes, mask: act(la.attnDropMask), count: N * C); dao = dA }
            Linear.backward(dx: grad(g.dCtx), dWeight: dw(lp.attnOutWeight), dBias: dw(lp.attnOutBias), dy: dao, x: act(la.ctx),
                            weight: w(lp.attnOutWeight), batch: N, inputs: C, outputs: C)
            let dqkv = grad(g.dQKV)
            attention.backward(dq: dqkv, dk: dqkv + C, dv: dqkv + 2 * C, scratch: grad(g.dScores), dctx: grad(g.dCtx),
                               probs: act(la.probs), dropped: attentionDropout ? act(la.dropped) : nil,
                               dropMask: attentionDropout ? act(la.dropMask) : nil, q: act(la.qkv), k: act(la.qkv) + C,
                               v: act(la.qkv) + 2 * C, mask: act(a.mask))
            Linear.backward(dx: dX, dWeight: dw(lp.qkvWeight), dBias: dw(lp.qkvBias), dy: dqkv, x: x, weight: w(lp.qkvWeight),
                            batch: N, inputs: C, outputs: 3 * C)
            Self.accumulate(dX, dRes, count: N * C)
        }

        // Embeddings.
        var dNorm = UnsafeMutablePointer(dX)
        if hiddenDropout { Dropout.backward(dA, dy: dX, mask: act(a.embDropMask), count: N * C); dNorm = dA }
        LayerNorm.backward(dRes, dWeight: dw(p.embNormWeight), dBias: dw(p.embNormBias), dy: dNorm, x: act(a.emb),
                           weight: w(p.embNormWeight), mean: act(a.embMean), rstd: act(a.embRstd), batch: N, channels: C)
        Embeddings.backward(dWte: dw(p.wordEmbeddings), dWpe: dw(p.positionEmbeddings), dWtt: dw(p.tokenTypeEmbeddings),
                            dy: dRes, ids: ids, typeIds: typeIds, batch: B, length: L, channels: C)
    }

    /// The logits [B, K] and class probabilities [B, K] of the last forward pass.
    public var logits: UnsafePointer<T> { UnsafePointer(acts[a.logits]) }
    public var probabilities: UnsafePointer<T> { UnsafePointer(acts[a.probs]) }
    /// The batch size of the last forward pass.
    public var batchSize: Int { lastBatch }

    /// z = x + y (n elements).
    @inline(__always) static func add(_ z: UnsafeMutablePointer<T>, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>, count n: Int) {
        for i in 0..<n { z[i] = x[i] + y[i] }
    }

    /// y += x (n elements).
    @inline(__always) static func accumulate(_ y: UnsafeMutablePointer<T>, _ x: UnsafePointer<T>, count n: Int) {
        for i in 0..<n { y[i] += x[i] }
    }
}
