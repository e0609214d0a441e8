import GradientCheckSupport
import Random
import Testing
@testable import Train

/// Gradient checks: each layer's backward (run in Double, the same generic code as the Float
/// training path) against central finite differences of the scalar objective L = Σ r ⊙ y with
/// fixed random r. Step h = 1e-6: truncation error O(h²) ≈ 1e-12 and round-off ≈ 1e-16/h ≈ 1e-10,
/// so agreement to 1e-6 relative (to the gradient's scale) can only fail on a wrong formula.
@Suite struct GradientCheckTests {
    /// Uniform values in [-1, 1) from a seeded generator.
    static func random(_ n: Int, _ rng: inout SeededRNG, awayFromZero: Double = 0) -> [Double] {
        (0..<n).map { _ in
            var v = 2 * rng.uniform() - 1
            if awayFromZero > 0 && abs(v) < awayFromZero { v = v < 0 ? v - awayFromZero : v + awayFromZero }
            return v
        }
    }

    @Test func linear() {
        var rng = SeededRNG(seed: 1)
        let B = 3, I = 4, O = 5
        var x = Self.random(B * I, &rng), w = Self.random(O * I, &rng), b = Self.random(O, &rng)
        let r = Self.random(B * O, &rng)
        func loss(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            var y = [Double](repeating: 0, count: B * O)
            Linear.forward(&y, x, weight: w, bias: b, batch: B, inputs: I, outputs: O)
            return FiniteDifferences.dot(y, r)
        }
        var dx = [Double](repeating: 0, count: B * I), dw = [Double](repeating: 0, count: O * I), db = [Double](repeating: 0, count: O)
        Linear.backward(dx: &dx, dWeight: &dw, dBias: &db, dy: r, x: x, weight: w, batch: B, inputs: I, outputs: O)
        FiniteDifferences.expectClose(dx, FiniteDifferences.numerical(&x) { loss($0, w, b) }, "Linear dx")
        FiniteDifferences.expectClose(dw, FiniteDifferences.numerical(&w) { loss(x, $0, b) }, "Linear dW")
        FiniteDifferences.expectClose(db, FiniteDifferences.numerical(&b) { loss(x, w, $0) }, "Linear db")
    }

    @Test(arguments: Activation.allCases) func activation(_ a: Activation) {
        var rng = SeededRNG(seed: 2)
        let n = 12
        // Away from ReLU's kink at 0, where the derivative is not defined.
        var x = Self.random(n, &rng, awayFromZero: 0.05)
        let r = Self.random(n, &rng)
        func loss(_ x: [Double]) -> Double {
            var y = [Double](repeating: 0, count: n)
            a.forward(&y, x, count: n)
            return FiniteDifferences.dot(y, r)
        }
        var dx = [Double](repeating: 0, count: n)
        a.backward(&dx, dy: r, x: x, count: n)
        FiniteDifferences.expectClose(dx, FiniteDifferences.numerical(&x, loss), "\(a) dx")
    }

    @Test func layerNorm() {
        var rng = SeededRNG(seed: 3)
        let B = 3, C = 6
        var x = Self.random(B * C, &rng), g = Self.random(C, &rng), b = Self.random(C, &rng)
        let r = Self.random(B * C, &rng)
        func loss(_ x: [Double], _ g: [Double], _ b: [Double]) -> Double {
            var y = [Double](repeating: 0, count: B * C), m = [Double](repeating: 0, count: B), s = m
            LayerNorm.forward(&y, mean: &m, rstd: &s, x, weight: g, bias: b, batch: B, channels: C)
            return FiniteDifferences.dot(y, r)
        }
        var y = [Double](repeating: 0, count: B * C), m = [Double](repeating: 0, count: B), s = m
        LayerNorm.forward(&y, mean: &m, rstd: &s, x, weight: g, bias: b, batch: B, channels: C)
        var dx = [Double](repeating: 0, count: B * C), dg = [Double](repeating: 0, count: C), db = dg
        LayerNorm.backward(&dx, dWeight: &dg, dBias: &db, dy: r, x: x, weight: g, mean: m, rstd: s, batch: B, channels: C)
        FiniteDifferences.expectClose(dx, FiniteDifferences.numerical(&x) { loss($0, g, b) }, "LayerNorm dx")
        FiniteDifferences.expectClose(dg, FiniteDifferences.numerical(&g) { loss(x, $0, b) }, "LayerNorm dγ")
        FiniteDifferences.expectClose(db, FiniteDifferences.numerical(&b) { loss(x, g, $0) }, "LayerNorm dβ")
    }

    @Test func dropout() {
        let n = 40, p = 0.3
        var rng = SeededRNG(seed: 4)
        var x = Self.random(n, &rng)
        let r = Self.random(n, &rng)
        // The same mask for every evaluation: the generator is recreated from the same seed.
        func loss(_ x: [Double]) -> Double {
            var y = [Double](repeating: 0, count: n), mask = y
            var g = SeededRNG(seed: 9)
            Dropout.forward(&y, mask: &mask, x, count: n, p: p, rng: &g)
            return FiniteDifferences.dot(y, r)
        }
        var y = [Double](repeating: 0, count: n), mask = y
        var g = SeededRNG(seed: 9)
        Dropout.forward(&y, mask: &mask, x, count: n, p: p, rng: &g)
        #expect(mask.allSatisfy { $0 == 0 || abs($0 - 1 / (1 - p)) < 1e-15 })
        #expect(mask.contains(0) && mask.contains { $0 > 0 })
        var dx = [Double](repeating: 0, count: n)
        Dropout.backward(&dx, dy: r, mask: mask, count: n)
        FiniteDifferences.expectClose(dx, FiniteDifferences.numerical(&x, loss), "Dropout dx")
    }

    @Test func softmaxCrossEntropy() {
        var rng = SeededRNG(seed: 5)
        let B = 4, C = 5
        var logits = Self.random(B * C, &rng).map { 3 * $0 }
        let labels: [Int32] = [0, 4, 2, 2]
        func loss(_ l: [Double]) -> Double {
            var probs = [Double](repeating: 0, count: B * C)
            return SoftmaxCrossEntropy.forward(probs: &probs, logits: l, labels: labels, batch: B, classes: C)
        }
        var probs = [Double](repeating: 0, count: B * C)
        let value = SoftmaxCrossEntropy.forward(probs: &probs, logits: logits, labels: labels, batch: B, classes: C)
        // The loss itself against the definition.
        var expected = 0.0
        for r in 0..<B {
            let row = logits[(r * C)..<((r + 1) * C)]
            expected -= logits[r * C + Int(labels[r])] - Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +))
        }
        #expect(abs(value - expected / Double(B)) < 1e-12)
        var d = [Double](repeating: 0, count: B * C)
        SoftmaxCrossEntropy.backward(dLogits: &d, probs: probs, labels: labels, batch: B, classes: C)
        FiniteDifferences.expectClose(d, FiniteDifferences.numerical(&logits, loss), "softmax cross-entropy dlogits")
    }

    /// The whole model (Linear, LayerNorm, GELU, dropout, head, loss) in Double: backward is the
    /// gradient of forward's loss with respect to every parameter.
    @Test func mlpEndToEnd() {
        let config = MLPConfig(inputs: 5, hidden: [6, 4], classes: 3, activation: .gelu, layerNorm: true, dropout: 0.2)
        let model = MLP<Double>(config: config, maxBatch: 4)
        var rng = SeededRNG(seed: 6)
        model.initialize(rng: &rng)
        // Non-trivial norm parameters so that their gradients are exercised.
        for e in model.parameters.entries where e.module.hasPrefix("ln") {
            model.parameters.values.set(e, Self.random(e.count, &rng).map { 1 + 0.5 * $0 })
        }
        let x = Self.random(4 * 5, &rng)
        let y: [Int32] = [0, 2, 1, 2]
        func loss() -> Double {
            var g = SeededRNG(seed: 11)
            return model.forward(x, labels: y, batch: 4, training: true, rng: &g)
        }
        model.parameters.grads.zero()
        _ = loss()
        model.backward()
        let analytic = model.parameters.grads.array
        let p = model.parameters.values.pointer
        let numeric = (0..<model.parameters.layout.count).map { i -> Double in
            let saved = p[i]
            p[i] = saved + FiniteDifferences.h; let up = loss()
            p[i] = saved - FiniteDifferences.h; let down = loss()
            p[i] = saved
            return (up - down) / (2 * FiniteDifferences.h)
        }
        FiniteDifferences.expectClose(analytic, numeric, "MLP parameters")
    }
}

import Foundation
