import Foundation
import Settings
import Testing
import Train
@testable import FNO

/// The protocol's pieces in the FNO trainer: disjoint training subsets from a pool offset, and
/// TempBalance's controls (frozen multipliers, a uniform multiplier) with their summaries.
@Suite(.serialized) struct FNOControlTests {
    /// The pool of 8 samples strided by 4 from offsets 0 … 3: four disjoint subsets of 2.
    @Test func poolOffsetsGiveDisjointSubsets() throws {
        let tmp = try Scratch()
        defer { tmp.cleanup() }
        let data = try TrainingTests.darcy(tmp.path)
        var seen: Set<Int> = []
        for offset in 0..<4 {
            let d = try FNODataSet(path: data, testCount: 3, validationCount: 3, reducedBatch: 4, poolOffset: offset)
            #expect(d.train.indices == [3 + offset, 7 + offset])
            seen.formUnion(d.train.indices)
        }
        #expect(seen == Set(3..<11))
        #expect { try FNODataSet(path: data, testCount: 3, validationCount: 3, reducedBatch: 4, poolOffset: 4) } throws: {
            ($0 as? InvalidSetting)?.field == "pool_offset"
        }
        #expect(try FNODataSet.poolCount(path: data, testCount: 3, validationCount: 3) == 8)
    }

    @Test func frozenAndUniformControls() throws {
        let tmp = try Scratch()
        defer { tmp.cleanup() }
        let data = try TrainingTests.darcy(tmp.path)
        func run(_ policy: PolicyMode, uniform: Double = 1) throws -> (FNOOutcome, TrainingLog) {
            var c = TrainingTests.config(data, out: tmp.path + "/" + policy.rawValue)
            c.epochs = 3
            c.width = 14
            c.policy = policy
            c.uniformMultiplier = uniform
            let o = try FNOTrainer(config: c).run()
            return (o, try TrainingLog.load(c.out + "/log.jsonl"))
        }
        let (tb, tbLog) = try run(.tempbalance)
        let (frozen, frozenLog) = try run(.frozen)
        let (uniform, uniformLog) = try run(.uniform, uniform: 0.5)
        let rates = { (log: TrainingLog) -> [[Double]] in log.intervals.map { i in i.layers.compactMap { $0.multiplier } } }
        #expect(rates(tbLog)[0] == rates(frozenLog)[0] && rates(tbLog) != rates(frozenLog))
        #expect(rates(frozenLog).allSatisfy { $0 == rates(frozenLog)[0] })
        // fc0 (14 × 3: 3 eigenvalues) and fc2 keep η; w0…w3 and fc1 get G.
        #expect(rates(uniformLog).allSatisfy { $0 == [1, 0.5, 0.5, 0.5, 0.5, 0.5, 1] })
        #expect(tb.multipliers.timeAverages.map(\.layer) == ["w0", "w1", "w2", "w3", "fc1"])
        #expect(uniform.multipliers.timeAverages.allSatisfy { abs($0.multiplier - 0.5) < 1e-12 } && uniform.multipliers.nearBoundShare == nil)
        #expect(frozen.multipliers.nearBoundShare != nil && tb.multipliers.layers.allSatisfy { $0.steps == 3 * 2 })
    }
}
