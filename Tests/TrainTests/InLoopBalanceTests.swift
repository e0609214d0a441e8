import Testing
@testable import Train
import Random

/// `InLoopBalance`: the reference's timing at lag 0, the same multipliers L steps later with a lag
/// (however many recomputations are in flight), and a saved state that resumes exactly.
@Suite struct InLoopBalanceTests {
    /// Four 60 × 60 linear layers whose weights change every step (so every recomputation differs).
    static func parameters() -> ParameterSet<Float> {
        var layout = TensorLayout()
        for l in 1...4 { layout.add("fc\(l).weight", [60, 60]); layout.add("fc\(l).bias", [60]) }
        return ParameterSet(layout: layout)
    }

    static func fill(_ ps: ParameterSet<Float>, step: Int) {
        for (k, e) in ps.entries.enumerated() {
            var rng = SeededRNG(seed: UInt64(step * 10 + k))
            let scale = 0.5 + Double(k) * 0.3 + 0.05 * Double(step)
            ps.values.set(e, (0..<e.count).map { _ in Float(scale * rng.normal()) })
        }
    }

    static func balance(lag: Int, every: Int, _ ps: ParameterSet<Float>) -> InLoopBalance {
        var policy = PolicyOptions()
        policy.minEvals = 2
        var probe = SpectrumProbe(policy: policy)
        probe.xminPos = 2
        return InLoopBalance(layers: ["fc1", "fc2", "fc3", "fc4"], parameterNames: ps.entries.map(\.name), policy: policy,
                             probe: probe, timing: .everySteps(every), lag: lag)
    }

    /// The active multipliers at the top of steps 0..<n.
    static func history(lag: Int, every: Int, steps n: Int) throws -> [[Double]] {
        let ps = parameters()
        let b = balance(lag: lag, every: every, ps)
        return try (0..<n).map { t in
            fill(ps, step: t)
            try b.update(step: t, epochStep: t, parameters: ps)
            return b.active
        }
    }

    @Test(arguments: [(1, 1), (1, 3), (2, 1), (3, 5)])
    func aLagShiftsTheSameMultipliers(every: Int, lag: Int) throws {
        let reference = try Self.history(lag: 0, every: every, steps: 14)
        let lagged = try Self.history(lag: lag, every: every, steps: 14)
        #expect(reference[0] == Array(repeating: 1, count: 8), "step 0 trains with the uniform rate")
        #expect(Set(reference.map { $0 }).count > 3, "the multipliers change")
        for t in 0..<14 {
            #expect(lagged[t] == (t >= lag ? reference[t - lag] : Array(repeating: 1, count: 8)), "step \(t)")
        }
    }

    @Test func aSavedStateResumesExactly() throws {
        let full = try Self.history(lag: 3, every: 1, steps: 10)
        let ps = Self.parameters()
        let first = Self.balance(lag: 3, every: 1, ps)
        for t in 0..<5 { Self.fill(ps, step: t); try first.update(step: t, epochStep: t, parameters: ps) }
        let state = try first.state()
        #expect(state.pending.count == 4, "the recomputations of steps 1–4 were in flight")
        let second = Self.balance(lag: 3, every: 1, ps)
        try second.restore(state)
        for t in 5..<10 {
            Self.fill(ps, step: t)
            try second.update(step: t, epochStep: t, parameters: ps)
            #expect(second.active == full[t], "step \(t)")
        }
        var bad = state
        bad.active.removeLast()
        #expect(throws: TrainError.self) { try second.restore(bad) }
    }
}
