import Random
import Testing
import Train
@testable import FNO

/// Pins the FNO's initial weights from the initialisation stream (seed 7); the streams
/// themselves (`initialization`, `fnoEpochOrder`) are pinned in `RandomTests`.
@Suite struct SeedStreamTests {
    /// The model's initial weights from the initialisation stream.
    @Test func initialWeightsArePinned() throws {
        let c = FNOConfig(spatialShape: [8, 8], inputChannels: 2, outputChannels: 1, width: 4, modes: 2)
        let grid = (0..<(64 * 2)).map { Double($0 % 8) / 8 }
        let m = try FNOModel<Float>(config: c, grid: grid, maxBatch: 1)
        var rng = SeededRNG(seed: 7, stream: .initialization)
        m.initialize(rng: &rng)
        let first = m.parameters.entries.prefix(3).map { m.parameters.values.array($0)[0].bitPattern }
        #expect(first == Self.initial, "\(first.map { String($0, radix: 16) })")
    }
    static let initial: [UInt32] = [3_168_811_100, 3_203_965_648, 1_030_388_324]
}
