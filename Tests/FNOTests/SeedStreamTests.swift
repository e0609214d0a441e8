import Testing
import Train
@testable import FNO

/// Pins the FNO trainer's streams (seed 7): initialisation (stream 1) and the order of the
/// training samples in epoch e (stream 1 000 000 + e). Raw words computed independently
/// (Python transcription of the generator).
@Suite struct SeedStreamTests {
    @Test func fnoStreamsArePinned() {
        let expected: [(stream: UInt64, words: [UInt64], permutation: [Int])] = [
            (1, [0x78fe_3d21_3c15_5c7b, 0x9f6f_2b08_423f_60e7, 0xc553_990a_9b51_71d0], [1, 3, 7, 5, 2, 8, 4, 0, 6, 9]),
            (1_000_000, [0x9a1c_1055_6eee_9718, 0x336b_c4d1_e3d7_8092, 0x27bc_a910_41fe_1ccd], [2, 0, 9, 3, 8, 7, 1, 5, 4, 6]),
            (1_000_003, [0xd5b8_eda3_1e4e_5e16, 0xb145_6fdc_714d_99d8, 0x5fcf_5c55_b979_c3de], [2, 7, 1, 3, 4, 5, 0, 9, 8, 6]),
        ]
        for s in expected {
            var g = SeededRNG(seed: 7, stream: s.stream)
            #expect((0..<3).map { _ in g.next() } == s.words, "stream \(s.stream)")
            var p = SeededRNG(seed: 7, stream: s.stream)
            #expect(p.permutation(10) == s.permutation, "stream \(s.stream)")
        }
    }

    /// The model's initial weights from the initialisation stream.
    @Test func initialWeightsArePinned() throws {
        let c = FNOConfig(spatialShape: [8, 8], inputChannels: 2, outputChannels: 1, width: 4, modes: 2)
        let grid = (0..<(64 * 2)).map { Double($0 % 8) / 8 }
        let m = try FNOModel<Float>(config: c, grid: grid, maxBatch: 1)
        var rng = SeededRNG(seed: 7, stream: 1)
        m.initialize(rng: &rng)
        let first = m.parameters.entries.prefix(3).map { m.parameters.values.array($0)[0].bitPattern }
        #expect(first == Self.initial, "\(first.map { String($0, radix: 16) })")
    }
    static let initial: [UInt32] = [3_168_811_100, 3_203_965_648, 1_030_388_324]
}
