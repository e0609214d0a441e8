import Testing
@testable import Spectrum

/// Pins the randomisation streams of the analyzer (`--randomize`): the per-layer seed from the
/// run seed and the layer name, and the shuffle drawn from it. Raw values computed independently
/// (Python transcription of SplitMix64 and FNV-1a).
@Suite struct SeedStreamTests {
    @Test func layerStreamIsPinned() {
        #expect(Randomization.layerSeed(3, name: "fc1.weight") == 9_720_657_083_849_573_029)
        var g = SplitMix64(seed: 7)
        #expect((0..<3).map { _ in g.next() } == [0x63cb_e1e4_5932_0dd7, 0x044c_3cd7_f43c_661c, 0xe698_4080_bab1_2a02])
        var b = SplitMix64(seed: 7)
        let below = (0..<6).map { _ in b.next(below: 10) }
        #expect(below == Self.below, "\(below)")
        var values = (0..<10).map(Double.init)
        var s = SplitMix64(seed: Randomization.layerSeed(3, name: "fc1.weight"))
        Randomization.shuffle(&values, using: &s)
        #expect(values.map(Int.init) == Self.shuffle, "\(values.map(Int.init))")
    }
    static let below: [UInt64] = [3, 0, 9, 5, 4, 2]
    static let shuffle: [Int] = [3, 1, 6, 0, 2, 7, 4, 5, 8, 9]
}
