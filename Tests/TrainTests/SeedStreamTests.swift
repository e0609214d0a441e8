import Foundation
import Random
import Testing
@testable import Train

/// Pins what the MLP trainer draws from its named streams (seed 7): the data subset, the
/// initial weights, a new head and a dropout mask (the streams themselves are pinned in
/// `RandomTests`). A stream swapped at a call site would change committed results.
@Suite struct SeedStreamTests {
    /// A 3-class pool of 8 examples each (features = the example's index).
    static func pool() -> Dataset {
        let y = (0..<24).map { Int32($0 % 3) }
        return Dataset(name: "pin", inputs: 1, classes: 3, trainX: (0..<24).map(Float.init), trainY: y,
                       testX: [0, 1, 2], testY: [0, 1, 2])
    }

    /// The data subset (stream `subsample`) keeps the same examples.
    @Test func subsetIsPinned() throws {
        let kept = try Self.pool().subsample(ratio: 0.5, seed: 7).trainX.map(Int.init)
        #expect(kept == Self.subset, "\(kept)")
    }
    static let subset: [Int] = [0, 1, 4, 5, 6, 8, 10, 12, 14, 15, 19, 23]

    static func config(_ out: String) -> TrainConfig {
        var c = TrainConfig()
        c.hidden = [4]
        c.seed = 7
        c.batchSize = 4
        c.out = out
        return c
    }

    /// The initial weights (stream `initialization`) and a new head over a loaded checkpoint
    /// (stream `newHead`).
    @Test func initialWeightsArePinned() throws {
        let dir = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trainer = try Trainer(config: Self.config(dir), dataset: Self.pool())
        let p = trainer.model.parameters
        let w = Array(p.values.array(p.entry("fc1.weight")).prefix(4)).map(\.bitPattern)
        #expect(w == Self.initial, "\(w.map { String($0, radix: 16) })")
        // A checkpoint with 5 classes: loading it into the 3-class model needs a new head.
        var other = Self.pool()
        other.classes = 5
        let source = try Trainer(config: Self.config(dir), dataset: other)
        try CheckpointIO.save(source.model.parameters, metadata: [:], to: dir + "/five.safetensors")
        var c = Self.config(dir)
        c.initCheckpoint = dir + "/five.safetensors"
        c.newHead = true
        let tuned = try Trainer(config: c, dataset: Self.pool())
        let q = tuned.model.parameters
        let head = Array(q.values.array(q.entry("fc2.weight")).prefix(4)).map(\.bitPattern)
        #expect(head == Self.newHead, "\(head.map { String($0, radix: 16) })")
    }
    static let initial: [UInt32] = [3_177_199_708, 1_048_279_384, 1_057_662_770, 3_191_990_643]
    static let newHead: [UInt32] = [1_033_078_389, 3_185_215_109, 1_040_765_048, 1_049_738_012]

    /// The dropout mask of step 5 (stream `dropout(step: 5)`), p = 0.5.
    @Test func dropoutMaskIsPinned() {
        var rng = SeededRNG(seed: 7, stream: .dropout(step: 5))
        var y = [Double](repeating: 0, count: 16), mask = y
        let x = [Double](repeating: 1, count: 16)
        Dropout.forward(&y, mask: &mask, x, count: 16, p: 0.5, rng: &rng)
        #expect(mask.map { $0 > 0 } == Self.dropout, "\(mask.map { $0 > 0 })")
    }
    static let dropout: [Bool] = [true, true, true, true, true, false, true, true, false, true, true, true, false, true, true, true]

    /// Dropout keeps an element when `uniform() ≥ p`, tested in integers as `next() >> 11 ≥
    /// ⌈p · 2⁵³⌉`: the same decision for every draw at and around the threshold, for the usual
    /// rates and awkward ones (not representable in binary, tiny, next to 1).
    @Test(arguments: [0.1, 0.5, 0.3, 1.0 / 3, 1e-300, 0x1p-60, 1 - 0x1p-53, 0.9999999])
    func dropoutsIntegerTestIsTheUniformTest(p: Double) {
        let t = Dropout.keepThreshold(p)
        var rng = SeededRNG(seed: 11)
        let near = (0...8).map { t &+ UInt64($0) &- 4 }.filter { $0 < 1 << 53 }
        let random = (0..<2_000).map { _ in rng.next() >> 11 }
        for k in near + random {
            #expect((k >= t) == (Double(k) * 0x1p-53 >= p), "p \(p), k \(k), threshold \(t)")
        }
        // And a mask drawn by forward is the one the uniform test gives on the same stream.
        var a = SeededRNG(seed: 5, stream: .dropout(step: 2)), b = a
        var y = [Float](repeating: 0, count: 512), mask = y
        let x = [Float](repeating: 2, count: 512)
        Dropout.forward(&y, mask: &mask, x, count: 512, p: p, rng: &a)
        let scale = Float(1 / (1 - p))
        #expect(mask == (0..<512).map { _ in b.uniform() >= p ? scale : 0 })
        #expect(a.next() == b.next(), "the stream advanced once per element")
    }
}
