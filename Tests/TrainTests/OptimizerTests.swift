import Foundation
import Testing
@testable import Train

/// One exact step of each optimizer against its written formula, on a two-tensor fixture:
/// `w` [1, 2] (decayed: a matrix) and `b` [2] (not decayed: a vector), each with its own rate.
@Suite struct OptimizerTests {
    static func fixture() -> ParameterSet<Float> {
        var layout = TensorLayout()
        layout.add("fc.weight", [1, 2])
        layout.add("fc.bias", [2])
        let p = ParameterSet<Float>(layout: layout)
        p.values.set(p.entry("fc.weight"), [0.5, -1.0])
        p.values.set(p.entry("fc.bias"), [2.0, 0.25])
        p.grads.set(p.entry("fc.weight"), [0.1, -0.2])
        p.grads.set(p.entry("fc.bias"), [0.3, 0.4])
        return p
    }

    static let rates: [Float] = [0.1, 0.01]
    static let p0: [Double] = [0.5, -1.0, 2.0, 0.25]
    static let g0: [Double] = [0.1, -0.2, 0.3, 0.4]
    static let lr: [Double] = [0.1, 0.1, 0.01, 0.01]
    static let decays = [true, true, false, false]

    static func expect(_ p: ParameterSet<Float>, _ expected: [Double]) {
        for (a, e) in zip(p.values.array, expected) {
            #expect(abs(Double(a) - e) <= 1e-6 * max(1, abs(e)), "got \(a), expected \(e)")
        }
    }

    @Test func sgdMomentumWeightDecay() {
        let p = Self.fixture()
        let wd = 0.01, mu = 0.9
        var opt = Optimizer(SGD(momentum: Float(mu)), layout: p.layout, weightDecay: Float(wd))
        // Step 1: b = g + wd·p; p -= lr·b.
        opt.step(p, learningRates: Self.rates)
        var buf = (0..<4).map { Self.g0[$0] + (Self.decays[$0] ? wd * Self.p0[$0] : 0) }
        var expected = (0..<4).map { Self.p0[$0] - Self.lr[$0] * buf[$0] }
        Self.expect(p, expected)
        // Step 2 with the same gradients: b = μ·b + g + wd·p.
        opt.step(p, learningRates: Self.rates)
        buf = (0..<4).map { mu * buf[$0] + Self.g0[$0] + (Self.decays[$0] ? wd * expected[$0] : 0) }
        expected = (0..<4).map { expected[$0] - Self.lr[$0] * buf[$0] }
        Self.expect(p, expected)
        #expect(opt.stepCount == 2)
    }

    @Test func sgdPlain() {
        let p = Self.fixture()
        var opt = Optimizer(SGD(), layout: p.layout)
        opt.step(p, learningRates: Self.rates)
        Self.expect(p, (0..<4).map { Self.p0[$0] - Self.lr[$0] * Self.g0[$0] })
    }

    static func adamExpected(decoupled: Bool, wd: Double) -> [Double] {
        let b1 = 0.9, b2 = 0.999, eps = 1e-8
        return (0..<4).map { i in
            var p = Self.p0[i], g = Self.g0[i]
            let w = Self.decays[i] ? wd : 0
            if decoupled { p -= Self.lr[i] * w * p } else { g += w * p }
            let m = (1 - b1) * g, v = (1 - b2) * g * g
            return p - Self.lr[i] * (m / (1 - b1)) / ((v / (1 - b2)).squareRoot() + eps)
        }
    }

    @Test func adamL2InGradient() {
        let p = Self.fixture()
        var opt = Optimizer(Adam(), layout: p.layout, weightDecay: 0.1)
        opt.step(p, learningRates: Self.rates)
        Self.expect(p, Self.adamExpected(decoupled: false, wd: 0.1))
    }

    @Test func adamWDecoupled() {
        let p = Self.fixture()
        var opt = Optimizer(AdamW(), layout: p.layout, weightDecay: 0.1)
        opt.step(p, learningRates: Self.rates)
        let expected = Self.adamExpected(decoupled: true, wd: 0.1)
        Self.expect(p, expected)
        // Adam and AdamW differ exactly on the decayed tensor, agree on the other.
        let l2 = Self.adamExpected(decoupled: false, wd: 0.1)
        #expect(abs(expected[0] - l2[0]) > 1e-4)
        #expect(expected[2] == l2[2])
    }

    @Test func clipping() {
        let g = FlatBuffer<Float>([3, 4])
        let norm = GradientClipping.clip(g, maxNorm: 1)
        #expect(norm == 5)
        #expect(abs(g.array[0] - 0.6) < 1e-6 && abs(g.array[1] - 0.8) < 1e-6)
        let small = FlatBuffer<Float>([0.3, 0.4])
        GradientClipping.clip(small, maxNorm: 1)
        #expect(small.array == [0.3, 0.4])
    }
}

/// Schedule values at chosen steps against their formulas.
@Suite struct ScheduleTests {
    @Test func constant() {
        let s = ScheduleKind.constant.schedule(base: 0.1, totalSteps: 100)
        #expect(s(0) == 0.1 && s(99) == 0.1)
    }

    @Test func cosine() {
        let s = ScheduleKind.cosine.schedule(base: 1, totalSteps: 100, minRatio: 0.1)
        #expect(abs(s(0) - 1) < 1e-7)
        #expect(abs(s(50) - 0.55) < 1e-6)           // midpoint: (1 + 0.1) / 2
        #expect(abs(s(25) - Float(0.1 + 0.9 * (1 + cos(Double.pi / 4)) / 2)) < 1e-6)
        #expect(abs(s(100) - 0.1) < 1e-7)
    }

    @Test func step() {
        let s = ScheduleKind.step.schedule(base: 2.5e-3, totalSteps: 1000, stepSize: 100, gamma: 0.5)
        #expect(s(0) == 2.5e-3 && s(99) == 2.5e-3)
        #expect(abs(s(100) - 1.25e-3) < 1e-9)
        #expect(abs(s(350) - 3.125e-4) < 1e-9)
    }

    @Test func warmupThenLinearDecay() {
        // 6 % warmup of 100 steps, as the RoBERTa recipe.
        let s = ScheduleKind.linear.schedule(base: 1, totalSteps: 100, warmup: 6)
        #expect(s(0) == 0)
        #expect(abs(s(3) - 0.5) < 1e-7)
        #expect(s(6) == 1)
        #expect(abs(s(53) - 0.5) < 1e-7)           // (100 − 53) / 94
        #expect(s(100) == 0)
    }
}
