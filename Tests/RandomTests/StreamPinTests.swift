import Testing
@testable import Random

/// Pins the first values of every named stream (seed 7): a changed generator, seed derivation
/// or stream number would silently change every committed result. The raw words were computed
/// independently (a Python transcription of SplitMix64, xoshiro256** and the stream mixing)
/// and were pinned against the three generators the package had before they were merged.
@Suite struct StreamPinTests {
    /// `SeededRNG` stream → its number, first three words, and `permutation(10)`.
    static let trainer: [(stream: RandomStream, number: UInt64, words: [UInt64], permutation: [Int])] = [
        (.main, 0, [0xc00f_7f8d_7977_3f82, 0xe1f8_f7d9_186d_19fd, 0x0fef_c580_5a09_1203], [0, 4, 6, 2, 5, 9, 1, 3, 7, 8]),
        (.initialization, 1, [0x78fe_3d21_3c15_5c7b, 0x9f6f_2b08_423f_60e7, 0xc553_990a_9b51_71d0], [1, 3, 7, 5, 2, 8, 4, 0, 6, 9]),
        (.subsample, 2, [0xb265_85f9_64e7_aceb, 0x9971_76ca_fa1c_03c9, 0x9446_d972_d67a_d3ff], [6, 0, 5, 4, 2, 8, 1, 7, 3, 9]),
        (.newHead, 101, [0x9270_ce99_1c5e_7f9c, 0x64af_2f6a_303e_8e98, 0xa234_1e00_15ef_2ecf], [0, 4, 8, 6, 3, 5, 9, 7, 1, 2]),
        (.epochOrder(0), 1 << 32, [0xe935_7cc3_23f5_11ac, 0xaede_7c6c_7749_d3f7, 0x4b7f_7d6f_66d8_686d], [7, 1, 3, 9, 2, 8, 0, 5, 6, 4]),
        (.epochOrder(3), (1 << 32) + 3, [0x78d2_7be3_6536_844f, 0xe893_9bf8_06a9_9ee8, 0xee27_8f1e_0901_9458], [5, 8, 6, 7, 2, 4, 9, 0, 3, 1]),
        (.dropout(step: 0), 2 << 32, [0x1564_2639_f555_39aa, 0x3c55_830b_bc75_3f9b, 0x5409_5b40_a25b_d8a8], [2, 3, 1, 7, 4, 6, 5, 9, 0, 8]),
        (.dropout(step: 5), (2 << 32) + 5, [0x873d_49a9_db2a_dd8a, 0xdba9_fd48_9636_cd08, 0xf580_ce6f_515f_b1db], [2, 6, 0, 1, 7, 9, 4, 3, 5, 8]),
        (.fnoEpochOrder(0), 1_000_000, [0x9a1c_1055_6eee_9718, 0x336b_c4d1_e3d7_8092, 0x27bc_a910_41fe_1ccd], [2, 0, 9, 3, 8, 7, 1, 5, 4, 6]),
        (.fnoEpochOrder(3), 1_000_003, [0xd5b8_eda3_1e4e_5e16, 0xb145_6fdc_714d_99d8, 0x5fcf_5c55_b979_c3de], [2, 7, 1, 3, 4, 5, 0, 9, 8, 6]),
    ]

    @Test func trainerStreamsArePinned() {
        for s in Self.trainer {
            #expect(s.stream.number == s.number, "\(s.stream)")
            var g = SeededRNG(seed: 7, stream: s.stream)
            #expect((0..<3).map { _ in g.next() } == s.words, "\(s.stream)")
            var p = SeededRNG(seed: 7, stream: s.stream)
            #expect(p.permutation(10) == s.permutation, "\(s.stream)")
        }
        var a = SeededRNG(seed: 7), b = SeededRNG(seed: 7, stream: .main)
        #expect(a.next() == b.next())
    }

    @Test func seededRNGUniformAndNormalArePinned() {
        var g = SeededRNG(seed: 7, stream: .initialization)
        #expect(g.uniform() == Double(UInt64(0x78fe_3d21_3c15_5c7b) >> 11) * 0x1p-53)
        var n = SeededRNG(seed: 7)
        #expect((0..<3).map { _ in n.normal() } == [0.5613804900816637, -1.704149563321352, -0.766204546827008])
    }

    /// `SplitMix64(seed:)`, and `SplitMix64(seed:stream:)` for PDE samples 0, 1 and 72.
    @Test func splitMixStreamsArePinned() {
        var plain = SplitMix64(seed: 7)
        #expect((0..<3).map { _ in plain.next() } == [0x63cb_e1e4_5932_0dd7, 0x044c_3cd7_f43c_661c, 0xe698_4080_bab1_2a02])
        var zero = SplitMix64(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)   // the published first output for seed 0
        let samples: [(index: Int, words: [UInt64])] = [
            (0, [0x013c_2427_148b_1a76, 0xe3ca_f10a_74b0_4c8f, 0x08ff_90af_9193_090e]),
            (1, [0xc91a_5f5d_8113_99ab, 0xde30_e6cf_48ef_229c, 0x7ca9_e958_295e_6413]),
            (72, [0xaba4_10be_d48c_59c9, 0xe77f_ad0b_6053_be86, 0xe8eb_91fc_7d5b_7f13]),
        ]
        for s in samples {
            #expect(RandomStream.sample(s.index).number == UInt64(s.index))
            var g = SplitMix64(seed: 7, stream: .sample(s.index))
            #expect((0..<3).map { _ in g.next() } == s.words, "sample \(s.index)")
        }
        var u = SplitMix64(seed: 7, stream: .sample(1))
        #expect(u.uniform() == Double(UInt64(0xc91a_5f5d_8113_99ab) >> 11) * 0x1p-53)
        var n = SplitMix64(seed: 7, stream: .sample(1))
        #expect((0..<3).map { _ in n.normal() } == [1.1845567485384223, -0.8898756521111054, -2.579673205547698])
        var b = SplitMix64(seed: 7)
        #expect((0..<6).map { _ in b.next(below: 10) } == [3, 0, 9, 5, 4, 2])
    }

    /// The streams of one seed differ from one another (no two names share a number).
    @Test func namedStreamsAreDistinct() {
        let numbers = Self.trainer.map(\.stream.number)
        #expect(Set(numbers).count == numbers.count)
        #expect(RandomStream.epochOrder(Int(UInt32.max)).number < RandomStream.dropout(step: 0).number)
    }

    /// `permutation` is a permutation for every size, including 0 and 1.
    @Test func permutationsArePermutations() {
        var g = SeededRNG(seed: 1)
        for n in [0, 1, 2, 17, 1000] { #expect(g.permutation(n).sorted() == Array(0..<n)) }
    }
}
