import Foundation
import Testing
@testable import Train

/// Properties of the shared optimizer loop (`Optimizer`) that hold for every update rule:
/// resume is exact, decay reaches only the tensors the caller selects, the per-tensor rate is
/// η·m_k, clipping happens before the step. The rules' numerics are pinned by
/// `OptimizerPinTests` and checked against PyTorch by `MLPGoldenTests`.
@Suite struct OptimizerLoopTests {
    static let rules: [any UpdateRule] = [SGD(), SGD(momentum: 0.9), SGD(momentum: 0.9, nesterov: true), Adam(), AdamW()]

    /// A matrix, a bias and a norm scale with weights and gradients that differ per element.
    static func fixture() -> ParameterSet<Float> {
        var layout = TensorLayout()
        layout.add("fc.weight", [2, 3])
        layout.add("fc.bias", [2])
        layout.add("ln.weight", [2])
        let p = ParameterSet<Float>(layout: layout)
        for i in 0..<layout.count {
            p.values.pointer[i] = Float(sin(Double(i) + 0.5))
            p.grads.pointer[i] = Float(cos(2 * Double(i)))
        }
        return p
    }

    static func gradients(_ p: ParameterSet<Float>, _ t: Int) {
        for i in 0..<p.values.count { p.grads.pointer[i] = 0.5 * p.values.pointer[i] + Float(cos(Double(i * t))) }
    }

    /// Three steps, a save, three more steps: a fresh optimizer restored from the save (and the
    /// weights at that point) ends on the same bits, for every rule.
    @Test(arguments: rules.indices)
    func resumeIsBitExact(_ r: Int) throws {
        let a = Self.fixture(), b = Self.fixture()
        var o1 = Optimizer(Self.rules[r], layout: a.layout, weightDecay: 0.1)
        for t in 0..<3 { Self.gradients(a, t); o1.step(a, eta: 0.01, multipliers: [1, 0.5, 2]) }
        let saved = o1.stateTensors
        #expect(saved.count == Self.rules[r].stateNames.count * 3)
        for s in saved {
            let parameter = a.entry(TensorEntry(name: s.name, shape: [1], offset: 0).module)   // `<parameter>.<slot>`
            #expect(s.shape == parameter.shape && s.values.count == parameter.count)
        }
        var o2 = Optimizer(Self.rules[r], layout: b.layout, weightDecay: 0.1)
        try o2.restore(tensors: Dictionary(uniqueKeysWithValues: saved.map { ($0.name, $0.values) }), stepCount: o1.stepCount)
        b.values.copy(from: a.values)
        for t in 3..<6 {
            Self.gradients(a, t); o1.step(a, eta: 0.01, multipliers: [1, 0.5, 2])
            Self.gradients(b, t); o2.step(b, eta: 0.01, multipliers: [1, 0.5, 2])
        }
        #expect(o2.stepCount == 6)
        #expect(a.values.array == b.values.array)
    }

    /// A missing, mis-sized or non-finite state tensor, or a negative step count, is refused by name.
    @Test func restoreRefusesBadState() throws {
        let p = Self.fixture()
        var o = Optimizer(Adam(), layout: p.layout)
        let good = Dictionary(uniqueKeysWithValues: o.stateTensors.map { ($0.name, $0.values) })
        #expect(good.keys.sorted() == ["fc.bias.exp_avg", "fc.bias.exp_avg_sq", "fc.weight.exp_avg", "fc.weight.exp_avg_sq",
                                       "ln.weight.exp_avg", "ln.weight.exp_avg_sq"])
        var missing = good
        missing["fc.bias.exp_avg_sq"] = nil
        var short = good
        short["fc.weight.exp_avg"] = [0]
        var nan = good
        nan["ln.weight.exp_avg"] = [0, .nan]
        for (bad, word) in [(missing, "fc.bias.exp_avg_sq"), (short, "fc.weight.exp_avg"), (nan, "ln.weight.exp_avg")] {
            #expect { try o.restore(tensors: bad, stepCount: 1) } throws: { "\($0)".contains(word) }
        }
        #expect(throws: TrainError.self) { try o.restore(tensors: good, stepCount: -1) }
        #expect(o.stepCount == 0)
        try o.restore(tensors: good, stepCount: 4)
        #expect(o.stepCount == 4)
    }

    /// With zero gradients only decay moves a tensor: the tensors the caller selects shrink, the
    /// others keep their bits, for every rule; `.all` selects every tensor.
    @Test(arguments: rules.indices)
    func decayReachesOnlySelectedTensors(_ r: Int) {
        for rule in [DecayRule.matrices, .all] {
            let p = Self.fixture()
            p.grads.zero()
            let before = p.values.array
            var o = Optimizer(Self.rules[r], layout: p.layout, weightDecay: 0.1, decays: rule)
            o.step(p, eta: 0.1, multipliers: [1, 1, 1])
            for e in p.entries {
                let now = p.values.array(e), was = Array(before[e.range])
                #expect(now.count == was.count)
                if rule.decays(e) {
                    #expect(zip(now, was).allSatisfy { abs($0) < abs($1) }, "\(e.name) under \(rule)")
                } else {
                    #expect(now == was, "\(e.name) under \(rule)")
                }
            }
        }
        #expect(Optimizer(Self.rules[r], layout: Self.fixture().layout, weightDecay: 0.1).weightDecay == [0.1, 0, 0])
    }

    /// Adam and AdamW differ only in how decay enters: identical without decay, and on the
    /// tensors that are not decayed.
    @Test func adamAndAdamWDifferOnlyOnDecayedTensors() {
        let a = Self.fixture(), w = Self.fixture()
        var oa = Optimizer(Adam(), layout: a.layout, weightDecay: 0.1), ow = Optimizer(AdamW(), layout: w.layout, weightDecay: 0.1)
        oa.step(a, eta: 0.1, multipliers: [1, 1, 1])
        ow.step(w, eta: 0.1, multipliers: [1, 1, 1])
        let weight = a.entry("fc.weight")
        #expect(a.values.array(weight) != w.values.array(weight))
        for name in ["fc.bias", "ln.weight"] { #expect(a.values.array(a.entry(name)) == w.values.array(w.entry(name))) }
    }

    /// Tensor k moves at rate Float(η·m_k): the same as explicit rates; multiplier 0 freezes a tensor.
    @Test(arguments: rules.indices)
    func perTensorRates(_ r: Int) {
        let a = Self.fixture(), b = Self.fixture()
        var oa = Optimizer(Self.rules[r], layout: a.layout), ob = Optimizer(Self.rules[r], layout: b.layout)
        let eta = 0.03, m = [1.25, 0.0, 0.7]
        oa.step(a, eta: eta, multipliers: m)
        ob.step(b, learningRates: m.map { Float(eta * $0) })
        #expect(a.values.array == b.values.array)
        #expect(a.values.array(a.entry("fc.bias")) == Self.fixture().values.array(a.entry("fc.bias")))
    }

    /// `maxGradientNorm` clips the gradients (global norm) before the rule runs and reports the
    /// norm; it equals clipping by hand and stepping.
    @Test func clippingBeforeTheStep() {
        let a = Self.fixture(), b = Self.fixture()
        var oa = Optimizer(AdamW(), layout: a.layout, weightDecay: 0.01, maxGradientNorm: 0.5)
        var ob = Optimizer(AdamW(), layout: b.layout, weightDecay: 0.01)
        let expectedNorm = GradientClipping.clip(b.grads, maxNorm: 0.5)
        let norm = oa.step(a, eta: 1e-3, multipliers: [1, 1, 1])
        ob.step(b, eta: 1e-3, multipliers: [1, 1, 1])
        #expect(norm == expectedNorm && expectedNorm > 0.5)
        #expect(a.values.array == b.values.array)
    }

    /// Clipping by global norm: a 3-4-5 gradient scales to norm 1; a small one is left alone.
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
