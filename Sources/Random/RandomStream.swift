/// A named stream of a seeded generator: the number mixed with a run's seed by
/// `SeededRNG(seed:stream:)` or `SplitMix64(seed:stream:)`, so that each use of randomness
/// draws from its own reproducible sequence and no code writes a literal seed offset.
///
/// Every stream of the package is declared here, with the number it has always had (committed
/// results depend on them; `SeedStreamTests` pin their first values):
///
/// | stream | number | drawn by |
/// |---|---|---|
/// | `main` | 0 | a generator made from a seed alone (tests, benchmarks) |
/// | `initialization` | 1 | the MLP's and the FNO's initial weights; the fine-tuner's new head |
/// | `subsample` | 2 | the MLP trainer's class-stratified data subset; `htsr finetune`'s text subset |
/// | `newHead` | 101 | a new classifier head over a loaded checkpoint |
/// | `epochOrder(e)` | 2³² + e | the MLP trainer's (and the fine-tuner's) example order in epoch e |
/// | `dropout(step:)` | 2³³ + s | the dropout masks of MLP (and fine-tuning) training step s |
/// | `fnoEpochOrder(e)` | 10⁶ + e | the FNO trainer's sample order in epoch e |
/// | `sample(i)` | i | sample i of a generated PDE data set (`SplitMix64`) |
///
/// The ranges do not overlap for epochs below 2³² − 10⁶ and steps below 2³² (the MLP's and the
/// FNO's streams never share a run anyway). The analyzer's randomisation derives a per-layer
/// seed from the layer's name instead (`Randomization.layerSeed`).
public struct RandomStream: Hashable, Sendable, CustomStringConvertible {
    /// The number mixed with the seed.
    public let number: UInt64

    init(_ number: UInt64) { self.number = number }

    public var description: String { "stream \(number)" }

    /// The stream of a generator made from a seed alone.
    public static let main = RandomStream(0)
    /// A model's initial weights (the MLP and the FNO).
    public static let initialization = RandomStream(1)
    /// The MLP trainer's data subset (`--train-ratio`, `--per-class`).
    public static let subsample = RandomStream(2)
    /// A new classifier head over a loaded checkpoint (`initialization` + 100).
    public static let newHead = RandomStream(101)

    /// The MLP trainer's order of the training examples in `epoch` (2³² + epoch).
    /// - Precondition: `epoch ≥ 0`.
    public static func epochOrder(_ epoch: Int) -> RandomStream { RandomStream((1 << 32) + UInt64(epoch)) }

    /// The dropout masks of MLP training step `step` (2³³ + step).
    /// - Precondition: `step ≥ 0`.
    public static func dropout(step: Int) -> RandomStream { RandomStream((2 << 32) + UInt64(step)) }

    /// The FNO trainer's order of the training samples in `epoch` (1 000 000 + epoch).
    /// - Precondition: `epoch ≥ 0`.
    public static func fnoEpochOrder(_ epoch: Int) -> RandomStream { RandomStream(1_000_000 + UInt64(epoch)) }

    /// Sample `index` of a generated PDE data set, whichever thread generates it.
    /// - Precondition: `index ≥ 0`.
    public static func sample(_ index: Int) -> RandomStream { RandomStream(UInt64(index)) }
}
