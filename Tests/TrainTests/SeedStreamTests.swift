import Foundation
import Testing
@testable import Train

/// Pins the first values of every seeded stream the MLP trainer draws from (seed 7), and the
/// values the trainer derives from them: a changed generator, seed derivation or stream number
/// would silently change every committed result. The raw words were computed independently
/// (a Python transcription of SplitMix64 + xoshiro256** and the stream mixing).
@Suite struct SeedStreamTests {
    /// Stream → first three words, and `permutation(10)` of a fresh generator.
    static let trainer: [(stream: UInt64, words: [UInt64], permutation: [Int])] = [
        (0, [0xc00f_7f8d_7977_3f82, 0xe1f8_f7d9_186d_19fd, 0x0fef_c580_5a09_1203], [0, 4, 6, 2, 5, 9, 1, 3, 7, 8]),
        (RNGStream.initialization, [0x78fe_3d21_3c15_5c7b, 0x9f6f_2b08_423f_60e7, 0xc553_990a_9b51_71d0], [1, 3, 7, 5, 2, 8, 4, 0, 6, 9]),
        (RNGStream.subsample, [0xb265_85f9_64e7_aceb, 0x9971_76ca_fa1c_03c9, 0x9446_d972_d67a_d3ff], [6, 0, 5, 4, 2, 8, 1, 7, 3, 9]),
        (RNGStream.initialization + 100, [0x9270_ce99_1c5e_7f9c, 0x64af_2f6a_303e_8e98, 0xa234_1e00_15ef_2ecf], [0, 4, 8, 6, 3, 5, 9, 7, 1, 2]),
        (RNGStream.epochOrder, [0xe935_7cc3_23f5_11ac, 0xaede_7c6c_7749_d3f7, 0x4b7f_7d6f_66d8_686d], [7, 1, 3, 9, 2, 8, 0, 5, 6, 4]),
        (RNGStream.epochOrder + 3, [0x78d2_7be3_6536_844f, 0xe893_9bf8_06a9_9ee8, 0xee27_8f1e_0901_9458], [5, 8, 6, 7, 2, 4, 9, 0, 3, 1]),
        (RNGStream.dropout, [0x1564_2639_f555_39aa, 0x3c55_830b_bc75_3f9b, 0x5409_5b40_a25b_d8a8], [2, 3, 1, 7, 4, 6, 5, 9, 0, 8]),
        (RNGStream.dropout + 5, [0x873d_49a9_db2a_dd8a, 0xdba9_fd48_9636_cd08, 0xf580_ce6f_515f_b1db], [2, 6, 0, 1, 7, 9, 4, 3, 5, 8]),
    ]

    @Test func trainerStreamsArePinned() {
        for s in Self.trainer {
            var g = SeededRNG(seed: 7, stream: s.stream)
            #expect((0..<3).map { _ in g.next() } == s.words, "stream \(s.stream)")
            var p = SeededRNG(seed: 7, stream: s.stream)
            #expect(p.permutation(10) == s.permutation, "stream \(s.stream)")
        }
    }

    @Test func uniformAndNormalArePinned() {
        var g = SeededRNG(seed: 7, stream: RNGStream.initialization)
        #expect(g.uniform() == Double(UInt64(0x78fe_3d21_3c15_5c7b) >> 11) * 0x1p-53)
        var n = SeededRNG(seed: 7)
        let normals = (0..<3).map { _ in n.normal() }
        #expect(normals == Self.normals, "\(normals)")
    }
    static let normals: [Double] = [0.5613804900816637, -1.704149563321352, -0.766204546827008]

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
    /// (stream `initialization + 100`).
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

    /// The dropout mask of step 5 (stream `dropout + 5`), p = 0.5.
    @Test func dropoutMaskIsPinned() {
        var rng = SeededRNG(seed: 7, stream: RNGStream.dropout + 5)
        var y = [Double](repeating: 0, count: 16), mask = y
        let x = [Double](repeating: 1, count: 16)
        Dropout.forward(&y, mask: &mask, x, count: 16, p: 0.5, rng: &rng)
        #expect(mask.map { $0 > 0 } == Self.dropout, "\(mask.map { $0 > 0 })")
    }
    static let dropout: [Bool] = [true, true, true, true, true, false, true, true, false, true, true, true, false, true, true, true]
}
