import Foundation
import Testing
@testable import Train

/// The experiment protocol's pieces in the trainer: the validation split, the multiplier summary,
/// and TempBalance's two controls (frozen multipliers, a uniform multiplier).
@Suite(.serialized) struct ControlTests {
    /// The last K of each class of the pool in file order: fixed, disjoint from what remains.
    @Test func validationSplitIsTheLastOfEachClass() throws {
        let d = Dataset(name: "t", inputs: 1, classes: 2, trainX: (0..<10).map(Float.init), trainY: [0, 1, 0, 1, 0, 1, 0, 1, 0, 0],
                        testX: [], testY: [])
        let (pool, v) = try d.holdingOutValidation(perClass: 2)
        // Class 0 is at 0, 2, 4, 6, 8, 9 and class 1 at 1, 3, 5, 7: the last two of each are 8, 9 and 5, 7.
        #expect(v.x == [5, 7, 8, 9] && v.y == [1, 1, 0, 0])
        #expect(pool.trainX == [0, 1, 2, 3, 4, 6] && pool.trainY == [0, 1, 0, 1, 0, 0])
        #expect(try d.holdingOutValidation(perClass: 0).validation.count == 0)
        #expect(throws: TrainError.self) { try d.holdingOutValidation(perClass: 4) }
    }

    /// Where a multiplier lies in the policy's range: the sigmoid's exponent, tb_linear_map's value.
    @Test func boundPositionAndSummary() {
        var sigmoid = PolicyOptions()
        sigmoid.sMin = 1
        sigmoid.sMax = 1
        #expect(abs(MultiplierSummary.boundPosition(pow(10, 0.5), options: sigmoid)! - 1) < 1e-12)
        #expect(abs(MultiplierSummary.boundPosition(1, options: sigmoid)! - 0.5) < 1e-12)
        var linear = PolicyOptions()
        linear.scheme = .linear
        #expect(MultiplierSummary.boundPosition(0.5, options: linear) == 0 && MultiplierSummary.boundPosition(1.4, options: linear)! > 0.89)
        sigmoid.sMin = 0
        sigmoid.sMax = 0
        #expect(MultiplierSummary.boundPosition(1, options: sigmoid) == nil)
        // η-weighted time average: (1·0.5 + 3·2) / 4 = 1.625; near a bound: 0.5 (position 0) and 1.5? no: 2 is outside → ≥ 0.9.
        var s = MultiplierSummary(bounds: linear)
        s.record(eta: 1, multipliers: [("a", 0.5), ("b", 1.0)])
        s.record(eta: 3, multipliers: [("a", 2.0), ("b", 1.0)])
        #expect(s.timeAverages.map(\.layer) == ["a", "b"] && s.timeAverages.map(\.multiplier) == [1.625, 1])
        #expect(s.nearBoundShare == 0.5)
        #expect(MultiplierSummary(bounds: nil).nearBoundShare == nil)
    }

    /// The uniform control's decisions: TempBalance's candidates (its exclusions) all get G, and
    /// routing gives their weight and bias G, everything else 1.
    @Test func uniformDecisions() {
        let fits = ["fc1", "fc2", "fc3", "fc4", "fc5"].map { LayerFit(name: $0, eigenvalueCount: $0 == "fc5" ? 10 : 64, metric: nil) }
        var o = PolicyOptions()
        o.minEvals = 50
        let d = TempBalance.uniform(fits, multiplier: 0.7, options: o)
        #expect(d.filter { $0.excluded == nil }.map(\.name) == ["fc2", "fc3", "fc4"])
        #expect(d.filter { $0.excluded == nil }.allSatisfy { $0.multiplier == 0.7 })
        let routed = TempBalance.route(parameterNames: ["fc1.weight", "fc2.weight", "fc2.bias", "fc5.bias"], decisions: d, options: o)
        #expect(routed.map(\.multiplier) == [1, 0.7, 0.7, 1])
    }

    static func run(_ policy: PolicyMode, uniform: Double = 1, dir: String, data: Dataset) throws -> (Trainer, TrainOutcome) {
        var c = TrainConfig()
        c.data = .digits
        c.hidden = [64, 64, 64, 64]
        c.perClass = 5
        c.validationPerClass = 20
        c.steps = 12
        c.batchSize = 10
        c.lr = 0.05
        c.policy = policy
        c.uniformMultiplier = uniform
        c.balanceEvery = .epoch
        c.policyOptions.scheme = .linear
        c.logEvery = 4
        c.seed = 3
        c.out = dir + "/\(policy.rawValue)"
        let t = try Trainer(config: c, dataset: data)
        return (t, try t.run())
    }

    /// Frozen: the multipliers of step 0 for the whole run (TempBalance recomputes them every
    /// epoch); uniform: G on the balanced layers at every step; both summarised; the validation
    /// split is evaluated and logged.
    @Test func frozenAndUniformControls() throws {
        let dir = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = try DataSetKind.digits.load(folder: TestData.folder)
        let (tb, tbOutcome) = try Self.run(.tempbalance, dir: dir, data: data)
        let (_, frozen) = try Self.run(.frozen, dir: dir, data: data)
        let (_, uniform) = try Self.run(.uniform, uniform: 0.6, dir: dir, data: data)
        #expect(tb.validation.count == 200 && tbOutcome.validation?.count == 200)
        // 50 examples in batches of 10: an epoch is 5 steps, so TempBalance recomputes at steps 0, 5, 10.
        let tbLog = try TrainingLog.load(dir + "/tempbalance/log.jsonl"), frozenLog = try TrainingLog.load(dir + "/tempbalance-frozen/log.jsonl")
        let tbRates: [[Double]] = tbLog.intervals.map { i in i.layers.compactMap { $0.multiplier } }
        let frozenRates: [[Double]] = frozenLog.intervals.map { i in i.layers.compactMap { $0.multiplier } }
        #expect(tbRates[0] == frozenRates[0] && tbRates != frozenRates)
        #expect(frozenRates.allSatisfy { $0 == frozenRates[0] })
        #expect(tbLog.intervals.allSatisfy { $0.metric("val_accuracy") != nil })
        #expect(frozen.multipliers.timeAverages.map(\.layer) == ["fc2", "fc3", "fc4"])
        let firstRates = Array(frozenRates[0][1...3])
        #expect(zip(frozen.multipliers.timeAverages.map(\.multiplier), firstRates).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(frozen.multipliers.nearBoundShare != nil && uniform.multipliers.nearBoundShare == nil)
        #expect(uniform.multipliers.timeAverages.allSatisfy { abs($0.multiplier - 0.6) < 1e-12 })
        let uniformLog = try TrainingLog.load(dir + "/uniform/log.jsonl")
        #expect(uniformLog.intervals.allSatisfy { i in i.layers.compactMap { $0.multiplier } == [1, 0.6, 0.6, 0.6, 1] })
        #expect(tbOutcome.multipliers.timeAverages.count == 3)
    }
}
