import Random
import Testing
@testable import Spectrum

/// Pins the randomisation streams of the analyzer (`--randomize`): the per-layer seed from the
/// run seed and the layer name, and the shuffle drawn from it. Raw values computed independently
/// (Python transcription of SplitMix64 and FNV-1a).
@Suite struct SeedStreamTests {
    @Test func layerStreamIsPinned() {
        #expect(Randomization.layerSeed(3, name: "fc1.weight") == 9_720_657_083_849_573_029)
        var values = (0..<10).map(Double.init)
        var s = SplitMix64(seed: Randomization.layerSeed(3, name: "fc1.weight"))
        Randomization.shuffle(&values, using: &s)
        #expect(values.map(Int.init) == Self.shuffle, "\(values.map(Int.init))")
    }
    static let shuffle: [Int] = [3, 1, 6, 0, 2, 7, 4, 5, 8, 9]
}
