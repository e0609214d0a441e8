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

    static func balance(lag: Int, every: Int, _ ps: ParameterSet<Float>, overlap: Bool = false) -> InLoopBalance {
        var policy = PolicyOptions()
        policy.minEvals = 2
        var probe = SpectrumProbe(policy: policy)
        probe.xminPos = 2
        return InLoopBalance(layers: ["fc1", "fc2", "fc3", "fc4"], parameterNames: ps.entries.map(\.name), policy: policy,
                             probe: probe, timing: .everySteps(every), lag: lag, overlap: overlap)
    }

    /// The active multipliers at the top of steps 0..<n.
    /// With `overlap` the recomputations copy the live weights in the background; the weights are
    /// rewritten right after `weightsWillChange()`, as an optimizer would.
    static func history(lag: Int, every: Int, steps n: Int, overlap: Bool = false) throws -> [[Double]] {
        let ps = parameters()
        let b = balance(lag: lag, every: every, ps, overlap: overlap)
        return try (0..<n).map { t in
            b.weightsWillChange()
            fill(ps, step: t)
            try b.update(step: t, epochStep: t, parameters: ps)
            return b.active
        }
    }

    /// Overlapping the recomputation with the step changes nothing: the same multipliers at the same
    /// steps, bit for bit, at lag 0 (the reference's timing) and with a lag.
    @Test(arguments: [(1, 0), (2, 0), (1, 2), (3, 4)])
    func overlappingGivesTheInLineMultipliers(every: Int, lag: Int) throws {
        let inLine = try Self.history(lag: lag, every: every, steps: 14)
        let overlapped = try Self.history(lag: lag, every: every, steps: 14, overlap: true)
        #expect(Set(inLine).count > 3, "the multipliers change")
        #expect(overlapped == inLine)
    }

    /// The multipliers come from the weights as they were at `update`, not as they are after the
    /// optimizer's change that follows `weightsWillChange()` (here the weights are rewritten at once).
    /// (Without the wait this would fail only when the copy loses the race, so the overlap test above
    /// and the trainers' bit-exact resume tests carry the rest.)
    @Test func theCopyIsTakenBeforeTheWeightsChange() throws {
        let ps = Self.parameters()
        let reference = Self.balance(lag: 0, every: 1, ps)
        Self.fill(ps, step: 3)
        try reference.update(step: 0, epochStep: 0, parameters: ps)
        try reference.update(step: 1, epochStep: 1, parameters: ps)
        let b = Self.balance(lag: 0, every: 1, ps, overlap: true)
        try b.update(step: 0, epochStep: 0, parameters: ps)
        b.weightsWillChange()
        Self.fill(ps, step: 9)
        try b.update(step: 1, epochStep: 1, parameters: ps)
        #expect(b.active == reference.active)
        #expect(b.active != Array(repeating: 1, count: 8))
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
