import GradientCheckSupport
import Testing
import Train
@testable import Transformer
import Random

/// Gradient checks of the transformer's layers and of the whole model, in Double (the same generic
/// code as the Float path) against central finite differences of L = Σ r ⊙ y with fixed random r
/// (`FiniteDifferences`: agreement to 1e-6 of the gradient's scale).
@Suite struct TransformerGradientChecks {
    static func random(_ n: Int, _ rng: inout SeededRNG, scale: Double = 1) -> [Double] {
        (0..<n).map { _ in (2 * rng.uniform() - 1) * scale }
    }

    @Test func embeddings() {
        var rng = SeededRNG(seed: 11)
        let B = 2, L = 4, C = 3, V = 5, P = 6, TV = 2
        let ids: [Int32] = [1, 4, 4, 0, 2, 1, 3, 3], types: [Int32] = [0, 0, 1, 1, 0, 1, 0, 0]
        var wte = Self.random(V * C, &rng), wpe = Self.random(P * C, &rng), wtt = Self.random(TV * C, &rng)
        let r = Self.random(B * L * C, &rng)
        func loss(_ a: [Double], _ b: [Double], _ c: [Double]) -> Double {
            var y = [Double](repeating: 0, count: B * L * C)
            Embeddings.forward(&y, ids: ids, typeIds: types, wte: a, wpe: b, wtt: c, batch: B, length: L, channels: C)
            return FiniteDifferences.dot(y, r)
        }
        var d1 = [Double](repeating: 0, count: V * C), d2 = [Double](repeating: 0, count: P * C), d3 = [Double](repeating: 0, count: TV * C)
        Embeddings.backward(dWte: &d1, dWpe: &d2, dWtt: &d3, dy: r, ids: ids, typeIds: types, batch: B, length: L, channels: C)
        FiniteDifferences.expectClose(d1, FiniteDifferences.numerical(&wte) { loss($0, wpe, wtt) }, "word embeddings")
        FiniteDifferences.expectClose(d2, FiniteDifferences.numerical(&wpe) { loss(wte, $0, wtt) }, "position embeddings")
        FiniteDifferences.expectClose(d3, FiniteDifferences.numerical(&wtt) { loss(wte, wpe, $0) }, "token-type embeddings")
    }

    /// Attention with padding (one sequence full, one with two masked keys at the end and one
    /// masked in the middle), q/k/v fused in rows of 3C, with and without dropout.
    @Test(arguments: [0.0, 0.3]) func attention(dropout p: Double) {
        var rng = SeededRNG(seed: 12)
        let B = 2, L = 5, C = 6, NH = 2, R = 3 * C
        let mask: [Double] = [1, 1, 1, 1, 1, 1, 0, 1, 0, 0]
        var qkv = Self.random(B * L * R, &rng, scale: 1.5)
        let r = Self.random(B * L * C, &rng)
        let att = Attention<Double>(batch: B, length: L, channels: C, heads: NH, qkvStride: R)
        var probs = [Double](repeating: 0, count: B * NH * L * L), dropped = probs, dropMask = probs
        func run(_ qkv: [Double]) -> [Double] {
            var ctx = [Double](repeating: 0, count: B * L * C)
            var g = SeededRNG(seed: 5)
            qkv.withUnsafeBufferPointer { q in
                att.forward(ctx: &ctx, probs: &probs, dropped: &dropped, dropMask: &dropMask, q: q.baseAddress!,
                            k: q.baseAddress! + C, v: q.baseAddress! + 2 * C, mask: mask, dropout: p, rng: &g)
            }
            return ctx
        }
        let ctx = run(qkv)
        // A masked key inside the attended range (sequence 1, key 1) gets exactly zero weight.
        for h in 0..<NH { for i in 0..<L { #expect(probs[((1 * NH + h) * L + i) * L + 1] == 0) } }
        #expect(ctx.allSatisfy { $0.isFinite })
        var dqkv = [Double](repeating: 7, count: B * L * R), scratch = [Double](repeating: 0, count: L * L)
        let dcx = r
        dqkv.withUnsafeMutableBufferPointer { d in
            qkv.withUnsafeBufferPointer { q in
                att.backward(dq: d.baseAddress!, dk: d.baseAddress! + C, dv: d.baseAddress! + 2 * C, scratch: &scratch, dctx: dcx,
                             probs: probs, dropped: p > 0 ? dropped : nil, dropMask: p > 0 ? dropMask : nil,
                             q: q.baseAddress!, k: q.baseAddress! + C, v: q.baseAddress! + 2 * C, mask: mask)
            }
        }
        let numeric = FiniteDifferences.numerical(&qkv) { FiniteDifferences.dot(run($0), r) }
        FiniteDifferences.expectClose(dqkv, numeric, "attention dqkv (dropout \(p))")
    }

    @Test func tanhAndPooling() {
        var rng = SeededRNG(seed: 13)
        let B = 2, L = 4, C = 3
        let mask: [Double] = [1, 1, 1, 1, 1, 0, 1, 0]
        var h = Self.random(B * L * C, &rng)
        let r = Self.random(B * C, &rng)
        for mean in [false, true] {
            func loss(_ h: [Double]) -> Double {
                var pooled = [Double](repeating: 0, count: B * C), y = pooled
                if mean { Pool.meanForward(&pooled, h, mask: mask, batch: B, length: L, channels: C) }
                else { Pool.firstForward(&pooled, h, batch: B, length: L, channels: C) }
                Tanh.forward(&y, pooled, count: B * C)
                return FiniteDifferences.dot(y, r)
            }
            var pooled = [Double](repeating: 0, count: B * C), y = pooled, dPooled = pooled
            if mean { Pool.meanForward(&pooled, h, mask: mask, batch: B, length: L, channels: C) }
            else { Pool.firstForward(&pooled, h, batch: B, length: L, channels: C) }
            Tanh.forward(&y, pooled, count: B * C)
            Tanh.backward(&dPooled, dy: r, y: y, count: B * C)
            var dh = [Double](repeating: 0, count: B * L * C)
            if mean { Pool.meanBackward(&dh, dy: dPooled, mask: mask, batch: B, length: L, channels: C) }
            else { Pool.firstBackward(&dh, dy: dPooled, batch: B, length: L, channels: C) }
            FiniteDifferences.expectClose(dh, FiniteDifferences.numerical(&h, loss), "tanh ∘ \(mean ? "mean" : "first") pooling")
        }
    }

    /// The whole model (2 layers, dropout everywhere with the masks drawn from the same seed at
    /// every evaluation, padding, token types): every parameter tensor's gradient at a few entries.
    @Test(arguments: Pooling.allCases) func wholeModel(_ pooling: Pooling) throws {
        let encoder = BertConfig(vocabSize: 11, hiddenSize: 8, layers: 2, heads: 2, intermediateSize: 12, maxPositions: 7,
                                 typeVocabSize: 2, layerNormEps: 1e-12, hiddenDropout: 0.2, attentionDropout: 0.25, initializerRange: 0.5)
        let config = BertClassifierConfig(encoder: encoder, classes: 3, pooling: pooling)
        let m = try BertClassifier<Double>(config: config, maxBatch: 3, maxLength: 6)
        var rng = SeededRNG(seed: 14)
        for e in m.parameters.entries {
            let p = m.parameters.values[e]
            let isNormWeight = e.name.hasSuffix("LayerNorm.weight")
            for i in 0..<e.count { p[i] = isNormWeight ? 1 + 0.2 * (2 * rng.uniform() - 1) : 0.6 * (2 * rng.uniform() - 1) }
        }
        let batch = TokenBatch(ids: [1, 5, 9, 3, 2, 10, 1, 4, 4, 2, 0, 0, 1, 7, 2, 8, 6, 2],
                               typeIds: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1],
                               mask: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1], batch: 3, length: 6)
        let labels: [Int32] = [2, 0, 1]
        func loss() -> Double {
            var g = SeededRNG(seed: 3)
            return try! m.forward(batch, labels: labels, training: true, rng: &g)
        }
        m.parameters.grads.zero()
        _ = loss()
        m.backward()
        for e in m.parameters.entries {
            // Embedding rows of unused tokens have no gradient; check the entries that matter:
            // a stride through the tensor plus its largest analytic entries.
            let analytic = m.parameters.grads.array(e)
            var picks = Set(stride(from: 0, to: e.count, by: max(1, e.count / 6)))
            for i in analytic.indices.sorted(by: { abs(analytic[$0]) > abs(analytic[$1]) }).prefix(3) { picks.insert(i) }
            let indices = picks.sorted()
            let p = m.parameters.values[e]
            let numeric = indices.map { i -> Double in
                let saved = p[i]
                p[i] = saved + FiniteDifferences.h; let up = loss()
                p[i] = saved - FiniteDifferences.h; let down = loss()
                p[i] = saved
                return (up - down) / (2 * FiniteDifferences.h)
            }
            if pooling == .mean && e.name.hasPrefix("pooler.") {
                #expect(analytic.allSatisfy { $0 == 0 }, "the pooler is unused with mean pooling")
            }
            FiniteDifferences.expectClose(indices.map { analytic[$0] }, numeric, "\(pooling) \(e.name)")
        }
    }
}
